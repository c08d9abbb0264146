package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CaptureTimestampChange loses nothing when NiFi is killed with SIGKILL while a {@link ChangeWriter} inserts and
 * updates rows: CaptureTimestampChange (DBCPConnectionPool on a private MariaDB, flattened rows) -> PutDatabaseRecord
 * appending every captured row version to a table of a second private MariaDB. After the restart on the same
 * directory (watermark from NiFi's state, queued FlowFiles from its repositories) the final version of every source row
 * is among the captured versions, and no version was delivered twice.
 *
 * <p>The target is append-only because a timestamp capture sees an insert followed by an update before its next
 * poll as one update, and with NiFi 2.3 PutDatabaseRecord has no working UPSERT (NIFI-14346). The source's
 * {@code updated_at} column is not written to the target: it is the capture's ordering column, not row data under test.
 * The same sink limit as in {@link BinlogCrashIT} applies (a kill between PutDatabaseRecord's database commit and
 * NiFi's session commit would apply a FlowFile twice), so the sink is stopped just before the kill and started again
 * after the restart, while the capture keeps running.
 */
class TimestampCrashIT {
    private static final String ITEMS = "(id INT PRIMARY KEY, n BIGINT NOT NULL, label VARCHAR(200), amount DECIMAL(12,2), note TEXT, "
            + "updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))";
    private static final String VERSIONS = "(version_id BIGINT AUTO_INCREMENT PRIMARY KEY, id INT NOT NULL, n BIGINT NOT NULL, "
            + "label VARCHAR(200), amount DECIMAL(12,2), note TEXT)";
    private static final String COLUMNS = "id, n, label, amount, note";

    private static NiFiInstance nifi;

    @RegisterExtension
    static final SourceAndReplica DATABASES = new SourceAndReplica();

    @RegisterExtension
    static final CrashNiFi CRASH = new CrashNiFi();

    @BeforeAll
    static void start() {
        nifi = CRASH.instance();
    }

    @Test
    void noRowVersionLostAcrossKill() throws Exception {
        String db = DATABASES.source().createDatabase("tscrash");
        DATABASES.source().execute("CREATE TABLE `" + db + "`.items " + ITEMS);
        DATABASES.replica().execute("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4", "CREATE TABLE `" + db + "`.item_versions " + VERSIONS);
        JdbcTarget sinkDb = JdbcTargets.mariaDb(DATABASES.replica(), db, "nifi_writer", "writer-Secret-1");

        NiFiRestClient client = nifi.client();
        String group = client.createProcessGroup(client.rootGroupId(), "Timestamp crash " + db);
        String pool = client.createControllerService(group, DatabaseSink.DBCP_CONNECTION_POOL, "Source database", Map.of(
                "Database Connection URL", DATABASES.source().jdbcUrl(db),
                "Database Driver Class Name", "org.mariadb.jdbc.Driver",
                "Database Driver Location(s)", DatabaseSink.JdbcTarget.jarOf(org.mariadb.jdbc.Driver.class).toString(),
                "Database User", MariaDbServer.CDC_USER,
                "Password", MariaDbServer.CDC_PASSWORD));
        client.enableControllerService(pool);
        String writer = client.createControllerService(group, "org.apache.nifi.avro.AvroRecordSetWriter", "Avro Writer (embedded schema)",
                Map.of("Schema Write Strategy", "avro-embedded", "schema-access-strategy", "inherit-record-schema"));
        client.enableControllerService(writer);
        Map<String, String> capture = new LinkedHashMap<>();
        capture.put("Database Connection Pooling Service", pool);
        capture.put("Table Names", db + ".items");
        capture.put("Timestamp Column", "updated_at");
        capture.put("Incrementing Column", "id");
        capture.put("Commit Lag", "1 sec");
        capture.put("Initial Position", "BEGINNING");
        capture.put("Max Rows Per FlowFile", "200");
        capture.put("Record Writer", writer);
        capture.put("Output Shape", "FLATTENED");
        String captureId = client.createProcessor(group, "dev.nificdc.cdc.processors.CaptureTimestampChange", "Fetch changed rows", capture);
        client.updateProcessorConfig(captureId, JsonNodeFactory.instance.objectNode().put("schedulingPeriod", "1 sec"));

        Map<String, String> put = new LinkedHashMap<>();
        put.put("Statement Type", "INSERT");
        put.put("Table Name", "item_versions");
        put.put("Translate Field Names", "false");
        put.put("Unmatched Field Behavior", "Ignore Unmatched Fields");
        put.put("Unmatched Column Behavior", "Ignore Unmatched Columns");
        put.put("Quote Column Identifiers", "true");
        put.put("Rollback On Failure", "true");
        DatabaseSink sink = DatabaseSink.create(client, group, sinkDb, DatabaseSink.AVRO_READER,
                Map.of("schema-access-strategy", "embedded-avro-schema"), put);
        client.connect(group, captureId, sink.putDatabaseRecordId(), "success");
        client.startGroup(group);

        String items = "`" + db + "`.items";
        String versions = "`" + db + "`.item_versions";
        long beforeKill;
        long afterRestart;
        ChangeWriter changes = new ChangeWriter(DATABASES.source()::adminConnection, items, false).start();
        try {
            awaitCount(sinkDb, versions, 100, "captured row versions before the kill (the flow runs)");
            // PutDatabaseRecord commits to the database before its session: a kill in between would apply a FlowFile
            // twice (a limit of the sink). It stops first; the kill still lands while CaptureTimestampChange runs.
            client.stopProcessor(sink.putDatabaseRecordId());
            NiFiInstance.sleep(1500); // at least one more capture run (scheduled every second) queues its FlowFiles
            client.await("NiFi to persist the flow", () -> nifi.persistedFlowContains(sink.putDatabaseRecordId()), saved -> saved);
            nifi.kill();
            beforeKill = changes.steps();
            NiFiInstance.sleep(2000);
            nifi.start();
            nifi.client().startGroup(group);
            afterRestart = changes.steps();
            NiFiInstance.sleep(3000);
        } finally {
            changes.close();
        }
        System.out.printf("TimestampCrashIT: writer steps %d (kill after %d, restart after %d), row changes %d%n",
                changes.steps(), beforeKill, afterRestart, changes.rowChanges());
        assertTrue(afterRestart > beforeKill, "the writer kept writing while NiFi was down");

        List<String> sourceRows;
        List<String> missing;
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        do {
            try (Connection s = DATABASES.source().adminConnection()) {
                sourceRows = CdcFlows.dump(s, "(SELECT " + COLUMNS + " FROM " + items + ") AS final_rows");
            }
            Set<String> captured;
            try (Connection t = CdcFlows.open(sinkDb)) {
                captured = new HashSet<>(CdcFlows.dump(t, "(SELECT " + COLUMNS + " FROM " + versions + ") AS captured"));
            }
            missing = new ArrayList<>(sourceRows);
            missing.removeAll(captured);
            if (!missing.isEmpty()) {
                NiFiInstance.sleep(500);
            }
        } while (!missing.isEmpty() && Instant.now().isBefore(deadline));
        NiFiRestClient restarted = nifi.client();
        restarted.await("the flow's queues to drain", () -> restarted.queuedInGroup(group), n -> n == 0L);

        assertEquals(List.of(), missing.size() > 20 ? missing.subList(0, 20) : missing,
                missing.size() + " of " + sourceRows.size() + " final source rows never reached the target");
        List<String> duplicates = BinlogCrashIT.query(sinkDb, "SELECT CONCAT(id, '|', n, '|', label, '|', amount, ' x', COUNT(*)) FROM "
                + versions + " GROUP BY " + COLUMNS + " HAVING COUNT(*) > 1");
        assertEquals(List.of(), duplicates, "row versions delivered more than once");
        restarted.stopGroup(group);
    }

    private static void awaitCount(JdbcTarget db, String table, long atLeast, String what) throws SQLException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        long n;
        while ((n = Long.parseLong(BinlogCrashIT.query(db, "SELECT COUNT(*) FROM " + table).get(0))) < atLeast) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Timed out waiting for " + atLeast + " " + what + "; saw " + n);
            }
            NiFiInstance.sleep(250);
        }
    }
}
