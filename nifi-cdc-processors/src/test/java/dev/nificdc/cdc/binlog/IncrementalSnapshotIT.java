package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.binlog.snapshot.ConsistencyMethod;
import dev.nificdc.cdc.binlog.snapshot.MySqlSnapshotSource;
import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.CaptureRun;
import dev.nificdc.cdc.core.engine.IncrementalConvergence;
import dev.nificdc.cdc.core.engine.KeyedReplay;
import dev.nificdc.cdc.core.engine.IncrementalSnapshotConfig;
import dev.nificdc.cdc.core.engine.SnapshotPolicy;
import dev.nificdc.cdc.core.snapshot.IncrementalSnapshotProgress;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
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
        IncrementalConvergence.Outcome outcome = converge(db, "id", i -> i, chunkSize);
        int expectedChunks = (int) Math.ceil((double) ROWS / chunkSize);
        assertTrue(outcome.chunkRuns() >= Math.min(expectedChunks, 3), "chunks read: " + outcome.chunkRuns());
    }

    @Test
    void aTableWithATextKeyIsReadInOneRunAndConverges() throws Exception {
        String db = server.createDatabase("incr_text");
        server.execute("CREATE TABLE " + db + ".t (code VARCHAR(20) PRIMARY KEY, v VARCHAR(40), n BIGINT NOT NULL)");
        fill(db + ".t", i -> "k" + i);
        IncrementalConvergence.Outcome outcome = converge(db, "code", i -> "k" + i, 50);
        assertEquals(1, outcome.chunkRuns(), "a key Java cannot order is read in one run");
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
        try (Connection c = server.adminConnection()) {
            replay.assertEquals(KeyedReplay.table(c, db + ".b", List.of("id")), "replayed records of b vs. the table");
        }

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

    /** The private MariaDB's database {@code db} as a source of the shared convergence test. */
    private static IncrementalConvergence.Source<BinlogOffset> source(String db) {
        server.execute("CREATE TABLE " + db + ".marker (id INT PRIMARY KEY)");
        TableFilter filter = TableFilter.of(List.of(Pattern.quote(db)), List.of(), List.of(), List.of(), List.of());
        return new IncrementalConvergence.Source<>() {
            @Override
            public CaptureCoordinator<BinlogOffset> coordinator(int chunkSize) {
                return IncrementalSnapshotIT.coordinator(filter, new IncrementalSnapshotConfig(true, filter, chunkSize));
            }

            @Override
            public Connection connection() throws SQLException {
                return server.adminConnection();
            }

            @Override
            public String sqlName(String name) {
                return db + "." + name;
            }

            @Override
            public String requestPattern(String name) {
                return Pattern.quote(db + "." + name);
            }
        };
    }

    private static IncrementalConvergence.Outcome converge(String db, String keyColumn, IntFunction<Object> keyOf, int chunkSize)
            throws Exception {
        IncrementalConvergence.Outcome outcome = IncrementalConvergence.converge(source(db), keyColumn, KEY_SPACE, keyOf, chunkSize, chunkSize);
        System.out.printf("IncrementalSnapshotIT %s chunk size %d: %d chunk runs, %d faults, %d writer transactions during"
                + " the snapshot%n", keyColumn, chunkSize, outcome.chunkRuns(), outcome.faults(), outcome.writesDuring());
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
