package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.PostgresServer;
import dev.nificdc.testsupport.RandomRowWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.MockComponentLog;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CapturePostgresChange's incremental snapshots through NiFi's test framework and the real Avro writer against a private
 * PostgreSQL: a table that starts to match the patterns after a property change and a restart is added to the
 * publication the processor created (Verify says so beforehand) and backfilled while two {@link RandomRowWriter}s insert,
 * update, re-key and delete its rows, with a restart in the middle of the table (replayed by key, the records equal the
 * table); a request FlowFile on the optional input; chunks waiting for a writing transaction open since before the
 * stream started; requests that cannot be taken go to failure with the reason; Incremental Snapshot Max Chunk Size
 * reaches the engine.
 */
class CapturePostgresChangeIncrementalSnapshotIT {
    private static final int ROWS = 250;
    private static PostgresServer server;
    private String db;
    private TestRunner runner;

    @BeforeAll
    static void startServer() {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        db = server.createDatabase("incr");
        server.execute(db, "CREATE TABLE a (id INT PRIMARY KEY, v TEXT, n BIGINT NOT NULL)",
                "CREATE TABLE b (id INT PRIMARY KEY, v TEXT, n BIGINT NOT NULL)",
                "INSERT INTO a SELECT i, 'row ' || i, i FROM generate_series(1, " + ROWS + ") i",
                "INSERT INTO b SELECT i, 'row ' || i, i FROM generate_series(1, " + ROWS + ") i");
        runner = PostgresCaptureRunners.newRunner(server, db, "public\\.(a|b)");
        runner.setProperty(PostgresCaptureProperties.SNAPSHOT_MODE, PostgresSnapshotMode.NO_DATA.getValue());
        runner.setProperty(PostgresCaptureProperties.INCREMENTAL_CHUNK_SIZE, "100");
        runner.setProperty(PostgresCaptureProperties.MAX_EVENTS_PER_FLOWFILE, "40");
        runner.setIncomingConnection(true);
    }

    @AfterEach
    void tearDown() throws Exception {
        PostgresCaptureRunners.stopAndDropSlot(runner, server, db);
    }

    @Test
    void aTableThatStartsToMatchIsAddedToThePublicationAndBackfilledWhileWritesGoOn() throws Exception {
        runner.setProperty(PostgresCaptureProperties.TABLE_INCLUDE, "public\\.a");
        runner.setProperty(PostgresCaptureProperties.INCREMENTAL_CHUNK_SIZE, "50");
        runner.run(1, true, true); // no_data: creates the publication (for a) and the slot, stores the patterns
        assertEquals("public\\.a", state().get("filter.tables.include"));
        assertEquals(List.of("public.a"), published());

        try (RandomRowWriter writer = new RandomRowWriter(() -> server.connection(db), "b", "id", 2 * ROWS, i -> i)
                .pauseBetweenTransactions(5).start(2)) {
            awaitTransactions(writer, 50);
            runner.setProperty(PostgresCaptureProperties.TABLE_INCLUDE, "public\\.(a|b)");
            ConfigVerificationResult publication = ((CapturePostgresChange) runner.getProcessor())
                    .verify(runner.getProcessContext(), new MockComponentLog("verify", this), Map.of()).stream()
                    .filter(r -> r.getVerificationStepName().equals("publication")).findFirst().orElseThrow();
            assertEquals(ConfigVerificationResult.Outcome.SUCCESSFUL, publication.getOutcome());
            assertTrue(publication.getExplanation().contains("(public.b) are added to it when capture starts"), publication.getExplanation());

            runner.run(1, false, true); // the restart with the new patterns
            assertEquals("public.b", state().get("incremental.table.0"), "b started to match: queued at the first run");
            assertEquals(List.of("public.a", "public.b"), published(), "added to the publication the processor created");

            long writesBefore = writer.transactions();
            runUntil(() -> state().containsKey("incremental.key") || !state().containsKey("incremental.table.0"));
            assertTrue(state().containsKey("incremental.key"), "a chunk of b was committed, the rest is still to read: " + state());
            ((CapturePostgresChange) runner.getProcessor()).onStopped(); // a restart in the middle of b
            runner.run(1, false, true);
            runUntil(() -> !state().containsKey("incremental.table.0"));
            assertTrue(writer.transactions() > writesBefore, "the writers went on while b was read");
        }
        server.execute(db, "INSERT INTO a VALUES (-1, 'marker', 0)"); // committed after the writers' last change
        runUntil(() -> records().stream().anyMatch(r -> r.get("after") != null && id(r) == -1));

        List<GenericRecord> ofB = records().stream().filter(r -> table(r).equals("b")).toList();
        assertEquals(table("b"), replay(ofB), "the records of b, replayed by key, equal the table");
        assertTrue(ofB.stream().anyMatch(r -> r.get("op").toString().equals("r")), "b's existing rows were read");
        assertTrue(ofB.stream().anyMatch(r -> !r.get("op").toString().equals("r")), "and its changes streamed");
        assertFalse(records().stream().anyMatch(r -> table(r).equals("a") && r.get("op").toString().equals("r")),
                "a was captured before: it is not read again");
        assertEquals(1L, runner.getCounterValue("Incremental snapshot tables read"));
        assertTrue(runner.getCounterValue("Incremental snapshot chunks read") >= ROWS / 50, "chunks of at most 50 rows");
    }

    @Test
    void aRequestFlowFileQueuesTheTableAndItsRowsFollowWhileStreamingGoesOn() throws Exception {
        runner.run(1, false, true); // no_data: stores the slot's position
        assertTrue(state().containsKey("pg.lsn"), state().toString());
        runner.enqueue("# rows of a, please\npublic.a\n");
        runner.run(1, false, false);
        runner.assertTransferCount(CapturePostgresChange.REL_FAILURE, 0);
        assertEquals(0, runner.getQueueSize().getObjectCount(), "the request was taken");
        assertEquals("public.a", state().get("incremental.table.0"), "queued in the state committed with the request's removal");

        server.execute(db, "UPDATE a SET v = 'changed' WHERE id = 7", "DELETE FROM a WHERE id = 200");
        runUntil(() -> !state().containsKey("incremental.table.0"));
        server.execute(db, "INSERT INTO b VALUES (-1, 'marker', 0)");
        runUntil(() -> records().stream().anyMatch(r -> table(r).equals("b") && id(r) == -1));

        List<MockFlowFile> flowFiles = runner.getFlowFilesForRelationship(CapturePostgresChange.REL_SUCCESS).stream()
                .sorted(Comparator.comparingLong(f -> Long.parseLong(f.getAttribute("cdc.sequence.id")))).toList();
        List<GenericRecord> records = AvroFlowFiles.records(flowFiles);
        List<GenericRecord> reads = records.stream().filter(r -> r.get("op").toString().equals("r")).toList();
        assertTrue(reads.size() >= ROWS - 2 && reads.size() <= ROWS, "every row of a once, give or take the changed ones: " + reads.size());
        assertTrue(reads.stream().allMatch(r -> ((GenericRecord) r.get("source")).get("snapshot").toString().equals("incremental")));
        assertTrue(flowFiles.stream().allMatch(f -> Integer.parseInt(f.getAttribute("record.count")) <= 40),
                "FlowFiles hold at most Max Changes Per FlowFile records");
        assertEquals(3L, runner.getCounterValue("Incremental snapshot chunks read"), "250 rows in chunks of 100");
        assertEquals((long) reads.size(), runner.getCounterValue("Incremental snapshot rows read"));
        assertEquals(1L, runner.getCounterValue("Incremental snapshot tables read"));
        assertEquals(table("a"), replay(records.stream().filter(r -> table(r).equals("a")).toList()), "the rows of a, replayed by key");
    }

    /**
     * A writing transaction open since before the stream started keeps the views from proving that they contain what the
     * stream handed out: chunks wait while streaming goes on, and the snapshot proceeds once the transaction ends.
     */
    @Test
    void chunksWaitForAWritingTransactionOpenSinceBeforeTheStreamStarted() throws Exception {
        runner.run(1, false, true); // no_data: creates the slot and stores its position; the stream opens at the next run
        try (Connection open = server.connection(db); Statement s = open.createStatement()) {
            open.setAutoCommit(false);
            s.execute("UPDATE a SET v = 'in a long transaction' WHERE id = 5"); // holds a transaction id until it ends
            runner.enqueue("public.a");
            runner.run(1, false, false);
            assertEquals("public.a", state().get("incremental.table.0"));
            server.execute(db, "INSERT INTO b VALUES (-6, 'streamed meanwhile', 0)");
            runUntil(() -> records().stream().anyMatch(r -> table(r).equals("b") && id(r) == -6));
            runner.run(20, false, false);
            assertEquals(null, runner.getCounterValue("Incremental snapshot chunks read"), "no chunk while the transaction is open");
            assertEquals("public.a", state().get("incremental.table.0"), "still queued");
            open.commit();
        }
        runUntil(() -> !state().containsKey("incremental.table.0"));
        assertEquals(3L, runner.getCounterValue("Incremental snapshot chunks read"), "250 rows in chunks of 100 once it ended");
        server.execute(db, "INSERT INTO b VALUES (-1, 'marker', 0)");
        runUntil(() -> records().stream().anyMatch(r -> table(r).equals("b") && id(r) == -1));
        assertEquals(table("a"), replay(records().stream().filter(r -> table(r).equals("a")).toList()), "the rows of a, replayed by key");
    }

    @Test
    void requestsThatCannotBeTakenGoToFailureWithTheReason() throws Exception {
        runner.run(1, false, true);
        Map<String, String> before = state();
        runner.enqueue("nosuch\\.table");
        runner.enqueue("public.(a");
        runner.enqueue("public.a\n".repeat(SnapshotRequest.MAX_BYTES / 8));
        runner.run(3, false, false);
        List<MockFlowFile> failed = runner.getFlowFilesForRelationship(CapturePostgresChange.REL_FAILURE);
        assertEquals(3, failed.size());
        String noMatch = failed.get(0).getAttribute("cdc.snapshot.error");
        assertTrue(noMatch.startsWith("No captured table matches nosuch\\.table"), noMatch);
        assertTrue(noMatch.contains("public.a, public.b"), "names the captured tables: " + noMatch);
        assertTrue(failed.get(1).getAttribute("cdc.snapshot.error").startsWith("'public.(a' is not a valid regular expression"));
        assertTrue(failed.get(2).getAttribute("cdc.snapshot.error").contains("more than an incremental snapshot request can"));
        assertEquals(before, state(), "nothing queued");
    }

    @Test
    void aChunkEndsAtTheMaxChunkSize() throws Exception {
        server.execute(db, "CREATE TABLE wide (id INT PRIMARY KEY, v TEXT, n BIGINT NOT NULL)",
                "INSERT INTO wide SELECT i, repeat('x', 10000), i FROM generate_series(1, 12) i");
        runner.setProperty(PostgresCaptureProperties.TABLE_INCLUDE, "public\\.(a|b|wide)");
        runner.setProperty(PostgresCaptureProperties.INCREMENTAL_CHUNK_SIZE, "1000");
        runner.setProperty(PostgresCaptureProperties.INCREMENTAL_CHUNK_BYTES, "64 KB");
        runner.run(1, false, true);
        runner.enqueue("public.wide");
        runner.run(1, false, false);
        runUntil(() -> !state().containsKey("incremental.table.0"));
        // a row of 10,000 characters takes about 20 KB as held: the fourth row of a chunk reaches 64 KB and ends it
        assertEquals(3L, runner.getCounterValue("Incremental snapshot chunks read"), "12 wide rows in chunks of 4, not one of 1,000");
        assertEquals(12L, runner.getCounterValue("Incremental snapshot rows read"));
    }

    private void runUntil(BooleanSupplier done) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out; state " + state());
            runner.run(1, false, false);
        }
    }

    private Map<String, String> state() {
        try {
            return runner.getStateManager().getState(Scope.CLUSTER).toMap();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<GenericRecord> records() {
        return AvroFlowFiles.records(runner.getFlowFilesForRelationship(CapturePostgresChange.REL_SUCCESS).stream()
                .sorted(Comparator.comparingLong(f -> Long.parseLong(f.getAttribute("cdc.sequence.id")))).toList());
    }

    private List<String> published() throws Exception {
        List<String> tables = new ArrayList<>();
        try (Connection c = server.connection(db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT schemaname || '.' || tablename FROM pg_publication_tables"
                     + " WHERE pubname = 'nifi_cdc' ORDER BY 1")) {
            while (r.next()) {
                tables.add(r.getString(1));
            }
        }
        return tables;
    }

    private static String table(GenericRecord record) {
        return ((GenericRecord) record.get("source")).get("table").toString();
    }

    private static void awaitTransactions(RandomRowWriter writer, long count) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (writer.transactions() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(writer.transactions() >= count, "the writers committed " + writer.transactions() + " transactions");
    }

    private static int id(GenericRecord record) {
        GenericRecord image = (GenericRecord) (record.get("after") != null ? record.get("after") : record.get("before"));
        return ((Number) image.get("id")).intValue();
    }

    /** Records of one table replayed by key, the last one winning: the table's rows as id -> "v|n". */
    private static Map<Integer, String> replay(List<GenericRecord> records) {
        Map<Integer, String> rows = new TreeMap<>();
        for (GenericRecord record : records) {
            GenericRecord after = (GenericRecord) record.get("after");
            if (after == null) {
                rows.remove(id(record));
            } else {
                rows.put(id(record), after.get("v") + "|" + after.get("n"));
            }
        }
        return rows;
    }

    private Map<Integer, String> table(String name) throws Exception {
        Map<Integer, String> rows = new TreeMap<>();
        try (Connection c = server.connection(db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT id, v, n FROM " + name)) {
            while (r.next()) {
                rows.put(r.getInt(1), r.getString(2) + "|" + r.getLong(3));
            }
        }
        return rows;
    }
}
