package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.engine.ChangeStream;
import dev.nificdc.testsupport.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each misconfiguration stops capture before it starts, with the reason and a message that says what to fix. */
class PgErrorsIT {
    private PostgresServer server;
    private String db;

    @BeforeEach
    void setUp() {
        server = PgTestSupport.server();
        db = server.createDatabase("errors");
        server.execute(db, "CREATE TABLE a (id INT PRIMARY KEY)", "CREATE TABLE b (id INT PRIMARY KEY)");
    }

    @AfterEach
    void tearDown() throws Exception {
        PgTestSupport.dropSlot(server, db);
    }

    private CaptureException openFails(PgSourceConfig config) {
        return assertThrows(CaptureException.class, () -> new PgStreamingSource(config, PgTestSupport.logger()).open(null).close());
    }

    @Test
    void aUserWithoutReplicationIsToldToGrantIt() {
        String user = "norep_" + db.substring(db.length() - 6);
        server.execute(db, "CREATE ROLE " + user + " LOGIN", "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + user);
        PgSourceConfig base = PgTestSupport.config(server, db, "public\\.a");
        CaptureException e = openFails(new PgSourceConfig(base.host(), base.port(), db, user, "x", db, "p", base.filter(), "t",
                base.connectTimeout(), base.statusInterval(), 100, 1000, false));
        assertEquals(CaptureException.Reason.PRIVILEGES, e.reason());
        assertTrue(e.getMessage().contains("ALTER ROLE \"" + user + "\" WITH REPLICATION"), e.getMessage());
    }

    @Test
    void aPublicationMissingACapturedTableIsNamed() {
        server.execute(db, "CREATE PUBLICATION nifi_cdc_pub FOR TABLE a");
        CaptureException e = openFails(PgTestSupport.config(server, db, "public\\.(a|b)"));
        assertEquals(CaptureException.Reason.CONFIGURATION, e.reason());
        assertTrue(e.getMessage().contains("does not publish the captured tables public.b"), e.getMessage());
        assertTrue(e.getMessage().contains("ALTER PUBLICATION \"nifi_cdc_pub\" ADD TABLE \"public\".\"b\""), e.getMessage());
    }

    @Test
    void aTableWithoutKeyOrReplicaIdentityFullIsRefusedBeforeThePublicationIsCreated() throws Exception {
        server.execute(db, "CREATE TABLE nokey (v INT)");
        CaptureException e = openFails(PgTestSupport.config(server, db, "public\\.nokey"));
        assertEquals(CaptureException.Reason.CONFIGURATION, e.reason());
        assertTrue(e.getMessage().contains("ALTER TABLE \"public\".\"nokey\" REPLICA IDENTITY FULL"), e.getMessage());
        server.execute(db, "UPDATE nokey SET v = 1"); // the source's own updates still work: no publication was created

        server.execute(db, "ALTER TABLE nokey REPLICA IDENTITY FULL");
        new PgStreamingSource(PgTestSupport.config(server, db, "public\\.nokey"), PgTestSupport.logger()).open(null).close();
    }

    @Test
    void aSlotActiveInAnotherConnectionIsReported() throws Exception {
        PgSourceConfig config = PgTestSupport.config(server, db, "public\\.a");
        try (ChangeStream<PgOffset> first = new PgStreamingSource(config, PgTestSupport.logger()).open(null)) {
            CaptureException e = openFails(config);
            assertEquals(CaptureException.Reason.CONFIGURATION, e.reason());
            assertTrue(e.getMessage().contains("is active in another connection"), e.getMessage());
            assertTrue(first.poll(java.time.Duration.ofMillis(10)) == null, "the first stream goes on");
        }
    }

    @Test
    void badPatternsAreAConfigurationError() {
        CaptureException e = assertThrows(CaptureException.class,
                () -> TableFilter.of(List.of("public("), List.of(), List.of(), List.of(), List.of()));
        assertEquals(CaptureException.Reason.CONFIGURATION, e.reason());
        CaptureException none = openFails(PgTestSupport.config(server, db, "public\\.nothing_matches"));
        assertTrue(none.getMessage().contains("matches the schema and table patterns"), none.getMessage());
    }

    @Test
    void walLevelBelowLogicalIsReportedWithTheFix() {
        try (PostgresServer replica = PostgresServer.start("wal_level", "replica")) {
            String database = replica.createDatabase("wal");
            replica.execute(database, "CREATE TABLE a (id INT PRIMARY KEY)");
            CaptureException e = openFails(PgTestSupport.config(replica, database, "public\\.a"));
            assertEquals(CaptureException.Reason.SERVER_SETTINGS, e.reason());
            assertTrue(e.getMessage().contains("wal_level is replica; logical replication needs wal_level = logical"), e.getMessage());
        }
    }
}
