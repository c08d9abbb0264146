package dev.nificdc.cdc.core.engine;

import dev.nificdc.cdc.core.SourceOffset;
import dev.nificdc.cdc.core.snapshot.IncrementalSnapshotProgress;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.testsupport.RandomRowWriter;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The convergence test of incremental snapshots, for any source engine: while writers insert, update (also primary keys)
 * and delete random rows of the table being read, and while runs fail to commit, crash inside their commit (output
 * delivered, state not stored) and restart, replaying every record handed out (chunks and stream) into a map by primary
 * key must give exactly the source table.
 */
public final class IncrementalConvergence {
    private IncrementalConvergence() {
    }

    /**
     * The source under test.
     *
     * @param <O> its offset type
     */
    public interface Source<O extends SourceOffset<O>> {
        /**
         * A new coordinator (a processor start) that captures the tables {@code t} and {@code marker} and takes incremental
         * snapshots in chunks of {@code chunkSize} rows.
         */
        CaptureCoordinator<O> coordinator(int chunkSize);

        /** A connection that may write the source tables. */
        Connection connection() throws SQLException;

        /** How SQL names the table {@code name} on this connection. */
        String sqlName(String name);

        /** The regular expression a request names the table {@code name} with ({@code database.table}). */
        String requestPattern(String name);
    }

    /**
     * What a convergence run saw.
     *
     * @param chunkRuns      committed chunk runs with rows
     * @param faults         failed and crashed commits
     * @param writesDuring   writer transactions committed while the table was read
     * @param rowsRead       rows of committed chunk runs
     * @param snapshotMillis from the request to the last chunk's commit
     */
    public record Outcome(int chunkRuns, int faults, long writesDuring, long rowsRead, long snapshotMillis) {
        public double rowsPerSecond() {
            return rowsRead * 1000.0 / Math.max(1, snapshotMillis);
        }
    }

    /**
     * Requests an incremental snapshot of {@code t} (holding {@code (key, v, n)} rows) while two writers change it (from
     * before the request to after the snapshot ended), drives the coordinator with random faults until the snapshot is
     * done, stops the writers, streams until a marker row written after them arrives, and compares the replay with the
     * table.
     */
    public static <O extends SourceOffset<O>> Outcome converge(Source<O> source, String keyColumn, int keySpace,
                                                             IntFunction<Object> keyOf, int chunkSize, long seed) throws Exception {
        KeyedReplay replay = new KeyedReplay("t");
        boolean[] marker = {false};
        Consumer<List<ChangeEvent>> delivered = changes -> {
            replay.apply(changes);
            marker[0] |= changes.get(0).schema().table().equals("marker");
        };
        Outcome outcome;
        try (FaultyDriver<O> driver = new FaultyDriver<>(() -> source.coordinator(chunkSize), delivered, seed)) {
            driver.runUntil("the start position", Duration.ofSeconds(30), state -> !state.isEmpty());
            try (RandomRowWriter writer = new RandomRowWriter(source::connection, source.sqlName("t"), keyColumn, keySpace, keyOf).start(2)) {
                driver.runUntil("writes before the request", Duration.ofSeconds(60), state -> writer.transactions() >= 150);
                driver.request(List.of(Pattern.compile(source.requestPattern("t"))));
                long writesBefore = writer.transactions();
                long started = System.nanoTime();
                driver.runUntil("the incremental snapshot", Duration.ofSeconds(150),
                        state -> !IncrementalSnapshotProgress.fromStateMap(state).pending());
                long snapshotMillis = (System.nanoTime() - started) / 1_000_000;
                long writesDuring = writer.transactions() - writesBefore;
                long writesAtEnd = writer.transactions();
                driver.runUntil("writes after the snapshot", Duration.ofSeconds(60), state -> writer.transactions() >= writesAtEnd + 150);
                // a table read in one chunk may be read between two writer transactions; one read in several is written between them
                long writesExpected = driver.chunkRuns > 10 ? 101 : driver.chunkRuns > 1 ? 1 : 0;
                assertTrue(writesDuring >= writesExpected, "the table was written while it was read: " + writesDuring
                        + " transactions in " + driver.chunkRuns + " chunk runs");
                outcome = new Outcome(driver.chunkRuns, driver.faultCount, writesDuring, driver.rowsRead, snapshotMillis);
            }
            execute(source, "INSERT INTO " + source.sqlName("marker") + " VALUES (1)");
            // the stream may lag thousands of writer transactions behind when the writers stop (chunks of 7 alternate with
            // streaming runs, and faults re-read): catching up is waited for generously, it is not what is measured
            driver.runUntil("the stream to reach the marker written after the writers stopped", Duration.ofSeconds(240), state -> marker[0]);
        }
        try (Connection c = source.connection()) {
            replay.assertEquals(KeyedReplay.table(c, source.sqlName("t"), List.of(keyColumn)), "replayed records vs. the table");
        }
        return outcome;
    }

    public static void execute(Source<?> source, String... statements) throws SQLException {
        try (Connection c = source.connection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /**
     * Drives a coordinator as NiFi would, with faults: commits that fail, crashes inside the commit (output delivered,
     * state not stored) and restarts; every record delivered goes to {@code delivered}, and after a good commit the
     * coordinator learns it ({@link CaptureCoordinator#committed}).
     */
    public static final class FaultyDriver<O extends SourceOffset<O>> implements AutoCloseable {
        private final Supplier<CaptureCoordinator<O>> coordinators;
        private final Consumer<List<ChangeEvent>> delivered;
        private final Random faults;
        private CaptureCoordinator<O> coordinator;
        private Map<String, String> state = new HashMap<>();
        private int chunkRuns;
        private int faultCount;
        private long rowsRead;

        public FaultyDriver(Supplier<CaptureCoordinator<O>> coordinators, Consumer<List<ChangeEvent>> delivered, long seed) {
            this.coordinators = coordinators;
            this.delivered = delivered;
            this.faults = new Random(seed);
            this.coordinator = coordinators.get();
        }

        /** Queues an incremental snapshot of the tables matching {@code patterns} and stores the state. */
        public void request(List<Pattern> patterns) {
            state = coordinator.requestIncrementalSnapshot(state, patterns).state();
        }

        /** Runs until {@code done} holds for the stored state, failing after {@code timeout}. */
        public void runUntil(String what, Duration timeout, Predicate<Map<String, String>> done) throws InterruptedException {
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
                    coordinator.committed(run);
                    if (run.kind() == CaptureRun.Kind.INCREMENTAL_SNAPSHOT && run.outputUnits() > 0) {
                        chunkRuns++; // committed ones only: a chunk whose commit failed or crashed is read again
                        rowsRead += run.counters().getOrDefault("Incremental snapshot rows read", 0L);
                    }
                    if (dice < 11) {
                        restart(); // after a good commit
                    }
                }
            }
        }

        public Map<String, String> state() {
            return state;
        }

        public int chunkRuns() {
            return chunkRuns;
        }

        private void restart() {
            coordinator.close();
            coordinator = coordinators.get();
        }

        @Override
        public void close() {
            coordinator.close();
        }
    }
}
