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

    private static List<ChangeEvent> streamAll(CaptureCoordinator<BinlogOffset> coordinator, Map<String, String> stored, int count)
            throws InterruptedException {
        List<ChangeEvent> changes = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (changes.size() < count) {
            assertTrue(System.nanoTime() < deadline, "changes did not arrive: " + changes);
            coordinator.run(stored, (run, seq) -> changes.addAll(run));
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
