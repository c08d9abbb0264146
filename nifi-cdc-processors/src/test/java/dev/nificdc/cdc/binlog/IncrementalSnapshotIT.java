package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.binlog.snapshot.ConsistencyMethod;
import dev.nificdc.cdc.binlog.snapshot.MySqlSnapshotSource;
import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.CaptureRun;
import dev.nificdc.cdc.core.engine.IncrementalSnapshotConfig;
import dev.nificdc.cdc.core.engine.SnapshotPolicy;
import dev.nificdc.cdc.core.snapshot.IncrementalSnapshotProgress;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.testsupport.MariaDbServer;
import dev.nificdc.testsupport.RandomRowWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Incremental snapshots through the MySQL capture engine without NiFi, against the private MariaDB: while writers
 * insert, update (also primary keys) and delete random rows of the table being read, and while runs fail to commit,
 * crash inside their commit (output delivered, state not stored) and restart, replaying every record handed out (chunks
 * and stream) into a map by primary key gives exactly the source table.
 */
class IncrementalSnapshotIT {
    private static final int ROWS = 1500;
    private static final int KEY_SPACE = 2500;
    private static MariaDbServer server;

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

    @ParameterizedTest(name = "chunks of {0} rows")
    @ValueSource(ints = {7, 100, 5000})
    void everyKeyConvergesUnderConcurrentWritesAndFaults(int chunkSize) throws Exception {
        String db = server.createDatabase("incr");
        server.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY, v VARCHAR(40), n BIGINT NOT NULL)");
        fill(db + ".t", i -> i);
        Outcome outcome = converge(db, "id", i -> i, chunkSize);
        int expectedChunks = (int) Math.ceil((double) ROWS / chunkSize);
        assertTrue(outcome.chunkRuns >= Math.min(expectedChunks, 3), "chunks read: " + outcome.chunkRuns);
    }

    @Test
    void aTableWithATextKeyIsReadInOneRunAndConverges() throws Exception {
        String db = server.createDatabase("incr_text");
        server.execute("CREATE TABLE " + db + ".t (code VARCHAR(20) PRIMARY KEY, v VARCHAR(40), n BIGINT NOT NULL)");
        fill(db + ".t", i -> "k" + i);
        Outcome outcome = converge(db, "code", i -> "k" + i, 50);
        assertEquals(1, outcome.chunkRuns, "a key Java cannot order is read in one run");
    }

    @Test
    void tablesThatStartToBeCapturedAreQueuedOnceAndRead() throws Exception {
        String db = server.createDatabase("incr_new");
        server.execute("CREATE TABLE " + db + ".a (id INT PRIMARY KEY)", "CREATE TABLE " + db + ".b (id INT PRIMARY KEY, v VARCHAR(10))",
                "INSERT INTO " + db + ".b VALUES (1, 'x'), (2, 'y'), (3, 'z')");
        TableFilter onlyA = tables(db, "a");
        TableFilter both = tables(db, "a|b");
        Map<String, String> state;
        try (CaptureCoordinator<BinlogOffset> coordinator = coordinator(onlyA, new IncrementalSnapshotConfig(true, onlyA, 2))) {
            state = coordinator.run(new HashMap<>(), (changes, seq) -> {
            }).state();
        }
        assertEquals(onlyA.toStateMap().get("filter.tables.include"), state.get("filter.tables.include"), "the patterns in force are stored");

        // not wanted: the patterns are updated, nothing is queued
        try (CaptureCoordinator<BinlogOffset> coordinator = coordinator(both, new IncrementalSnapshotConfig(false, both, 2))) {
            CaptureRun run = coordinator.run(state, (changes, seq) -> {
            });
            assertEquals(CaptureRun.Kind.INCREMENTAL_SNAPSHOT_QUEUED, run.kind());
            assertFalse(IncrementalSnapshotProgress.fromStateMap(run.state()).pending());
            assertEquals(both.toStateMap().get("filter.tables.include"), run.state().get("filter.tables.include"));
        }

        KeyedReplay replay = new KeyedReplay("b");
        try (CaptureCoordinator<BinlogOffset> coordinator = coordinator(both, new IncrementalSnapshotConfig(true, both, 2))) {
            CaptureRun queued = coordinator.run(state, (changes, seq) -> {
                throw new AssertionError("queueing writes nothing");
            });
            assertEquals(CaptureRun.Kind.INCREMENTAL_SNAPSHOT_QUEUED, queued.kind());
            assertEquals(List.of(new SnapshotTable(db, "b")), IncrementalSnapshotProgress.fromStateMap(queued.state()).queue());
            state = queued.state();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            List<CaptureRun.Kind> kinds = new ArrayList<>();
            while (IncrementalSnapshotProgress.fromStateMap(state).pending()) {
                assertTrue(System.nanoTime() < deadline, "the incremental snapshot did not finish: " + kinds);
                CaptureRun run = coordinator.run(state, (changes, seq) -> replay.apply(changes));
                kinds.add(run.kind());
                if (run.state() != null) {
                    state = run.state();
                }
            }
            assertEquals(2, kinds.stream().filter(k -> k == CaptureRun.Kind.INCREMENTAL_SNAPSHOT).count(), "two chunks of 2 rows: " + kinds);
        }
        replay.assertEquals(KeyedReplay.table(server, db + ".b", List.of("id")), "replayed records of b vs. the table");

        try (CaptureCoordinator<BinlogOffset> coordinator = coordinator(both, new IncrementalSnapshotConfig(true, both, 2))) {
            CaptureRun run = coordinator.run(state, (changes, seq) -> {
            });
            assertNotEquals(CaptureRun.Kind.INCREMENTAL_SNAPSHOT_QUEUED, run.kind(), "the table was queued once, not at every start");
        }
    }

    @Test
    void aRequestNamesCapturedTablesAndATableWithoutKeyIsReadWhole() throws Exception {
        String db = server.createDatabase("incr_req");
        server.execute("CREATE TABLE " + db + ".log (at INT, message VARCHAR(20))",
                "INSERT INTO " + db + ".log VALUES (1, 'a'), (1, 'a'), (2, 'b')");
        TableFilter filter = tables(db, "log");
        try (CaptureCoordinator<BinlogOffset> coordinator = coordinator(filter, new IncrementalSnapshotConfig(true, filter, 2))) {
            Map<String, String> state = coordinator.run(new HashMap<>(), (changes, seq) -> {
            }).state();
            Map<String, String> started = state;
            CaptureException none = assertThrows(CaptureException.class,
                    () -> coordinator.requestIncrementalSnapshot(started, List.of(Pattern.compile("other\\..*"))));
            assertEquals(CaptureException.Reason.CONFIGURATION, none.reason());
            assertTrue(none.getMessage().contains("No captured table matches other\\..*") && none.getMessage().contains(db + ".log"),
                    none.getMessage());

            state = coordinator.requestIncrementalSnapshot(state, List.of(Pattern.compile(Pattern.quote(db) + "\\.l.*"))).state();
            List<ChangeEvent> rows = new ArrayList<>();
            CaptureRun run;
            do {
                run = coordinator.run(state, (changes, seq) -> rows.addAll(changes));
                if (run.state() != null) {
                    state = run.state();
                }
            } while (run.kind() != CaptureRun.Kind.INCREMENTAL_SNAPSHOT);
            assertEquals(3, rows.size(), "every row, duplicates too, in one run");
            assertTrue(rows.stream().allMatch(r -> r.op() == Operation.READ && "incremental".equals(r.source().snapshot())));
            assertEquals(Map.of("Incremental snapshot rows read", 3L, "Incremental snapshot chunks read", 1L,
                    "Incremental snapshot tables read", 1L), run.counters());
            assertFalse(IncrementalSnapshotProgress.fromStateMap(state).pending());
        }
    }

    private record Outcome(int chunkRuns) {
    }

    /**
     * Drives a coordinator as NiFi would, with faults: commits that fail, crashes inside the commit (output delivered,
     * state not stored) and restarts; every record delivered is replayed.
     */
    private static final class FaultyDriver implements AutoCloseable {
        private final TableFilter filter;
        private final IncrementalSnapshotConfig incremental;
        private final Consumer<List<ChangeEvent>> delivered;
        private final Random faults;
        private CaptureCoordinator<BinlogOffset> coordinator;
        private Map<String, String> state = new HashMap<>();
        private int chunkRuns;
        private int faultCount;

        FaultyDriver(TableFilter filter, IncrementalSnapshotConfig incremental, Consumer<List<ChangeEvent>> delivered, long seed) {
            this.filter = filter;
            this.incremental = incremental;
            this.delivered = delivered;
            this.faults = new Random(seed);
            this.coordinator = coordinator(filter, incremental);
        }

        /** Runs until {@code done} holds for the stored state, failing after {@code timeout}. */
        void runUntil(String what, Duration timeout, Predicate<Map<String, String>> done) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(state)) {
                assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; state " + state);
                List<List<ChangeEvent>> output = new ArrayList<>();
                CaptureRun run = coordinator.run(state, (changes, seq) -> output.add(List.copyOf(changes)));
                if (run.state() == null) {
                    continue;
                }
                int dice = faults.nextInt(100);
                if (dice < 4) {
                    // the session commit failed: nothing delivered, nothing stored
                    coordinator.discardUncommitted();
                    faultCount++;
                } else if (dice < 8) {
                    // NiFi died inside its commit: the FlowFiles were delivered, the state was not stored
                    output.forEach(delivered);
                    restart();
                    faultCount++;
                } else {
                    output.forEach(delivered);
                    state = run.state();
                    if (run.kind() == CaptureRun.Kind.INCREMENTAL_SNAPSHOT && run.outputUnits() > 0) {
                        chunkRuns++; // committed ones only: a chunk whose commit failed or crashed is read again
                    }
                    if (dice < 11) {
                        restart(); // after a good commit
                    }
                }
            }
        }

        private void restart() {
            coordinator.close();
            coordinator = coordinator(filter, incremental);
        }

        @Override
        public void close() {
            coordinator.close();
        }
    }

    /**
     * Requests an incremental snapshot of {@code db.t} while two writers change it (from before the request to after the
     * snapshot ended), drives the coordinator with random faults until the snapshot is done, stops the writers, streams to
     * the end, and compares the replayed records with the table.
     */
    private static Outcome converge(String db, String keyColumn, IntFunction<Object> keyOf, int chunkSize) throws Exception {
        server.execute("CREATE TABLE " + db + ".marker (id INT PRIMARY KEY)");
        TableFilter filter = TableFilter.of(List.of(Pattern.quote(db)), List.of(), List.of(), List.of(), List.of());
        KeyedReplay replay = new KeyedReplay("t");
        boolean[] marker = {false};
        Consumer<List<ChangeEvent>> delivered = changes -> {
            replay.apply(changes);
            marker[0] |= changes.get(0).schema().table().equals("marker");
        };
        Outcome outcome;
        try (FaultyDriver driver = new FaultyDriver(filter, new IncrementalSnapshotConfig(true, filter, chunkSize), delivered, chunkSize)) {
            driver.runUntil("the start position", Duration.ofSeconds(30), state -> !state.isEmpty());
            try (RandomRowWriter writer = new RandomRowWriter(server::adminConnection, db + ".t", keyColumn, KEY_SPACE, keyOf).start(2)) {
                driver.runUntil("writes before the request", Duration.ofSeconds(60), state -> writer.transactions() >= 150);
                driver.state = driver.coordinator.requestIncrementalSnapshot(driver.state,
                        List.of(Pattern.compile(Pattern.quote(db + ".t")))).state();
                long writesBefore = writer.transactions();
                driver.runUntil("the incremental snapshot", Duration.ofSeconds(150),
                        state -> !IncrementalSnapshotProgress.fromStateMap(state).pending());
                long writesDuring = writer.transactions() - writesBefore;
                long writesAtEnd = writer.transactions();
                driver.runUntil("writes after the snapshot", Duration.ofSeconds(60), state -> writer.transactions() >= writesAtEnd + 150);
                System.out.printf("IncrementalSnapshotIT %s chunk size %d: %d chunk runs, %d faults, %d writer transactions during"
                        + " the snapshot, %d in all%n", keyColumn, chunkSize, driver.chunkRuns, driver.faultCount, writesDuring,
                        writer.transactions());
                // a table read in one chunk may be read between two writer transactions; one read in several is written between them
                long writesExpected = driver.chunkRuns > 10 ? 101 : driver.chunkRuns > 1 ? 1 : 0;
                assertTrue(writesDuring >= writesExpected, "the table was written while it was read: " + writesDuring
                        + " transactions in " + driver.chunkRuns + " chunk runs");
            }
            server.execute("INSERT INTO " + db + ".marker VALUES (1)");
            driver.runUntil("the stream to reach the marker written after the writers stopped", Duration.ofSeconds(60), state -> marker[0]);
            outcome = new Outcome(driver.chunkRuns);
        }
        replay.assertEquals(KeyedReplay.table(server, db + ".t", List.of(keyColumn)), "replayed records vs. the table");
        return outcome;
    }

    private static void fill(String table, IntFunction<Object> keyOf) {
        StringBuilder insert = new StringBuilder("INSERT INTO " + table + " VALUES ");
        for (int i = 1; i <= ROWS; i++) {
            insert.append(i > 1 ? ", " : "").append("('").append(keyOf.apply(i)).append("', 'initial-").append(i).append("', ").append(i).append(")");
        }
        server.execute(insert.toString());
    }

    private static TableFilter tables(String db, String names) {
        return TableFilter.of(List.of(), List.of(), List.of(Pattern.quote(db) + "\\.(" + names + ")"), List.of(), List.of());
    }

    private static CaptureCoordinator<BinlogOffset> coordinator(TableFilter filter, IncrementalSnapshotConfig incremental) {
        BinlogSourceConfig source = new BinlogSourceConfig(List.of(new BinlogSourceConfig.HostPort(server.host(), server.port())),
                MariaDbServer.CDC_USER, MariaDbServer.CDC_PASSWORD, 7_000 + (long) (Math.random() * 1_000), Duration.ofSeconds(10),
                Duration.ofSeconds(5), null, filter, StartPosition.latest(), "test", Duration.ZERO, DdlOutput.DEFAULT);
        CaptureLogger logger = CaptureLogger.slf4j(IncrementalSnapshotIT.class);
        return new CaptureCoordinator<>(new MySqlSnapshotSource(source, ConsistencyMethod.AUTO, logger),
                new BinlogStreamingSource(source, logger),
                new CaptureCoordinator.Config(SnapshotPolicy.NO_DATA, 1000, Duration.ofMillis(300)), incremental, logger);
    }
}
