package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.binlog.snapshot.ConsistencyMethod;
import dev.nificdc.cdc.binlog.snapshot.IncrementalSnapshotSupport;
import dev.nificdc.cdc.binlog.snapshot.MySqlSnapshotSource;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.CaptureRun;
import dev.nificdc.cdc.core.engine.IncrementalSnapshotConfig;
import dev.nificdc.cdc.core.engine.SnapshotPolicy;
import dev.nificdc.cdc.core.snapshot.IncrementalSnapshotProgress;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On MySQL, tables queued by Snapshot New Tables are dropped from the queue with a warning that gives the refusal's
 * reason, and capture streams on. No MySQL server runs here: a real MariaDB reporting a MySQL version string
 * ({@code --version=8.0.36}) takes the processor's MySQL path for this decision.
 */
class IncrementalSnapshotRefusalIT {
    private static final String MYSQL_VERSION = "8.0.36";

    @Test
    void tablesQueuedOnMySqlAreDroppedWithTheReasonAndStreamingGoesOn() throws Exception {
        try (MariaDbServer mysqlLike = MariaDbServer.start(new MariaDbServer.Options().arg("--version=" + MYSQL_VERSION))) {
            String db = mysqlLike.createDatabase("refused");
            mysqlLike.execute("CREATE TABLE " + db + ".a (id INT PRIMARY KEY)", "CREATE TABLE " + db + ".b (id INT PRIMARY KEY)",
                    "INSERT INTO " + db + ".b VALUES (1), (2)");
            TableFilter onlyA = tables(db, "a");
            TableFilter both = tables(db, "a|b");
            List<String> warnings = Collections.synchronizedList(new ArrayList<>());
            Map<String, String> state;
            try (CaptureCoordinator<BinlogOffset> coordinator = coordinator(mysqlLike, onlyA, warnings)) {
                state = coordinator.run(new HashMap<>(), (changes, seq) -> {
                }).state();
            }
            try (CaptureCoordinator<BinlogOffset> coordinator = coordinator(mysqlLike, both, warnings)) {
                CaptureRun queued = coordinator.run(state, (changes, seq) -> {
                });
                assertEquals(List.of(new SnapshotTable(db, "b")), IncrementalSnapshotProgress.fromStateMap(queued.state()).queue());
                state = queued.state();
                mysqlLike.execute("INSERT INTO " + db + ".a VALUES (7)");
                List<Object> streamed = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (IncrementalSnapshotProgress.fromStateMap(state).pending() || streamed.isEmpty()) {
                    assertTrue(System.nanoTime() < deadline, "the queue was not dropped or the insert not streamed: " + state);
                    CaptureRun run = coordinator.run(state, (changes, seq) -> changes.forEach(c -> streamed.add(c.after()[0])));
                    if (run.state() != null) {
                        state = run.state();
                    }
                }
                assertEquals(List.of(7), streamed, "streaming went on; no row of b was read");
            }
            String refusal = IncrementalSnapshotSupport.of(MYSQL_VERSION, "MariaDB Server").explanation();
            assertTrue(warnings.contains(refusal + " The incremental snapshot of " + db + ".b is dropped."), "warned: " + warnings);
            assertFalse(IncrementalSnapshotProgress.fromStateMap(state).pending());
        }
    }

    private static TableFilter tables(String db, String names) {
        return TableFilter.of(List.of(), List.of(), List.of(Pattern.quote(db) + "\\.(" + names + ")"), List.of(), List.of());
    }

    private static CaptureCoordinator<BinlogOffset> coordinator(MariaDbServer server, TableFilter filter, List<String> warnings) {
        BinlogSourceConfig source = new BinlogSourceConfig(List.of(new BinlogSourceConfig.HostPort(server.host(), server.port())),
                MariaDbServer.CDC_USER, MariaDbServer.CDC_PASSWORD, 9_000 + (long) (Math.random() * 1_000), Duration.ofSeconds(10),
                Duration.ofSeconds(5), null, filter, StartPosition.latest(), "test", Duration.ZERO, DdlOutput.DEFAULT);
        CaptureLogger logger = DdlReplayIT.recording(warnings);
        return new CaptureCoordinator<>(new MySqlSnapshotSource(source, ConsistencyMethod.AUTO, logger),
                new BinlogStreamingSource(source, logger),
                new CaptureCoordinator.Config(SnapshotPolicy.NO_DATA, 1000, Duration.ofMillis(300)),
                new IncrementalSnapshotConfig(true, filter, 100), logger);
    }
}
