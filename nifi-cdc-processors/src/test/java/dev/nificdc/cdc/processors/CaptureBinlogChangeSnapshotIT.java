package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.MariaDbServer;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.util.MockComponentLog;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CaptureBinlogChange's initial snapshot through NiFi's test framework and the real Avro writer against a private
 * MariaDB: the captured snapshot plus stream, applied in order to an empty copy, reproduces every source table exactly,
 * also with writes during the snapshot, a failure and a stop in the middle of it, and a purged binlog.
 */
class CaptureBinlogChangeSnapshotIT {
    private static final List<String> TABLES = List.of("a", "b", "nopk");
    private static MariaDbServer server;
    private String db;
    private TestRunner runner;
    private FailingRecordWriter writer;
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicInteger writes = new AtomicInteger();
    private Thread writerThread;

    @BeforeAll
    static void startServer() {
        server = MariaDbServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void setUp() {
        db = server.createDatabase("snap");
        server.execute("CREATE TABLE `" + db + "`.a (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(20))",
                "CREATE TABLE `" + db + "`.b (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(20))",
                "CREATE TABLE `" + db + "`.nopk (id INT NOT NULL, v INT NOT NULL, s VARCHAR(20))",
                "CREATE TABLE `" + db + "`.marker (id INT PRIMARY KEY)");
        runner = TestRunners.newTestRunner(CaptureBinlogChange.class);
        AvroRecordSetWriter avro = new AvroRecordSetWriter();
        try {
            runner.addControllerService("avro", avro);
            runner.setProperty(avro, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, "inherit-record-schema");
            runner.enableControllerService(avro);
            writer = new FailingRecordWriter(avro);
            runner.addControllerService("writer", writer);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        runner.enableControllerService(writer);
        runner.setProperty(BinlogCaptureProperties.HOSTS, server.host() + ":" + server.port());
        runner.setProperty(BinlogCaptureProperties.USERNAME, MariaDbServer.CDC_USER);
        runner.setProperty(BinlogCaptureProperties.PASSWORD, MariaDbServer.CDC_PASSWORD);
        runner.setProperty(BinlogCaptureProperties.SERVER_ID, "5601");
        runner.setProperty(BinlogCaptureProperties.DATABASE_INCLUDE, db);
        runner.setProperty(OutputProperties.RECORD_WRITER, "writer");
        runner.setProperty(OutputProperties.TOPIC_PREFIX, "it");
        runner.setProperty(BinlogCaptureProperties.MAX_WAIT, "300 ms");
        runner.setProperty(BinlogCaptureProperties.MAX_EVENTS_PER_FLOWFILE, "250");
    }

    @AfterEach
    void stopWriter() throws InterruptedException {
        writing.set(false);
        if (writerThread != null) {
            writerThread.join();
        }
    }

    @Test
    void snapshotThenStreamingReproducesTheTablesUnderConcurrentWrites() throws Exception {
        fill(1500);
        startWriter();
        int runs = runUntilSnapshotComplete();
        assertTrue(runs > 12, "a and b are read one page of 250 rows per run, marker and nopk in one run each: " + runs);
        Thread.sleep(300);
        List<GenericRecord> records = finishAndDrain();

        Map<String, Map<Integer, List<Object>>> copy = applyAll(records);
        assertCopyMatches(copy);
        List<GenericRecord> reads = records.stream().filter(r -> r.get("op").toString().equals("r")).toList();
        assertTrue(reads.size() >= 3000, "snapshot rows: " + reads.size());
        assertEquals("last", source(reads.get(reads.size() - 1)).get("snapshot").toString(), "the very last snapshot row");
        assertEquals(1, reads.stream().filter(r -> source(r).get("snapshot").toString().equals("last")).count());
        assertTrue(records.stream().anyMatch(r -> !r.get("op").toString().equals("r")), "changes were streamed after the snapshot");
        assertEquals(4L, runner.getCounterValue("Snapshot tables read"));
        assertEquals((long) reads.size(), runner.getCounterValue("Snapshot rows read"));
        assertTrue(writes.get() > 20, "the writer wrote during the test: " + writes.get());
    }

    @Test
    void aFailureAndAStopInTheMiddleOfTheSnapshotLoseAndRepeatNothing() throws Exception {
        fill(1500);
        startWriter();
        writer.failAfter(1500 + 300); // table a completes; b fails in its second page
        boolean failed = false;
        for (int run = 0; run < 20 && !failed; run++) {
            try {
                runner.run(1, false, run == 0);
            } catch (Throwable expected) {
                failed = true;
            }
        }
        assertTrue(failed, "the writer failed in the middle of the snapshot");
        Map<String, String> state = runner.getStateManager().getState(Scope.CLUSTER).toMap();
        assertEquals("running", state.get("snapshot.status"));
        assertEquals("0", state.get("snapshot.table." + db + ".a"), "table a was committed in the first read view");
        assertEquals(db + ".b", state.get("snapshot.current"), "table b is in progress");
        assertEquals("250", state.get("snapshot.current.rows"), "the first page of b was committed, the failed one was not");
        assertNull(state.get("binlog.file"), "streaming has not started");
        assertEquals(Long.parseLong(state.get("snapshot.rows")), countRecords(), "exactly the committed rows were delivered");

        writer.failAfter(-1);
        runner.run(1, true, false); // reads the next page of b in a new read view, then the processor stops and the view is gone
        Thread.sleep(200);
        runUntilSnapshotComplete();
        state = runner.getStateManager().getState(Scope.CLUSTER).toMap();
        assertEquals("3", state.get("snapshot.views"), "three read views: before the failure, before the stop, after it");
        String splits = state.get("snapshot.split." + db + ".b");
        assertNotNull(splits, "b's key ranges remember their read views: " + state);
        // View 0 covers b's first committed page of 250 rows: up to key 250, or further when the writer deleted keys in it.
        java.util.regex.Matcher split = java.util.regex.Pattern.compile("0@(\\d+);1@\\d+.*").matcher(splits);
        assertTrue(split.matches(), splits);
        assertTrue(Integer.parseInt(split.group(1)) >= 250, splits);

        Thread.sleep(300);
        Map<String, Map<Integer, List<Object>>> copy = applyAll(finishAndDrain());
        assertCopyMatches(copy);
        assertFalse(runner.getStateManager().getState(Scope.CLUSTER).toMap().containsKey("snapshot.status"),
                "the snapshot bookkeeping is dropped once streaming has passed the last read view");
    }

    @Test
    void aTableWithoutPrimaryKeyInterruptedMidwayIsReadAgainInANewViewWithoutDuplicates() throws Exception {
        fill(300);
        writer.failAfter(300 + 300 + 50); // a and b (two pages each) and the empty marker table complete; nopk fails
        boolean failed = false;
        for (int run = 0; run < 10 && !failed; run++) {
            try {
                runner.run(1, false, run == 0);
            } catch (Throwable expected) {
                failed = true;
            }
        }
        assertTrue(failed, "the writer failed while nopk was read");
        Map<String, String> state = runner.getStateManager().getState(Scope.CLUSTER).toMap();
        assertEquals("0", state.get("snapshot.table." + db + ".marker"));
        assertNull(state.get("snapshot.table." + db + ".nopk"), "no row of nopk was committed");
        assertEquals(600, countRecords());

        // changes while the snapshot is interrupted: to a table already read and to the one that is not
        server.execute("UPDATE `" + db + "`.nopk SET v = -5 WHERE id = 5", "DELETE FROM `" + db + "`.nopk WHERE id = 6",
                "INSERT INTO `" + db + "`.nopk VALUES (1000, 1000, 'late')", "UPDATE `" + db + "`.a SET s = 'changed' WHERE id = 7",
                "DELETE FROM `" + db + "`.b WHERE id = 8");
        writer.failAfter(-1);
        runUntilSnapshotComplete();
        assertEquals("2", runner.getStateManager().getState(Scope.CLUSTER).get("snapshot.views"));
        List<GenericRecord> records = finishAndDrain();
        assertCopyMatches(applyAll(records));
        assertEquals(300, records.stream().filter(r -> source(r).get("table").toString().equals("nopk")).count(),
                "nopk: its 300 rows as of the second view, none of its earlier changes again");
    }

    @Test
    void whenNeededTakesANewSnapshotAfterTheStoredPositionWasPurged() throws Exception {
        runner.setProperty(BinlogCaptureProperties.SNAPSHOT_MODE, SnapshotMode.WHEN_NEEDED.getValue());
        fill(5);
        runUntilSnapshotComplete();
        server.execute("INSERT INTO `" + db + "`.a VALUES (100, 100, 'streamed')");
        List<GenericRecord> first = drainUntilTable("a", 6);
        assertEquals("c", first.get(first.size() - 1).get("op").toString());
        long nextSequence = runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS).size();
        runner.run(1, true, false);
        assertNotNull(runner.getStateManager().getState(Scope.CLUSTER).get("binlog.file"));

        server.execute("INSERT INTO `" + db + "`.a VALUES (101, 101, 'while stopped')");
        purgeBinlogs();
        runner.clearTransferState();
        runUntilSnapshotComplete();
        List<GenericRecord> again = AvroFlowFiles.records(sortedFlowFiles());
        assertTrue(again.stream().allMatch(r -> r.get("op").toString().equals("r")), "a new snapshot");
        Map<String, Map<Integer, List<Object>>> copy = applyAll(again);
        assertCopyMatches(copy);
        assertEquals(nextSequence, Long.parseLong(sortedFlowFiles().get(0).getAttribute(CaptureBinlogChange.ATTR_SEQUENCE_ID)),
                "sequence ids continue across the new snapshot");

        server.execute("DELETE FROM `" + db + "`.a WHERE id = 101");
        runner.clearTransferState();
        List<GenericRecord> streamed = drainUntilTable("a", 1);
        assertEquals("d", streamed.get(0).get("op").toString());
    }

    @Test
    void neverFailsOnAPurgedPositionAndSaysHowToRecover() throws Exception {
        runner.setProperty(BinlogCaptureProperties.SNAPSHOT_MODE, SnapshotMode.NEVER.getValue());
        runner.setProperty(BinlogCaptureProperties.INITIAL_POSITION, InitialBinlogPosition.LATEST.getValue());
        runner.run(1, false, true);
        server.execute("INSERT INTO `" + db + "`.a VALUES (1, 1, 'x')");
        drainUntilTable("a", 1);
        runner.run(1, true, false);
        purgeBinlogs();
        Throwable error = assertThrows(Throwable.class, () -> runner.run(1, false, true));
        StringBuilder messages = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertTrue(messages.toString().contains("no longer available") && messages.toString().contains("Clear the processor state"),
                messages.toString());
    }

    @Test
    void noDataStreamsFromTheCurrentPositionWithoutReadingRows() throws Exception {
        runner.setProperty(BinlogCaptureProperties.SNAPSHOT_MODE, SnapshotMode.NO_DATA.getValue());
        fill(10);
        runner.run(1, false, true);
        runner.assertTransferCount(CaptureBinlogChange.REL_SUCCESS, 0);
        assertNotNull(runner.getStateManager().getState(Scope.CLUSTER).get("binlog.file"), "the current position is stored at once");
        server.execute("UPDATE `" + db + "`.b SET v = -1 WHERE id = 3");
        List<GenericRecord> records = drainUntilTable("b", 1);
        assertEquals(List.of("u"), records.stream().map(r -> r.get("op").toString()).toList());
    }

    @Test
    void verifyNamesTheTablesTheSnapshotWouldRead() {
        CaptureBinlogChange processor = (CaptureBinlogChange) runner.getProcessor();
        List<ConfigVerificationResult> results = processor.verify(runner.getProcessContext(), new MockComponentLog("v", processor), Map.of());
        ConfigVerificationResult snapshot = results.stream().filter(r -> r.getVerificationStepName().equals("Snapshot"))
                .findFirst().orElseThrow(() -> new AssertionError("no snapshot step: " + results));
        assertEquals(ConfigVerificationResult.Outcome.SUCCESSFUL, snapshot.getOutcome(), snapshot.getExplanation());
        assertTrue(snapshot.getExplanation().contains("4 tables") && snapshot.getExplanation().contains(db + ".nopk")
                && snapshot.getExplanation().contains("1 of them without an integer primary key"), snapshot.getExplanation());

        runner.setProperty(BinlogCaptureProperties.SNAPSHOT_MODE, SnapshotMode.NO_DATA.getValue());
        assertTrue(processor.verify(runner.getProcessContext(), new MockComponentLog("v", processor), Map.of()).stream()
                .noneMatch(r -> r.getVerificationStepName().equals("Snapshot")), "no snapshot, no snapshot check");
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private void fill(int rows) {
        for (String table : TABLES) {
            server.execute("INSERT INTO `" + db + "`.`" + table + "` SELECT seq, seq, concat('" + table + " ', seq) FROM `"
                    + db + "`.seq_1_to_" + rows);
        }
    }

    private void startWriter() {
        writing.set(true);
        writerThread = new Thread(() -> {
            AtomicInteger nextNoPk = new AtomicInteger(100_000);
            try (Connection c = server.adminConnection(); Statement s = c.createStatement()) {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (writing.get()) {
                    String table = "`" + db + "`.`" + TABLES.get(random.nextInt(TABLES.size())) + "`";
                    boolean keyed = !table.endsWith("`nopk`");
                    int id = random.nextInt(1, 2000);
                    switch (random.nextInt(4)) {
                        case 0 -> s.execute(keyed
                                ? "INSERT INTO " + table + " VALUES (" + id + ", 0, 'new') ON DUPLICATE KEY UPDATE v = v + 1"
                                : "INSERT INTO " + table + " VALUES (" + nextNoPk.incrementAndGet() + ", 0, 'new')");
                        case 1 -> s.execute("UPDATE " + table + " SET v = v + 1, s = 'updated' WHERE id = " + id);
                        case 2 -> s.execute("DELETE FROM " + table + " WHERE id = " + id);
                        default -> {
                            s.execute("BEGIN");
                            s.execute("UPDATE " + table + " SET v = v - 1 WHERE id BETWEEN " + id + " AND " + (id + 3));
                            s.execute("DELETE FROM " + table + " WHERE id = " + (id + 5));
                            s.execute("COMMIT");
                        }
                    }
                    writes.incrementAndGet();
                    Thread.sleep(1);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writerThread.start();
    }

    /** Triggers until the snapshot is complete and streaming has a position; returns the number of runs. */
    private int runUntilSnapshotComplete() throws Exception {
        for (int run = 1; run <= 200; run++) {
            runner.run(1, false, run == 1);
            Map<String, String> state = runner.getStateManager().getState(Scope.CLUSTER).toMap();
            if (state.containsKey("binlog.file") && !"running".equals(state.get("snapshot.status"))) {
                return run;
            }
        }
        throw new AssertionError("The snapshot did not complete in 200 runs");
    }

    /** Stops the writer, writes a marker row and triggers until the marker arrived; returns all records in order. */
    private List<GenericRecord> finishAndDrain() throws Exception {
        writing.set(false);
        if (writerThread != null) {
            writerThread.join();
        }
        server.execute("INSERT INTO `" + db + "`.marker VALUES (1)");
        for (int attempt = 0; attempt < 200; attempt++) {
            runner.run(1, false, false);
            if (runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS).stream()
                    .anyMatch(f -> "marker".equals(f.getAttribute("cdc.table")))) {
                return AvroFlowFiles.records(sortedFlowFiles());
            }
        }
        throw new AssertionError("The marker row was not captured");
    }

    private List<GenericRecord> drainUntilTable(String table, int expected) {
        for (int attempt = 0; attempt < 40; attempt++) {
            runner.run(1, false, false);
            List<GenericRecord> records = AvroFlowFiles.records(sortedFlowFiles()).stream()
                    .filter(r -> source(r).get("table").toString().equals(table)).toList();
            if (records.size() >= expected) {
                return records;
            }
        }
        throw new AssertionError("Fewer than " + expected + " records of " + table + " arrived");
    }

    private long countRecords() {
        return AvroFlowFiles.records(sortedFlowFiles()).size();
    }

    private List<MockFlowFile> sortedFlowFiles() {
        List<MockFlowFile> flowFiles = new ArrayList<>(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS));
        flowFiles.sort((x, y) -> Long.compare(Long.parseLong(x.getAttribute(CaptureBinlogChange.ATTR_SEQUENCE_ID)),
                Long.parseLong(y.getAttribute(CaptureBinlogChange.ATTR_SEQUENCE_ID))));
        return flowFiles;
    }

    /**
     * Applies the records in order to empty copies keyed by id, failing on anything a gap or a duplicate would cause:
     * a read or create of an id already present, an update or delete of a missing id, an update whose before image
     * differs from the copy.
     */
    private static Map<String, Map<Integer, List<Object>>> applyAll(List<GenericRecord> records) {
        Map<String, Map<Integer, List<Object>>> copies = new HashMap<>();
        for (GenericRecord r : records) {
            String table = source(r).get("table").toString();
            if (table.equals("marker")) {
                continue;
            }
            Map<Integer, List<Object>> copy = copies.computeIfAbsent(table, t -> new TreeMap<>());
            List<Object> before = row(r.get("before"));
            List<Object> after = row(r.get("after"));
            switch (r.get("op").toString()) {
                case "r", "c" -> assertNull(copy.put((Integer) after.get(0), after), "duplicate " + r.get("op") + " of " + table + " " + after);
                case "u" -> assertEquals(before, copy.put((Integer) after.get(0), after), "update of " + table + " " + after + " applies to the row the copy has");
                case "d" -> assertEquals(before, copy.remove((Integer) before.get(0)), "delete of " + table + " " + before + " removes the row the copy has");
                default -> throw new AssertionError("unexpected op " + r.get("op"));
            }
        }
        return copies;
    }

    private void assertCopyMatches(Map<String, Map<Integer, List<Object>>> copies) throws Exception {
        for (String table : TABLES) {
            List<List<Object>> expected = new ArrayList<>();
            try (Connection c = server.adminConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id, v, s FROM `" + db + "`.`" + table + "` ORDER BY id")) {
                while (rs.next()) {
                    expected.add(Arrays.asList(rs.getInt(1), rs.getInt(2), rs.getString(3)));
                }
            }
            List<List<Object>> actual = new ArrayList<>(copies.getOrDefault(table, Map.of()).values());
            for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
                assertEquals(expected.get(i), actual.get(i), "row " + i + " of the copy of " + table);
            }
            assertEquals(expected.size(), actual.size(), "rows in the copy of " + table);
        }
    }

    private static List<Object> row(Object image) {
        if (image == null) {
            return null;
        }
        GenericRecord row = (GenericRecord) image;
        return Arrays.asList(row.get("id"), row.get("v"), row.get("s") == null ? null : row.get("s").toString());
    }

    private static GenericRecord source(GenericRecord record) {
        return (GenericRecord) record.get("source");
    }

    /** Rotates the binlog and purges every older file, waiting until no replica connection holds one open. */
    private static void purgeBinlogs() throws Exception {
        try (Connection c = server.adminConnection(); Statement s = c.createStatement()) {
            s.execute("FLUSH BINARY LOGS");
            String current;
            try (ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
                rs.next();
                current = rs.getString(1);
            }
            for (int attempt = 0; attempt < 100; attempt++) {
                s.execute("PURGE BINARY LOGS TO '" + current + "'");
                int files = 0;
                try (ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
                    while (rs.next()) {
                        files++;
                    }
                }
                if (files == 1) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("Older binlog files could not be purged (still in use by a replica connection?)");
        }
    }
}
