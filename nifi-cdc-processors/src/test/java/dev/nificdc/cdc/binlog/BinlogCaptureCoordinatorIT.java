package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.binlog.snapshot.ConsistencyMethod;
import dev.nificdc.cdc.binlog.snapshot.MySqlSnapshotSource;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.CaptureRun;
import dev.nificdc.cdc.core.engine.SnapshotPolicy;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MySQL capture engine without NiFi: the coordinator over the MariaDB snapshot and binlog sources, with the state
 * kept in a map as a processor would keep it.
 */
class BinlogCaptureCoordinatorIT {
    private static MariaDbServer server;

    /** What the coordinator handed to the writer: the changes of each unit and its sequence id. */
    private record Unit(List<ChangeEvent> changes, long sequenceId) {
    }

    @BeforeAll
    static void setUp() {
        server = MariaDbServer.start();
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void snapshotsPageByPageThenStreamsFromTheSnapshotsPosition() throws Exception {
        String db = server.createDatabase("coord");
        server.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY, v VARCHAR(10))",
                "INSERT INTO " + db + ".t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        List<Unit> units = new ArrayList<>();
        Map<String, String> state = new HashMap<>();
        try (CaptureCoordinator<BinlogOffset> coordinator = coordinator(db, SnapshotPolicy.INITIAL)) {
            CaptureRun first = coordinator.run(state, (changes, seq) -> units.add(new Unit(List.copyOf(changes), seq)));
            assertEquals(CaptureRun.Kind.SNAPSHOT, first.kind());
            assertEquals(Map.of("Snapshot rows read", 2L), first.counters(), "a page of Max Changes Per Unit rows");
            assertEquals("running", first.state().get("snapshot.status"));
            state = first.state();

            CaptureRun second = coordinator.run(state, (changes, seq) -> units.add(new Unit(List.copyOf(changes), seq)));
            assertEquals(Map.of("Snapshot rows read", 1L, "Snapshot tables read", 1L), second.counters());
            state = second.state();
            assertNull(state.get("snapshot.status"), "one read view: nothing left to filter once complete");
            assertTrue(state.containsKey(BinlogOffset.KEY_FILE), state.toString());

            server.execute("INSERT INTO " + db + ".t VALUES (4, 'd')", "UPDATE " + db + ".t SET v = 'x' WHERE id = 1");
            List<ChangeEvent> streamed = new ArrayList<>();
            while (streamed.size() < 2) {
                CaptureRun run = coordinator.run(state, (changes, seq) -> {
                    units.add(new Unit(List.copyOf(changes), seq));
                    streamed.addAll(changes);
                });
                assertEquals(CaptureRun.Kind.STREAMING, run.kind());
                if (run.state() != null) {
                    state = run.state();
                }
            }
            assertEquals(List.of(Operation.CREATE, Operation.UPDATE), streamed.stream().map(ChangeEvent::op).toList());
        }
        assertEquals(List.of(Operation.READ, Operation.READ, Operation.READ),
                units.stream().limit(2).flatMap(u -> u.changes().stream()).map(ChangeEvent::op).toList());
        assertEquals(LongStream.range(0, units.size()).boxed().toList(), units.stream().map(Unit::sequenceId).toList(),
                "sequence ids count the units across snapshot and stream");
        assertEquals(String.valueOf(units.size()), state.get(CaptureCoordinator.STATE_SEQUENCE_ID));
    }

    @Test
    void outputThatWasNotCommittedIsReadAgainFromTheStoredState() throws Exception {
        String db = server.createDatabase("coord_discard");
        server.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY)");
        try (CaptureCoordinator<BinlogOffset> coordinator = coordinator(db, SnapshotPolicy.NO_DATA)) {
            CaptureRun start = coordinator.run(new HashMap<>(), (changes, seq) -> {
                throw new AssertionError("no_data writes nothing");
            });
            assertEquals(CaptureRun.Kind.START_POSITION, start.kind());
            Map<String, String> stored = start.state();
            server.execute("INSERT INTO " + db + ".t VALUES (1), (2)");

            List<ChangeEvent> lost = streamAll(coordinator, stored, 2);
            coordinator.discardUncommitted(); // as after a failed session commit: the state above was never stored
            List<ChangeEvent> again = streamAll(coordinator, stored, 2);
            assertEquals(ids(lost), ids(again));
            assertEquals(List.of(1, 2), ids(again));
            assertFalse(again.isEmpty());
        }
    }

    /**
     * A crash between NiFi's FlowFile write and its state write: the output of a streaming run is delivered, its state
     * is not. The run after the restart finds the intent stored before the commit and hands out the same changes in the
     * same units with the same sequence ids, although more changes have arrived since (a run cut by time would take them).
     */
    @Test
    void aStreamingRunWhoseCommitWasInterruptedIsHandedOutAgainIdentically() throws Exception {
        String db = server.createDatabase("coord_repeat");
        server.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY, v VARCHAR(10))", "CREATE TABLE " + db + ".u (id INT PRIMARY KEY)");
        Map<String, String> stored;
        try (CaptureCoordinator<BinlogOffset> coordinator = coordinator(db, SnapshotPolicy.NO_DATA)) {
            stored = coordinator.run(new HashMap<>(), (changes, seq) -> {
                throw new AssertionError("no_data writes nothing");
            }).state();
        }
        for (int i = 1; i <= 5; i++) {
            server.execute("INSERT INTO " + db + ".t VALUES (" + i + ", 'v" + i + "')", "INSERT INTO " + db + ".u VALUES (" + i + ")");
        }
        server.execute("UPDATE " + db + ".t SET id = id + 100 WHERE id <= 2"); // a key change: delete + create from each row
        List<Unit> first = new ArrayList<>();
        CaptureRun interrupted;
        try (CaptureCoordinator<BinlogOffset> beforeCrash = coordinator(db, SnapshotPolicy.NO_DATA)) {
            interrupted = runUntilOutput(beforeCrash, stored, first);
        }
        assertTrue(interrupted.intent() != null && !first.isEmpty(), "a run with output comes with its intent");
        assertEquals(stored.get(BinlogOffset.KEY_POSITION), interrupted.intent().get(BinlogOffset.KEY_POSITION),
                "the intent keeps the stored resume point");
        server.execute("INSERT INTO " + db + ".t VALUES (6, 'late')", "INSERT INTO " + db + ".u VALUES (6)");

        List<Unit> repeated = new ArrayList<>();
        try (CaptureCoordinator<BinlogOffset> afterRestart = coordinator(db, SnapshotPolicy.NO_DATA)) {
            CaptureRun repeat = afterRestart.run(interrupted.intent(), (changes, seq) -> repeated.add(new Unit(List.copyOf(changes), seq)));
            assertEquals(describe(first), describe(repeated), "the repeated output: same changes, units and sequence ids");
            assertEquals(interrupted.state(), repeat.state(), "the same state to commit");
            List<Unit> after = new ArrayList<>();
            runUntilOutput(afterRestart, repeat.state(), after);
            assertEquals(first.get(first.size() - 1).sequenceId() + 1, after.get(0).sequenceId());
        }
    }

    /**
     * Two nodes of a NiFi cluster, one after the other: A captures, B (primary while A was not) captures on from A's state,
     * and A, primary again, finds B's state stored. A must continue from that state, not from what its own stream had
     * read ahead (that would hand out B's changes a second time).
     */
    @Test
    void aCoordinatorFindingAnotherNodesStateContinuesFromIt() throws Exception {
        String db = server.createDatabase("coord_nodes");
        server.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY)");
        try (CaptureCoordinator<BinlogOffset> nodeA = coordinator(db, SnapshotPolicy.NO_DATA);
             CaptureCoordinator<BinlogOffset> nodeB = coordinator(db, SnapshotPolicy.NO_DATA)) {
            Map<String, String> stored = nodeA.run(new HashMap<>(), (changes, seq) -> {
            }).state();
            server.execute("INSERT INTO " + db + ".t VALUES (1)", "INSERT INTO " + db + ".t VALUES (2)");
            List<Unit> fromA = new ArrayList<>();
            stored = runUntilOutput(nodeA, stored, fromA).state();
            server.execute("INSERT INTO " + db + ".t VALUES (3)", "INSERT INTO " + db + ".t VALUES (4)");
            List<Unit> fromB = new ArrayList<>();
            stored = runUntilOutput(nodeB, stored, fromB).state();
            server.execute("INSERT INTO " + db + ".t VALUES (5)");
            List<Unit> fromAAgain = new ArrayList<>();
            runUntilOutput(nodeA, stored, fromAAgain);
            List<Object> idsB = fromB.stream().flatMap(u -> u.changes().stream()).map(c -> c.after()[0]).toList();
            List<Object> idsAAgain = fromAAgain.stream().flatMap(u -> u.changes().stream()).map(c -> c.after()[0]).toList();
            assertTrue(idsAAgain.stream().noneMatch(idsB::contains), "A again " + idsAAgain + " after B " + idsB);
            assertEquals(fromB.get(fromB.size() - 1).sequenceId() + 1, fromAAgain.get(0).sequenceId(), "sequence ids go on from B's");
        }
    }

    /** An update of the primary key is a delete and a create from one row of one event: their indexes tell them apart. */
    @Test
    void everyStreamedRecordHasItsOwnPositionAlsoWhenAnUpdateChangesTheKey() throws Exception {
        String db = server.createDatabase("coord_index");
        server.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY, v VARCHAR(10))");
        try (CaptureCoordinator<BinlogOffset> coordinator = coordinator(db, SnapshotPolicy.NO_DATA)) {
            Map<String, String> stored = coordinator.run(new HashMap<>(), (changes, seq) -> {
            }).state();
            server.execute("INSERT INTO " + db + ".t VALUES (1, 'a'), (2, 'b'), (3, 'c')",
                    "UPDATE " + db + ".t SET id = id + 10, v = 'moved' WHERE id <= 2");
            List<ChangeEvent> changes = streamAll(coordinator, stored, 7);
            List<String> positions = changes.stream().map(c -> c.op().code() + "@" + BinlogSourceInfo.of(c).pos()
                    + " row " + BinlogSourceInfo.of(c).row() + " index " + BinlogSourceInfo.of(c).index()).toList();
            long insertAt = BinlogSourceInfo.of(changes.get(0)).pos();
            long updateAt = BinlogSourceInfo.of(changes.get(3)).pos();
            assertEquals(List.of("c@" + insertAt + " row 0 index 0", "c@" + insertAt + " row 1 index 1", "c@" + insertAt + " row 2 index 2",
                    "d@" + updateAt + " row 0 index 0", "c@" + updateAt + " row 0 index 1",
                    "d@" + updateAt + " row 1 index 2", "c@" + updateAt + " row 1 index 3"), positions);
        }
    }

    /**
     * The phantom-row case of a paged table: a page is delivered in one read view, its commit is interrupted (only the
     * intent stored before it survives), rows of that page are deleted, changed and moved, and after the restart the page
     * is read again in a new view. Everything ever handed out, applied by primary key, ends equal to the table: the
     * delete between the two views is streamed (judged by the new view it was dropped, and the first copy's row stayed).
     */
    @Test
    void aSnapshotPageWhoseCommitWasInterruptedConvergesAfterTheRestart() throws Exception {
        String db = server.createDatabase("coord_page");
        server.execute("CREATE TABLE " + db + ".p (id INT PRIMARY KEY, v INT)",
                "INSERT INTO " + db + ".p SELECT seq * 10, seq FROM " + db + ".seq_1_to_10");
        ConsumerMap consumer = new ConsumerMap();
        Map<String, String> intent;
        List<Unit> interrupted = new ArrayList<>();
        try (CaptureCoordinator<BinlogOffset> beforeCrash = coordinator(db, SnapshotPolicy.INITIAL)) {
            CaptureRun first = beforeCrash.run(new HashMap<>(), (changes, seq) -> consumer.apply(changes));
            CaptureRun second = beforeCrash.run(first.state(), (changes, seq) -> {
                interrupted.add(new Unit(List.copyOf(changes), seq));
                consumer.apply(changes);
            });
            assertEquals(List.of(30, 40), interrupted.get(0).changes().stream().map(c -> c.after()[0]).toList());
            intent = second.intent();
            assertEquals(first.state().get("snapshot.current.key"), intent.get("snapshot.current.key"), "the intent keeps the committed key");
            assertEquals("40", intent.get("snapshot.attempt.upto"));
        }
        server.execute("DELETE FROM " + db + ".p WHERE id = 40", "UPDATE " + db + ".p SET v = 999 WHERE id = 30",
                "INSERT INTO " + db + ".p VALUES (25, 25)", "UPDATE " + db + ".p SET id = 33 WHERE id = 50",
                "UPDATE " + db + ".p SET id = 140 WHERE id = 20");
        List<Unit> repeated = new ArrayList<>();
        try (CaptureCoordinator<BinlogOffset> afterRestart = coordinator(db, SnapshotPolicy.INITIAL)) {
            Map<String, String> state = intent;
            while (state.get("snapshot.status") != null && state.get("snapshot.status").equals("running")) {
                state = afterRestart.run(state, (changes, seq) -> {
                    repeated.add(new Unit(List.copyOf(changes), seq));
                    consumer.apply(changes);
                }).state();
            }
            assertEquals(List.of(List.of(25, 30), List.of(33)), repeated.stream().limit(2)
                            .map(u -> u.changes().stream().map(c -> c.after()[0]).toList()).toList(),
                    "the same key range (20, 40], as it is in the new view, in pages of 2");
            assertEquals(List.of(interrupted.get(0).sequenceId(), interrupted.get(0).sequenceId() + 1),
                    repeated.stream().limit(2).map(Unit::sequenceId).toList(), "from the interrupted page's sequence id on");
            streamUntilEqual(afterRestart, state, consumer, db + ".p");
        }
    }

    /** The phantom-row case of a table read in one pass (a composite VARCHAR key cannot be paged). */
    @Test
    void aTableReadInOnePassWhoseCommitWasInterruptedConvergesAfterTheRestart() throws Exception {
        String db = server.createDatabase("coord_onepass");
        server.execute("CREATE TABLE " + db + ".o (a VARCHAR(10), b VARCHAR(10), v INT, PRIMARY KEY (a, b))",
                "INSERT INTO " + db + ".o SELECT CONCAT('k', seq), CONCAT('x', seq % 3), seq FROM " + db + ".seq_1_to_9");
        ConsumerMap consumer = new ConsumerMap();
        Map<String, String> intent;
        try (CaptureCoordinator<BinlogOffset> beforeCrash = coordinator(db, SnapshotPolicy.INITIAL)) {
            CaptureRun first = beforeCrash.run(new HashMap<>(), (changes, seq) -> consumer.apply(changes));
            assertEquals(5, first.outputUnits(), "9 rows in units of 2, one run");
            intent = first.intent();
            assertEquals(db + ".o", intent.get("snapshot.attempt.table"));
            assertEquals("5", intent.get("snapshot.attempt.sequence.end"));
        }
        server.execute("DELETE FROM " + db + ".o WHERE a IN ('k2', 'k7')", "UPDATE " + db + ".o SET v = 0 WHERE a = 'k3'",
                "UPDATE " + db + ".o SET a = 'k99' WHERE a = 'k4'", "INSERT INTO " + db + ".o VALUES ('k10', 'y', 10)");
        try (CaptureCoordinator<BinlogOffset> afterRestart = coordinator(db, SnapshotPolicy.INITIAL)) {
            CaptureRun repeat = afterRestart.run(intent, (changes, seq) -> consumer.apply(changes));
            assertEquals(CaptureRun.Kind.SNAPSHOT, repeat.kind());
            assertEquals("5", repeat.state().get(CaptureCoordinator.STATE_SEQUENCE_ID), "sequence ids go on after the highest handed out");
            streamUntilEqual(afterRestart, repeat.state(), consumer, db + ".o");
        }
    }

    /** Runs the coordinator until {@code consumer} holds exactly the rows of {@code table}, for at most 30 seconds. */
    private static void streamUntilEqual(CaptureCoordinator<BinlogOffset> coordinator, Map<String, String> state, ConsumerMap consumer,
                                         String table) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<List<String>, List<String>> source = ConsumerMap.rows(server, table);
        while (!consumer.rows().equals(source) && System.nanoTime() < deadline) {
            CaptureRun run = coordinator.run(state, (changes, seq) -> consumer.apply(changes));
            state = run.state() != null ? run.state() : state;
        }
        assertEquals(source, consumer.rows(), "every change handed out, applied by primary key, vs the table");
    }

    private static CaptureRun runUntilOutput(CaptureCoordinator<BinlogOffset> coordinator, Map<String, String> state, List<Unit> units)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            assertTrue(System.nanoTime() < deadline, "no output");
            CaptureRun run = coordinator.run(state, (changes, seq) -> units.add(new Unit(List.copyOf(changes), seq)));
            if (!units.isEmpty()) {
                return run;
            }
        }
    }

    /** The units with every field of every change except {@code ts_ms}, the capture time. */
    private static List<String> describe(List<Unit> units) {
        return units.stream().map(u -> u.sequenceId() + ": " + u.changes().stream().map(c -> c.op() + " "
                + java.util.Arrays.deepToString(c.before()) + " " + java.util.Arrays.deepToString(c.after()) + " " + c.source()
                + " " + c.transaction()).toList()).toList();
    }

    private static List<ChangeEvent> streamAll(CaptureCoordinator<BinlogOffset> coordinator, Map<String, String> stored, int count)
            throws InterruptedException {
        List<ChangeEvent> changes = new ArrayList<>();
        Map<String, String> state = stored;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (changes.size() < count) {
            assertTrue(System.nanoTime() < deadline, "changes did not arrive: " + changes);
            CaptureRun run = coordinator.run(state, (units, seq) -> changes.addAll(units));
            state = run.state() != null ? run.state() : state; // as a processor stores it with the output
        }
        return changes;
    }

    private static List<Object> ids(List<ChangeEvent> changes) {
        return changes.stream().map(c -> c.after()[0]).toList();
    }

    private static CaptureCoordinator<BinlogOffset> coordinator(String db, SnapshotPolicy policy) {
        BinlogSourceConfig source = new BinlogSourceConfig(List.of(new BinlogSourceConfig.HostPort(server.host(), server.port())),
                MariaDbServer.CDC_USER, MariaDbServer.CDC_PASSWORD, 7_000 + (long) (Math.random() * 1_000), Duration.ofSeconds(10),
                Duration.ofSeconds(5), null, TableFilter.of(List.of(Pattern.quote(db)), List.of(), List.of(), List.of(), List.of()),
                StartPosition.latest(), "test", Duration.ZERO, DdlOutput.DEFAULT);
        CaptureLogger logger = CaptureLogger.slf4j(BinlogCaptureCoordinatorIT.class);
        return new CaptureCoordinator<>(new MySqlSnapshotSource(source, ConsistencyMethod.AUTO, logger),
                new BinlogStreamingSource(source, logger), new CaptureCoordinator.Config(policy, 2, Duration.ofMillis(500)), logger);
    }
}
