package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.CaptureRun;
import dev.nificdc.cdc.core.engine.IncrementalConvergence;
import dev.nificdc.cdc.core.engine.IncrementalSnapshotConfig;
import dev.nificdc.cdc.core.engine.KeyedReplay;
import dev.nificdc.cdc.core.engine.SnapshotPolicy;
import dev.nificdc.cdc.core.snapshot.IncrementalSnapshotProgress;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.testsupport.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Incremental snapshots through the PostgreSQL capture engine without NiFi, against the private PostgreSQL: the shared
 * convergence test ({@link IncrementalConvergence}: random writers, failed and crashed commits, restarts), with a
 * transaction held open from before the stream started, and a transaction the stream hands out while it is still
 * running for every new snapshot (its commit waits for a synchronous standby that never answers), whose views are refused
 * until it ends.
 */
class PgIncrementalSnapshotIT {
    private static final int ROWS = 1500;
    private static final int KEY_SPACE = 2500;
    /** Incremental-snapshot progress and unexpected warnings on standard output, the test report's (refusals are counted). */
    private static final CaptureLogger LOGGER = new CaptureLogger() {
        @Override
        public void info(String message) {
            if (message.startsWith("Incremental snapshot")) {
                System.out.println("INFO " + message);
            }
        }

        @Override
        public void warn(String message) {
            if (!message.startsWith("replica identity")) {
                System.out.println("WARN " + message);
            }
        }

        @Override
        public void warn(String message, Throwable cause) {
            System.out.println("WARN " + message + ": " + cause);
        }

        @Override
        public void debug(String message) {
        }
    };
    private PostgresServer server;
    private String db;
    /** The streaming sources of every coordinator made: their views judged and refused. */
    private final List<PgStreamingSource> streams = new ArrayList<>();

    @BeforeEach
    void setUp() {
        server = PgTestSupport.server();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (db != null) {
            PgTestSupport.dropSlot(server, db);
        }
    }

    @ParameterizedTest(name = "chunks of {0} rows")
    @ValueSource(ints = {7, 100, 5000})
    void everyKeyConvergesUnderConcurrentWritesAndFaults(int chunkSize) throws Exception {
        createTable("id INT PRIMARY KEY", i -> i, ROWS);
        IncrementalConvergence.Outcome outcome = converge("id", i -> i, chunkSize);
        assertTrue(outcome.chunkRuns() >= Math.min((int) Math.ceil((double) ROWS / chunkSize), 3), "chunks read: " + outcome.chunkRuns());
    }

    @Test
    void aTableWithATextKeyIsReadInOneRunAndConverges() throws Exception {
        createTable("code VARCHAR(20) PRIMARY KEY", i -> "k" + i, ROWS);
        IncrementalConvergence.Outcome outcome = converge("code", i -> "k" + i, 50);
        assertEquals(1, outcome.chunkRuns(), "a key Java cannot order is read in one run");
    }

    /**
     * A transaction running since before the stream started may have committed before the stream's start and still be
     * running for new snapshots (waiting for a synchronous standby); the engine cannot tell, so views are refused until
     * it ends. Then the chunks are read.
     */
    @Test
    void aTransactionRunningSinceBeforeTheStreamStartedDelaysChunksUntilItEnds() throws Exception {
        createTable("id INT PRIMARY KEY", i -> i, ROWS);
        // the slot first: creating a slot waits for every transaction running, so it cannot be made while one stays open
        try (CaptureCoordinator<PgOffset> first = coordinator(100)) {
            runUntil(first, new HashMap<>(), new KeyedReplay("t"), "the slot", s -> !s.isEmpty());
        }
        KeyedReplay replay = new KeyedReplay("t");
        Map<String, String> state;
        try (CaptureCoordinator<PgOffset> coordinator = coordinator(100)) {
            try (Connection open = server.connection(db); Statement s = open.createStatement()) {
                open.setAutoCommit(false);
                s.execute("SELECT txid_current()");
                state = runUntil(coordinator, new HashMap<>(), replay, "the start position", st -> !st.isEmpty());
                state = runFor(coordinator, state, replay, Duration.ofMillis(500)); // the stream starts
                state = coordinator.requestIncrementalSnapshot(state, List.of(Pattern.compile("public\\.t"))).state();
                state = runFor(coordinator, state, replay, Duration.ofSeconds(3));
                assertTrue(IncrementalSnapshotProgress.fromStateMap(state).pending(), "no chunk while the transaction runs");
                assertTrue(streams.getLast().transactions().refused() > 0, "views refused");
                assertEquals(streams.getLast().transactions().judged(), streams.getLast().transactions().refused(), "every view refused");
                open.rollback();
            }
            runUntil(coordinator, state, replay, "the incremental snapshot", st -> !IncrementalSnapshotProgress.fromStateMap(st).pending());
            System.out.printf("PgIncrementalSnapshotIT open transaction: %d views judged, %d refused%n",
                    streams.getLast().transactions().judged(), streams.getLast().transactions().refused());
        }
        try (Connection c = server.connection(db)) {
            replay.assertEquals(KeyedReplay.table(c, "t", List.of("id")), "replayed records vs. the table");
        }
        assertEquals(ROWS, replay.rows().size());
    }

    /**
     * With a synchronous standby named that never answers, a transaction's commit is written (and streamed, and handed
     * out) while the transaction is still running for every new snapshot: comparing LSNs would read a chunk without its
     * update and delete, after the stream handed them out. Its views are refused, by the transaction's xid while the stream
     * that handed it out runs, and because it was running when the stream started after a restart; once it ends, the
     * chunk is read and every key converges.
     */
    @Test
    void aViewThatDoesNotSeeATransactionTheStreamHandedOutIsRefusedUntilItEnds() throws Exception {
        createTable("id INT PRIMARY KEY", i -> i, 20);
        KeyedReplay replay = new KeyedReplay("t");
        Map<String, String> state = new HashMap<>();
        CaptureCoordinator<PgOffset> coordinator = coordinator(100);
        CompletableFuture<Void> held = null;
        try {
            state = runUntil(coordinator, state, replay, "the start position", s -> !s.isEmpty());
            server.execute(null, "ALTER SYSTEM SET synchronous_standby_names = 'nifi_cdc_absent_standby'", "SELECT pg_reload_conf()");
            held = CompletableFuture.runAsync(() -> server.execute(db, "SET synchronous_commit = on",
                    "BEGIN; UPDATE t SET v = 'held' WHERE id = 5; DELETE FROM t WHERE id = 6; COMMIT"));
            PgTestSupport.await("the commit to wait for the standby", Duration.ofSeconds(20), this::commitWaitsForStandby);
            state = runUntil(coordinator, state, replay, "the held transaction to be handed out",
                    s -> List.of("5", "held", "5").equals(replay.rows().get("[5]")) && !replay.rows().containsKey("[6]"));
            assertEquals("initial-5", valueInNewSnapshot(), "a snapshot taken now does not see the transaction the stream handed out");

            state = coordinator.requestIncrementalSnapshot(state, List.of(Pattern.compile("public\\.t"))).state();
            state = runFor(coordinator, state, replay, Duration.ofSeconds(3));
            assertTrue(IncrementalSnapshotProgress.fromStateMap(state).pending(), "no chunk while the transaction runs");
            long refusedByXid = streams.getLast().transactions().refused();
            assertTrue(refusedByXid > 0, "views refused by the tracked transaction");

            coordinator.close(); // a restart: the new stream starts after the held commit, which it no longer tracks
            coordinator = coordinator(100);
            state = runFor(coordinator, state, replay, Duration.ofSeconds(3));
            assertTrue(IncrementalSnapshotProgress.fromStateMap(state).pending(), "no chunk while the transaction runs");
            assertTrue(streams.getLast().transactions().refused() > 0, "views refused: a transaction running since before the stream started");
            System.out.printf("PgIncrementalSnapshotIT held commit: %d views refused by its xid, %d by the stream start bound%n", refusedByXid,
                    streams.getLast().transactions().refused());

            server.execute(null, "ALTER SYSTEM RESET synchronous_standby_names", "SELECT pg_reload_conf()");
            held.get(30, TimeUnit.SECONDS);
            state = runUntil(coordinator, state, replay, "the incremental snapshot", s -> !IncrementalSnapshotProgress.fromStateMap(s).pending());
        } finally {
            server.execute(null, "ALTER SYSTEM RESET synchronous_standby_names", "SELECT pg_reload_conf()");
            if (held != null) {
                held.get(30, TimeUnit.SECONDS);
            }
            coordinator.close();
        }
        try (Connection c = server.connection(db)) {
            replay.assertEquals(KeyedReplay.table(c, "t", List.of("id")), "replayed records vs. the table");
        }
        assertEquals(List.of("5", "held", "5"), replay.rows().get("[5]"));
    }

    /** The backfill rate of a larger table without concurrent writes or faults (figure for the report, not a goal). */
    @Test
    void aLargerTableIsBackfilledInChunks() throws Exception {
        int rows = 100_000;
        createTable("id INT PRIMARY KEY", i -> i, 0);
        server.execute(db, "INSERT INTO t SELECT g, 'initial-' || g, g FROM generate_series(1, " + rows + ") g");
        KeyedReplay replay = new KeyedReplay("t");
        try (CaptureCoordinator<PgOffset> coordinator = coordinator(5000)) {
            Map<String, String> state = runUntil(coordinator, new HashMap<>(), replay, "the start position", s -> !s.isEmpty());
            state = coordinator.requestIncrementalSnapshot(state, List.of(Pattern.compile("public\\.t"))).state();
            long started = System.nanoTime();
            runUntil(coordinator, state, replay, "the incremental snapshot", s -> !IncrementalSnapshotProgress.fromStateMap(s).pending());
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("PgIncrementalSnapshotIT backfill: %d rows in %.1f s, %.0f rows/s (chunks of 5000)%n", rows, seconds, rows / seconds);
        }
        assertEquals(rows, replay.rows().size());
        // compared row by row as the table streams by: the heap holds the replay only
        try (Connection c = server.connection(db); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.setFetchSize(1000);
            try (ResultSet r = s.executeQuery("SELECT id, v, n FROM t")) {
                while (r.next()) {
                    assertEquals(List.of(r.getString(1), r.getString(2), r.getString(3)), replay.rows().get("[" + r.getString(1) + "]"));
                }
            }
        }
    }

    private IncrementalConvergence.Outcome converge(String keyColumn, IntFunction<Object> keyOf, int chunkSize) throws Exception {
        IncrementalConvergence.Outcome outcome = IncrementalConvergence.converge(source(), keyColumn, KEY_SPACE, keyOf, chunkSize, chunkSize);
        long judged = streams.stream().mapToLong(p -> p.transactions().judged()).sum();
        long refused = streams.stream().mapToLong(p -> p.transactions().refused()).sum();
        System.out.printf("PgIncrementalSnapshotIT %s chunk size %d: %d chunk runs, %d faults, %d writer transactions during the"
                        + " snapshot, %d rows read in %d ms (%.0f rows/s), %d views judged, %d refused%n", keyColumn, chunkSize,
                outcome.chunkRuns(), outcome.faults(), outcome.writesDuring(), outcome.rowsRead(), outcome.snapshotMillis(),
                outcome.rowsPerSecond(), judged, refused);
        return outcome;
    }

    /** A database with {@code t (key, v, n)} holding {@code rows} rows and {@code marker (id)}. */
    private void createTable(String key, IntFunction<Object> keyOf, int rows) {
        db = server.createDatabase("incr");
        server.execute(db, "CREATE TABLE t (" + key + ", v VARCHAR(40), n BIGINT NOT NULL)", "CREATE TABLE marker (id INT PRIMARY KEY)");
        if (rows > 0) {
            StringBuilder insert = new StringBuilder("INSERT INTO t VALUES ");
            for (int i = 1; i <= rows; i++) {
                insert.append(i > 1 ? ", " : "").append("('").append(keyOf.apply(i)).append("', 'initial-").append(i).append("', ")
                        .append(i).append(")");
            }
            server.execute(db, insert.toString());
        }
    }

    private IncrementalConvergence.Source<PgOffset> source() {
        return new IncrementalConvergence.Source<>() {
            @Override
            public CaptureCoordinator<PgOffset> coordinator(int chunkSize) {
                return PgIncrementalSnapshotIT.this.coordinator(chunkSize);
            }

            @Override
            public Connection connection() throws SQLException {
                return server.connection(db);
            }

            @Override
            public String sqlName(String name) {
                return name;
            }

            @Override
            public String requestPattern(String name) {
                return "public\\." + name;
            }
        };
    }

    private CaptureCoordinator<PgOffset> coordinator(int chunkSize) {
        PgSourceConfig config = PgTestSupport.config(server, db, "public\\.(t|marker)");
        CaptureLogger logger = LOGGER;
        PgStreamingSource streaming = new PgStreamingSource(config, logger);
        streams.add(streaming);
        return new CaptureCoordinator<>(new PgSnapshotSource(config, streaming.transactions(), logger), streaming,
                new CaptureCoordinator.Config(SnapshotPolicy.NO_DATA, 1000, Duration.ofMillis(300)),
                new IncrementalSnapshotConfig(true, config.filter(), chunkSize), logger);
    }

    /** Runs (committing every run, as a processor does) until {@code done} holds for the stored state. */
    private static Map<String, String> runUntil(CaptureCoordinator<PgOffset> coordinator, Map<String, String> state, KeyedReplay replay,
                                                String what, Predicate<Map<String, String>> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!done.test(state)) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            state = runOnce(coordinator, state, replay);
        }
        return state;
    }

    private static Map<String, String> runFor(CaptureCoordinator<PgOffset> coordinator, Map<String, String> state, KeyedReplay replay,
                                              Duration duration) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            state = runOnce(coordinator, state, replay);
        }
        return state;
    }

    private static Map<String, String> runOnce(CaptureCoordinator<PgOffset> coordinator, Map<String, String> state, KeyedReplay replay)
            throws InterruptedException {
        List<ChangeEvent> output = new ArrayList<>();
        CaptureRun run = coordinator.run(state, (changes, seq) -> output.addAll(changes));
        if (run.state() == null) {
            return state;
        }
        replay.apply(output);
        coordinator.committed(run);
        return run.state();
    }

    private boolean commitWaitsForStandby() {
        try (Connection c = server.connection(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")) {
            rs.next();
            return rs.getInt(1) > 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code v} of row 5 in a snapshot taken now. */
    private String valueInNewSnapshot() throws SQLException {
        try (Connection c = server.connection(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM t WHERE id = 5")) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }
}
