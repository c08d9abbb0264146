package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.MariaDbServer;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CaptureBinlogChange's incremental snapshots through NiFi's test framework and the real Avro writer against a private
 * MariaDB: a request FlowFile on the optional input, a request that cannot be taken, and a table that starts to match
 * the patterns after a restart. Convergence under concurrent writes is proven by the engine's IncrementalSnapshotIT and,
 * in a real NiFi with a kill, by the end-to-end BinlogIncrementalSnapshotIT.
 */
class CaptureBinlogChangeIncrementalSnapshotIT {
    private static MariaDbServer server;
    private String db;
    private TestRunner runner;

    @BeforeAll
    static void startServer() {
        server = MariaDbServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        db = server.createDatabase("incr");
        server.execute("CREATE TABLE `" + db + "`.a (id INT PRIMARY KEY, v VARCHAR(20))",
                "CREATE TABLE `" + db + "`.b (id BIGINT PRIMARY KEY, v VARCHAR(20))");
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= 250; i++) {
            rows.append(i > 1 ? ", " : "").append("(").append(i).append(", 'row ").append(i).append("')");
        }
        server.execute("INSERT INTO `" + db + "`.a VALUES " + rows, "INSERT INTO `" + db + "`.b VALUES " + rows);
        runner = BinlogCaptureRunners.newRunner(server, db);
        runner.setProperty(BinlogCaptureProperties.SNAPSHOT_MODE, SnapshotMode.NO_DATA.getValue());
        runner.setProperty(BinlogCaptureProperties.INCREMENTAL_CHUNK_SIZE, "100");
        runner.setProperty(BinlogCaptureProperties.MAX_EVENTS_PER_FLOWFILE, "40");
        runner.setIncomingConnection(true);
    }

    @Test
    void aRequestFlowFileQueuesTheTableAndItsRowsFollowWhileStreamingGoesOn() throws Exception {
        runner.run(1, false, true); // no_data: stores the current end of the binlog
        assertTrue(state().containsKey("binlog.file"));
        runner.enqueue("# rows of a, please\n" + db + ".a\n");
        runner.run(1, false, false);
        runner.assertTransferCount(CaptureBinlogChange.REL_FAILURE, 0);
        assertEquals(0, runner.getQueueSize().getObjectCount(), "the request was taken");
        assertEquals(db + ".a", state().get("incremental.table.0"), "queued in the state committed with the request's removal");

        server.execute("UPDATE `" + db + "`.a SET v = 'changed' WHERE id = 7", "DELETE FROM `" + db + "`.a WHERE id = 200");
        runUntil(() -> !state().containsKey("incremental.table.0"));
        runner.run(3, true, false);

        List<MockFlowFile> flowFiles = runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS).stream()
                .sorted(Comparator.comparingLong(f -> Long.parseLong(f.getAttribute("cdc.sequence.id")))).toList();
        List<GenericRecord> records = AvroFlowFiles.records(flowFiles);
        List<GenericRecord> reads = records.stream().filter(r -> r.get("op").toString().equals("r")).toList();
        assertTrue(reads.size() >= 248 && reads.size() <= 250, "every row of a once, give or take the changed ones: " + reads.size());
        assertTrue(reads.stream().allMatch(r -> ((GenericRecord) r.get("source")).get("snapshot").toString().equals("incremental")));
        assertTrue(flowFiles.stream().allMatch(f -> Integer.parseInt(f.getAttribute("record.count")) <= 40),
                "FlowFiles hold at most Max Changes Per FlowFile records");
        assertEquals(3L, runner.getCounterValue("Incremental snapshot chunks read"), "250 rows in chunks of 100");
        assertEquals((long) reads.size(), runner.getCounterValue("Incremental snapshot rows read"));
        assertEquals(1L, runner.getCounterValue("Incremental snapshot tables read"));
        assertEquals(table("a"), replay(records), "the rows of a, replayed by key");
    }

    @Test
    void aRequestThatCannotBeTakenGoesToFailureWithTheReason() throws Exception {
        runner.run(1, false, true);
        Map<String, String> before = state();
        runner.enqueue("nosuch\\.table");
        runner.enqueue("shop.(orders");
        runner.enqueue((db + ".a\n").repeat(SnapshotRequest.MAX_BYTES / 4));
        runner.run(3, true, false);
        List<MockFlowFile> failed = runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_FAILURE);
        assertEquals(3, failed.size());
        assertTrue(failed.get(0).getAttribute("cdc.snapshot.error").startsWith("No captured table matches nosuch\\.table"),
                failed.get(0).getAttribute("cdc.snapshot.error"));
        assertTrue(failed.get(0).getAttribute("cdc.snapshot.error").contains(db + ".a, " + db + ".b"), "names the captured tables");
        assertTrue(failed.get(1).getAttribute("cdc.snapshot.error").startsWith("'shop.(orders' is not a valid regular expression"));
        assertTrue(failed.get(2).getAttribute("cdc.snapshot.error").contains("more than an incremental snapshot request can"),
                failed.get(2).getAttribute("cdc.snapshot.error"));
        assertEquals(before, state(), "nothing queued");
    }

    @Test
    void aTableThatStartsToMatchThePatternsIsReadAfterTheRestart() throws Exception {
        runner.setProperty(BinlogCaptureProperties.TABLE_INCLUDE, db + "\\.a");
        runner.run(1, true, true);
        assertEquals(db + "\\.a", state().get("filter.tables.include"));

        runner.setProperty(BinlogCaptureProperties.TABLE_INCLUDE, db + "\\.(a|b)");
        runner.run(1, false, true);
        assertEquals(db + ".b", state().get("incremental.table.0"), "b started to match: queued at the first run");
        runUntil(() -> !state().containsKey("incremental.table.0"));
        runner.run(1, true, false);
        List<GenericRecord> records = AvroFlowFiles.records(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS));
        assertEquals(250, records.size());
        assertEquals(table("b"), replay(records));
        assertFalse(records.stream().anyMatch(r -> ((GenericRecord) r.get("source")).get("table").toString().equals("a")),
                "a was captured before: it is not read again");
    }

    private void runUntil(java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out; state " + state());
            runner.run(1, false, false);
        }
    }

    private Map<String, String> state() {
        try {
            return runner.getStateManager().getState(Scope.CLUSTER).toMap();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Records replayed by key, the last one winning: the table's rows as "id=v". */
    private static Map<Long, String> replay(List<GenericRecord> records) {
        Map<Long, String> rows = new TreeMap<>();
        for (GenericRecord record : records) {
            GenericRecord after = (GenericRecord) record.get("after");
            GenericRecord image = after != null ? after : (GenericRecord) record.get("before");
            long id = ((Number) image.get("id")).longValue();
            if (after == null) {
                rows.remove(id);
            } else {
                rows.put(id, String.valueOf(after.get("v")));
            }
        }
        return rows;
    }

    private Map<Long, String> table(String name) throws Exception {
        Map<Long, String> rows = new TreeMap<>();
        try (Connection c = server.adminConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT id, v FROM `" + db + "`." + name)) {
            while (r.next()) {
                rows.put(r.getLong(1), r.getString(2));
            }
        }
        return rows;
    }
}
