package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.engine.ChangeStream;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.testsupport.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The replication stream against a real PostgreSQL server (14, and 18 in the postgres-18 test run): operations, transactions, DDL, TOAST, truncate. */
class PgStreamingIT {
    private PostgresServer server;
    private String db;
    private ChangeStream<PgOffset> stream;

    @BeforeEach
    void setUp() {
        server = PgTestSupport.server();
        db = server.createDatabase("stream");
        server.execute(db, "CREATE TABLE items (id INT PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(10,2))",
                "CREATE TABLE other (id INT PRIMARY KEY)");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (stream != null) {
            stream.close();
        }
        PgTestSupport.dropSlot(server, db);
    }

    private ChangeStream<PgOffset> open(PgOffset resume) {
        return new PgStreamingSource(PgTestSupport.config(server, db, "public\\.items"), PgTestSupport.logger()).open(resume);
    }

    @Test
    void capturesCommittedChangesInCommitOrderWithWholeTransactions() throws Exception {
        stream = open(null);
        server.execute(db, "BEGIN", "INSERT INTO items VALUES (1, 'apple', 1.50), (2, 'pear', NULL)", "INSERT INTO other VALUES (1)",
                "COMMIT", "UPDATE items SET price = 2.25 WHERE id = 1", "DELETE FROM items WHERE id = 2",
                "UPDATE items SET id = 10 WHERE id = 1");

        List<CapturedChange<PgOffset>> changes = PgTestSupport.poll(stream, 6);
        assertEquals(List.of(Operation.CREATE, Operation.CREATE, Operation.UPDATE, Operation.DELETE, Operation.DELETE, Operation.CREATE),
                changes.stream().map(c -> c.event().op()).toList());
        assertEquals(List.of(false, true, true, true, false, true), changes.stream().map(CapturedChange::endsTransaction).toList());
        ChangeEvent first = changes.get(0).event();
        assertArrayEquals(new Object[]{1, "apple", "1.50"}, first.after());
        assertEquals(List.of("id"), first.schema().primaryKey());
        PgSourceInfo source = PgSourceInfo.of(first);
        assertEquals(db, source.db());
        assertEquals("public", source.schema());
        assertEquals("items", source.table());
        assertEquals("postgresql", source.connector());
        assertTrue(source.txId() > 0);
        assertEquals(changes.get(0).offsetAfter().lsn(), source.commitLsn(), "inside a transaction the offset is its commit LSN");
        assertEquals(1, changes.get(0).offsetAfter().changesToSkip());
        assertTrue(changes.get(1).offsetAfter().lsn() > source.commitLsn(), "after a transaction: the end of its commit record");

        // REPLICA IDENTITY DEFAULT: no before-image when the key stays, the key alone for a delete; a key change is a
        // delete of the old key (its key alone) and a create of the new row, in one transaction
        assertNull(changes.get(2).event().before());
        assertArrayEquals(new Object[]{"2.25"}, Arrays.copyOfRange(changes.get(2).event().after(), 2, 3));
        assertArrayEquals(new Object[]{2, null, null}, changes.get(3).event().before());
        assertArrayEquals(new Object[]{1, null, null}, changes.get(4).event().before());
        assertNull(changes.get(4).event().after());
        assertNull(changes.get(5).event().before());
        assertArrayEquals(new Object[]{10, "apple", "2.25"}, changes.get(5).event().after());
        assertEquals(PgSourceInfo.of(changes.get(4).event()).lsn(), PgSourceInfo.of(changes.get(5).event()).lsn(), "one WAL record");
        for (int i = 1; i < changes.size(); i++) {
            assertTrue(changes.get(i).offsetAfter().compareTo(changes.get(i - 1).offsetAfter()) > 0, "offsets increase");
        }
        PgTestSupport.assertNoMore(stream, 500);
    }

    @Test
    void replicaIdentityFullGivesWholeBeforeImagesAndUnchangedToastedValues() throws Exception {
        String big = "x".repeat(20_000) + "y";
        // STORAGE EXTERNAL: stored out of line uncompressed, so the value is TOASTed however well it compresses
        server.execute(db, "ALTER TABLE items ADD COLUMN notes TEXT", "ALTER TABLE items ALTER COLUMN notes SET STORAGE EXTERNAL",
                "INSERT INTO items VALUES (1, 'apple', 1, '" + big + "')");
        stream = open(null);
        server.execute(db, "UPDATE items SET price = 2 WHERE id = 1", "ALTER TABLE items REPLICA IDENTITY FULL",
                "UPDATE items SET price = 3 WHERE id = 1");

        List<CapturedChange<PgOffset>> changes = PgTestSupport.poll(stream, 2);
        ChangeEvent keyOnly = changes.get(0).event();
        assertEquals(PgChangeDecoder.UNCHANGED_TOAST, keyOnly.after()[3],
                "REPLICA IDENTITY DEFAULT: the server does not send an unchanged TOASTed value; it is marked, never null");
        ChangeEvent full = changes.get(1).event();
        assertTrue(big.equals(full.after()[3]), "REPLICA IDENTITY FULL: the value comes from the whole old row");
        assertTrue(Arrays.equals(new Object[]{1, "apple", "2.00", big}, full.before()), "the whole old row");
        assertFalse(full.schema().columns().get(1).nullable(), "NOT NULL columns stay required with REPLICA IDENTITY FULL");
        assertTrue(keyOnly.schema().columns().get(1).nullable(), "without FULL, before-images lack non-key columns");
    }

    @Test
    void rowsKeepTheColumnsTheyWereWrittenWithAcrossAlterTable() throws Exception {
        stream = open(null);
        server.execute(db, "INSERT INTO items VALUES (1, 'a', 1)",
                "ALTER TABLE items ADD COLUMN qty INT DEFAULT 5", "INSERT INTO items VALUES (2, 'b', 2, 7)",
                "ALTER TABLE items DROP COLUMN price", "INSERT INTO items VALUES (3, 'c', 8)",
                "ALTER TABLE items RENAME COLUMN name TO title", "INSERT INTO items VALUES (4, 'd', 9)",
                "ALTER TABLE items ALTER COLUMN qty TYPE BIGINT", "INSERT INTO items VALUES (5, 'e', 10)");

        List<CapturedChange<PgOffset>> changes = PgTestSupport.poll(stream, 5);
        assertEquals(List.of("id", "name", "price"), names(changes.get(0).event()));
        assertEquals(List.of("id", "name", "price", "qty"), names(changes.get(1).event()));
        assertArrayEquals(new Object[]{2, "b", "2.00", 7}, changes.get(1).event().after());
        assertEquals(List.of("id", "name", "qty"), names(changes.get(2).event()));
        assertEquals(List.of("id", "title", "qty"), names(changes.get(3).event()));
        assertArrayEquals(new Object[]{5, "e", 10L}, changes.get(4).event().after(), "qty became BIGINT");
        assertEquals("bigint", changes.get(4).event().schema().columns().get(2).sourceType());
    }

    @Test
    void truncateIsAnOperationWithoutImages() throws Exception {
        stream = open(null);
        server.execute(db, "INSERT INTO items VALUES (1, 'a', 1)", "TRUNCATE items, other");
        List<CapturedChange<PgOffset>> changes = PgTestSupport.poll(stream, 2);
        ChangeEvent truncate = changes.get(1).event();
        assertEquals(Operation.TRUNCATE, truncate.op());
        assertEquals("t", truncate.op().code());
        assertNull(truncate.before());
        assertNull(truncate.after());
        assertTrue(changes.get(1).endsTransaction());
        PgTestSupport.assertNoMore(stream, 500);
    }

    @Test
    void aKeyChangeIsADeleteAndACreateAlsoWithReplicaIdentityFullAndResumesBetweenThem() throws Exception {
        server.execute(db, "ALTER TABLE items REPLICA IDENTITY FULL", "INSERT INTO items VALUES (1, 'a', 1), (2, 'b', 2)");
        stream = open(null);
        server.execute(db, "UPDATE items SET id = 3 WHERE id = 1", "UPDATE items SET name = 'B' WHERE id = 2");
        List<CapturedChange<PgOffset>> changes = PgTestSupport.poll(stream, 3);
        assertEquals(List.of(Operation.DELETE, Operation.CREATE, Operation.UPDATE), changes.stream().map(c -> c.event().op()).toList());
        assertEquals(List.of("id"), changes.get(0).event().schema().primaryKey(), "the primary key, also with REPLICA IDENTITY FULL");
        assertArrayEquals(new Object[]{1, "a", "1.00"}, changes.get(0).event().before(), "the whole old row");
        assertArrayEquals(new Object[]{3, "a", "1.00"}, changes.get(1).event().after());
        assertArrayEquals(new Object[]{2, "b", "2.00"}, changes.get(2).event().before(), "the key stayed: an update");
        assertFalse(changes.get(0).endsTransaction());
        stream.close();

        stream = open(changes.get(0).offsetAfter()); // the delete was committed, the create not
        List<CapturedChange<PgOffset>> resumed = PgTestSupport.poll(stream, 2);
        assertEquals(List.of(Operation.CREATE, Operation.UPDATE), resumed.stream().map(c -> c.event().op()).toList());
        assertEquals(changes.get(1).offsetAfter(), resumed.get(0).offsetAfter());
        PgTestSupport.assertNoMore(stream, 500);
    }

    @Test
    void theKeyIsThePrimaryKeyInItsOwnColumnOrderWithEveryReplicaIdentity() throws Exception {
        server.execute(db, "CREATE TABLE pairs_d (a INT, b TEXT, v INT, PRIMARY KEY (b, a))",
                "CREATE TABLE pairs_f (a INT, b TEXT, v INT, PRIMARY KEY (b, a))", "ALTER TABLE pairs_f REPLICA IDENTITY FULL");
        stream = new PgStreamingSource(PgTestSupport.config(server, db, "public\\.pairs_.*"), PgTestSupport.logger()).open(null);
        server.execute(db, "INSERT INTO pairs_d VALUES (1, 'x', 1)", "INSERT INTO pairs_f VALUES (1, 'x', 1)");
        for (CapturedChange<PgOffset> change : PgTestSupport.poll(stream, 2)) {
            assertEquals(List.of("b", "a"), change.event().schema().primaryKey(), change.event().schema().table());
        }
    }

    @Test
    void resumesAfterTheLastCommittedChangeEvenInsideATransaction() throws Exception {
        stream = open(null);
        server.execute(db, "BEGIN", "INSERT INTO items VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)", "COMMIT",
                "INSERT INTO items VALUES (4, 'd', 4)");
        List<CapturedChange<PgOffset>> first = PgTestSupport.poll(stream, 4);
        stream.close();

        stream = open(first.get(1).offsetAfter()); // two of the first transaction's three rows were committed
        List<CapturedChange<PgOffset>> resumed = PgTestSupport.poll(stream, 2);
        assertEquals(List.of(3, 4), resumed.stream().map(c -> (Integer) c.event().after()[0]).toList());
        assertEquals(first.get(2).offsetAfter(), resumed.get(0).offsetAfter());
        PgTestSupport.assertNoMore(stream, 500);
        stream.close();

        stream = open(first.get(3).offsetAfter());
        server.execute(db, "INSERT INTO items VALUES (5, 'e', 5)");
        assertEquals(5, PgTestSupport.poll(stream, 1).get(0).event().after()[0]);
    }

    @Test
    void theServerLearnsTheFlushedPositionOnlyFromCommittedOffsets() throws Exception {
        stream = open(null);
        server.execute(db, "INSERT INTO items VALUES (1, 'a', 1)", "INSERT INTO items VALUES (2, 'b', 2)");
        List<CapturedChange<PgOffset>> changes = PgTestSupport.poll(stream, 2);
        Thread.sleep(1_500); // three status intervals: an uncommitted change must not move the slot onto or past it
        // (the idle stream may still confirm WAL written before the changes, e.g. by its own start: harmless)
        long confirmedBefore = PgTestSupport.confirmedFlush(server, db);
        assertTrue(confirmedBefore < changes.get(0).offsetAfter().lsn(), "confirmed " + PgOffset.format(confirmedBefore)
                + " before the first change was committed, which ends at " + changes.get(0).offsetAfter());

        stream.committed(changes.get(0).offsetAfter());
        PgTestSupport.await("the slot to confirm the first change", java.time.Duration.ofSeconds(10),
                () -> confirmed() == changes.get(0).offsetAfter().lsn());
        stream.committed(changes.get(1).offsetAfter());
        PgTestSupport.await("the slot to confirm the second change", java.time.Duration.ofSeconds(10),
                () -> confirmed() >= changes.get(1).offsetAfter().lsn());
    }

    @Test
    void anIdleSlotDoesNotHoldTheWalOfBusyUncapturedTables() throws Exception {
        stream = open(null);
        server.execute(db, "INSERT INTO items VALUES (1, 'a', 1)");
        CapturedChange<PgOffset> only = PgTestSupport.poll(stream, 1).get(0);
        stream.committed(only.offsetAfter());
        long before = PgTestSupport.retainedWal(server, db);
        for (int i = 0; i < 40; i++) {
            server.execute(db, "INSERT INTO other SELECT g FROM generate_series(" + (i * 5_000 + 1) + ", " + ((i + 1) * 5_000) + ") g");
        }
        PgTestSupport.await("the confirmed position to follow the busy table's WAL", java.time.Duration.ofSeconds(20),
                () -> retained() < 1_000_000);
        PgTestSupport.assertNoMore(stream, 300);
        stream.close();

        // a restart resumes exactly: the next captured change, nothing of the other table, nothing repeated
        stream = open(only.offsetAfter());
        server.execute(db, "INSERT INTO items VALUES (2, 'b', 2)");
        assertEquals(2, PgTestSupport.poll(stream, 1).get(0).event().after()[0]);
        PgTestSupport.assertNoMore(stream, 500);
        assertTrue(before >= 0);
    }

    private long confirmed() {
        try {
            Long lsn = PgTestSupport.confirmedFlush(server, db);
            return lsn == null ? 0 : lsn;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long retained() {
        try {
            return PgTestSupport.retainedWal(server, db);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> names(ChangeEvent event) {
        return event.schema().columns().stream().map(c -> c.name()).toList();
    }
}
