package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.CaptureRun;
import dev.nificdc.cdc.core.engine.SnapshotPolicy;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.testsupport.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PostgreSQL capture engine without NiFi: the coordinator over the slot's snapshot and stream, with the state kept
 * as a processor keeps it (stored only with committed output; the committed hook called after). Every change is
 * audited: a replica built from the output must equal the source, and no row version may arrive twice.
 */
class PgCaptureCoordinatorIT {
    private PostgresServer server;
    private String db;
    private final Map<String, String> state = new HashMap<>();
    private final Map<String, Map<Integer, Integer>> replica = new TreeMap<>();
    private final Set<String> versionsSeen = new HashSet<>();
    private final List<CaptureRun> runs = new ArrayList<>();

    @BeforeEach
    void setUp() {
        server = PgTestSupport.server();
        db = server.createDatabase("coord");
        server.execute(db, "CREATE TABLE a (id INT PRIMARY KEY, v INT NOT NULL)", "CREATE TABLE b (id INT PRIMARY KEY, v INT NOT NULL)",
                "INSERT INTO a SELECT g, 0 FROM generate_series(1, 1000) g", "INSERT INTO b SELECT g, 0 FROM generate_series(1, 500) g");
    }

    @AfterEach
    void tearDown() throws Exception {
        PgTestSupport.dropSlot(server, db);
    }

    private CaptureCoordinator<PgOffset> coordinator(SnapshotPolicy policy) {
        PgSourceConfig config = PgTestSupport.config(server, db, "public\\.(a|b)").withDropInvalidatedSlot(policy == SnapshotPolicy.WHEN_NEEDED);
        return new CaptureCoordinator<>(new PgSnapshotSource(config, PgTestSupport.logger()), new PgStreamingSource(config, PgTestSupport.logger()),
                new CaptureCoordinator.Config(policy, 100, Duration.ofMillis(500)), PgTestSupport.logger());
    }

    /** One run, committed as a processor commits it: the output applied to the replica with the state, then the hook. */
    private CaptureRun run(CaptureCoordinator<PgOffset> coordinator) throws InterruptedException {
        List<ChangeEvent> output = new ArrayList<>();
        CaptureRun run = coordinator.run(new HashMap<>(state), (changes, sequenceId) -> output.addAll(changes));
        runs.add(run);
        if (run.state() == null || run.discardsOutput()) {
            if (run.state() != null) {
                state.clear();
                state.putAll(run.state());
            }
            return run;
        }
        output.forEach(this::apply);
        state.clear();
        state.putAll(run.state());
        coordinator.committed(run);
        return run;
    }

    private void apply(ChangeEvent change) {
        Map<Integer, Integer> rows = replica.computeIfAbsent(change.schema().table(), t -> new TreeMap<>());
        switch (change.op()) {
            case READ, CREATE, UPDATE -> {
                if (change.before() != null && !change.before()[0].equals(change.after()[0])) {
                    rows.remove((Integer) change.before()[0]);
                }
                int id = (Integer) change.after()[0];
                int v = (Integer) change.after()[1];
                assertTrue(versionsSeen.add(change.schema().table() + ":" + id + ":" + v), "row version " + id + "@" + v
                        + " of " + change.schema().table() + " arrived twice (" + change.op() + ")");
                rows.put(id, v);
            }
            case DELETE -> rows.remove((Integer) change.before()[0]);
            case TRUNCATE -> rows.clear();
        }
    }

    /** Runs until a streaming run returns nothing, i.e. everything written so far has been captured. */
    private void runUntilCaughtUp(CaptureCoordinator<PgOffset> coordinator) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            CaptureRun run = run(coordinator);
            if (run.kind() == CaptureRun.Kind.STREAMING && run.state() == null) {
                return;
            }
        }
        throw new AssertionError("did not catch up in 200 runs");
    }

    private void assertReplicaEqualsSource() throws Exception {
        for (String table : List.of("a", "b")) {
            Map<Integer, Integer> source = new TreeMap<>();
            try (Connection c = server.connection(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, v FROM " + table)) {
                while (rs.next()) {
                    source.put(rs.getInt(1), rs.getInt(2));
                }
            }
            assertEquals(source, replica.getOrDefault(table, Map.of()), "table " + table + " replicated exactly");
        }
    }

    /** Writes touching both tables: updates (each a new row version), deletes, inserts, in several transactions. */
    private void write(int round) {
        server.execute(db, "UPDATE a SET v = v + 1 WHERE id % 7 = " + (round % 7), "DELETE FROM b WHERE id = " + (round * 3 + 1),
                "BEGIN", "INSERT INTO a VALUES (" + (5000 + round) + ", 0)", "UPDATE b SET v = v + 1 WHERE id % 5 = " + (round % 5), "COMMIT");
    }

    /**
     * A crash between NiFi's FlowFile write and its state write: the output of a streaming run is delivered, its state
     * is not (nor is the slot confirmed: that happens only after a commit). The run after the restart finds the intent
     * stored before the commit and hands out the same changes in the same units with the same sequence ids, although
     * more changes have arrived since (a run cut by time would take them).
     */
    @Test
    void aStreamingRunWhoseCommitWasInterruptedIsHandedOutAgainIdentically() throws Exception {
        try (CaptureCoordinator<PgOffset> coordinator = coordinator(SnapshotPolicy.NO_DATA)) {
            run(coordinator);
        }
        write(1);
        write(2);
        List<String> first = new ArrayList<>();
        CaptureRun interrupted;
        try (CaptureCoordinator<PgOffset> beforeCrash = coordinator(SnapshotPolicy.NO_DATA)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            do {
                assertTrue(System.nanoTime() < deadline, "no output");
                interrupted = beforeCrash.run(new HashMap<>(state), (changes, seq) -> first.add(describe(changes, seq)));
            } while (first.isEmpty());
        }
        assertTrue(interrupted.intent() != null, "a run with output comes with its intent");
        write(3);

        List<String> repeated = new ArrayList<>();
        try (CaptureCoordinator<PgOffset> afterRestart = coordinator(SnapshotPolicy.NO_DATA)) {
            CaptureRun repeat = afterRestart.run(new HashMap<>(interrupted.intent()), (changes, seq) -> repeated.add(describe(changes, seq)));
            assertEquals(first, repeated, "the repeated output: same changes, units and sequence ids");
            assertEquals(interrupted.state(), repeat.state(), "the same state to commit");
        }
    }

    /** A unit with every field of every change except {@code ts_ms}, the capture time. */
    private static String describe(List<ChangeEvent> changes, long sequenceId) {
        return sequenceId + ": " + changes.stream().map(c -> c.op() + " " + java.util.Arrays.deepToString(c.before()) + " "
                + java.util.Arrays.deepToString(c.after()) + " " + c.source() + " " + c.transaction()).toList();
    }

    @Test
    void snapshotThenStreamLosesAndDoublesNothingWithWritesDuringTheSnapshot() throws Exception {
        try (CaptureCoordinator<PgOffset> coordinator = coordinator(SnapshotPolicy.INITIAL)) {
            int round = 0;
            CaptureRun run;
            do {
                run = run(coordinator);
                write(round++);
            } while (run.kind() == CaptureRun.Kind.SNAPSHOT && state.containsKey("snapshot.status") && "running".equals(state.get("snapshot.status")));
            assertTrue(round > 10, "the snapshot took several runs, with writes between them");
            runUntilCaughtUp(coordinator);
        }
        assertEquals(1500, runs.stream().mapToLong(r -> r.counters().getOrDefault("Snapshot rows read", 0L)).sum());
        assertReplicaEqualsSource();
    }

    @Test
    void aRestartInTheMiddleOfTheSnapshotContinuesInANewReadView() throws Exception {
        try (CaptureCoordinator<PgOffset> coordinator = coordinator(SnapshotPolicy.INITIAL)) {
            for (int i = 0; i < 4; i++) {
                run(coordinator);
                write(i);
            }
        }
        // "NiFi restarted": a new coordinator with the stored state; more writes before and during the rest of the snapshot
        write(10);
        try (CaptureCoordinator<PgOffset> coordinator = coordinator(SnapshotPolicy.INITIAL)) {
            int round = 20;
            while ("running".equals(state.get("snapshot.status"))) {
                run(coordinator);
                write(round++);
            }
            assertEquals("2", state.get("snapshot.views"), "the snapshot went on in a second read view");
            runUntilCaughtUp(coordinator);
        }
        assertReplicaEqualsSource();
        try (Connection c = server.connection(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE database = '" + db + "'")) {
            rs.next();
            assertEquals(1, rs.getInt(1), "the second view's temporary slot is gone");
        }
    }

    @Test
    void whenNeededTakesANewSnapshotWhenTheSlotIsGoneAndInitialStops() throws Exception {
        try (CaptureCoordinator<PgOffset> coordinator = coordinator(SnapshotPolicy.INITIAL)) {
            runUntilCaughtUp(coordinator);
        }
        PgTestSupport.dropSlot(server, db);
        write(1);
        try (CaptureCoordinator<PgOffset> coordinator = coordinator(SnapshotPolicy.INITIAL)) {
            CaptureException e = assertThrows(CaptureException.class, () -> run(coordinator));
            assertEquals(CaptureException.Reason.POSITION_UNAVAILABLE, e.reason());
            assertTrue(e.getMessage().contains("Replication slot " + db + " does not exist"), e.getMessage());
        }
        try (CaptureCoordinator<PgOffset> coordinator = coordinator(SnapshotPolicy.WHEN_NEEDED)) {
            assertEquals(CaptureRun.Kind.RESTART_SNAPSHOT, run(coordinator).kind());
            replica.clear();
            versionsSeen.clear();
            write(2);
            runUntilCaughtUp(coordinator);
        }
        assertReplicaEqualsSource();
    }

    @Test
    void noDataStreamsFromTheCurrentPositionWithoutReadingRows() throws Exception {
        try (CaptureCoordinator<PgOffset> coordinator = coordinator(SnapshotPolicy.NO_DATA)) {
            assertEquals(CaptureRun.Kind.START_POSITION, run(coordinator).kind());
            server.execute(db, "INSERT INTO a VALUES (9001, 0)", "UPDATE b SET v = 7 WHERE id = 1");
            runUntilCaughtUp(coordinator);
        }
        assertEquals(Map.of(9001, 0), replica.get("a"));
        assertEquals(Map.of(1, 7), replica.get("b"));
        assertTrue(runs.stream().noneMatch(r -> r.kind() == CaptureRun.Kind.SNAPSHOT));
    }

    @Test
    void snapshotRowsAndStreamedRowsOfOneTableShareOneSchema() throws Exception {
        List<ChangeEvent> all = new ArrayList<>();
        try (CaptureCoordinator<PgOffset> coordinator = coordinator(SnapshotPolicy.INITIAL)) {
            do {
                CaptureRun run = coordinator.run(new HashMap<>(state), (changes, sequenceId) -> all.addAll(changes));
                state.clear();
                state.putAll(run.state());
            } while ("running".equals(state.get("snapshot.status")));
            server.execute(db, "INSERT INTO a VALUES (7001, 1)");
            for (int i = 0; i < 20 && all.stream().noneMatch(c -> c.op() == Operation.CREATE); i++) {
                CaptureRun run = coordinator.run(new HashMap<>(state), (changes, sequenceId) -> all.addAll(changes));
                if (run.state() != null) {
                    state.clear();
                    state.putAll(run.state());
                }
            }
        }
        ChangeEvent read = all.stream().filter(c -> c.op() == Operation.READ && c.schema().table().equals("a")).findFirst().orElseThrow();
        ChangeEvent created = all.stream().filter(c -> c.op() == Operation.CREATE).findFirst().orElseThrow();
        assertEquals(read.schema(), created.schema());
        assertEquals("last", all.stream().filter(c -> c.op() == Operation.READ).reduce((x, y) -> y).orElseThrow().source().snapshot());
    }
}
