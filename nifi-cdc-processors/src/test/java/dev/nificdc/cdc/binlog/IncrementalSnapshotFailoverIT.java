package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.binlog.snapshot.ConsistencyMethod;
import dev.nificdc.cdc.binlog.snapshot.MySqlSnapshotSource;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.CaptureRun;
import dev.nificdc.cdc.core.engine.IncrementalSnapshotConfig;
import dev.nificdc.cdc.core.engine.KeyedReplay;
import dev.nificdc.cdc.core.engine.SnapshotPolicy;
import dev.nificdc.cdc.core.snapshot.IncrementalSnapshotProgress;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.testsupport.MariaDbServer;
import dev.nificdc.testsupport.RandomRowWriter;
import dev.nificdc.testsupport.ReplicationTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An incremental snapshot across a host fail-over, through the MySQL capture engine without NiFi, on a real replication
 * topology: a MariaDB primary with two GTID replicas that log what they replicate. Capture reads replica 1 (the first
 * host) while writers change the primary; mid-backfill replica 1 is killed, the stream moves to replica 2 by GTID, and
 * the chunks follow it there; replica 1 then comes back as the first host of the list, and the chunks stay on replica 2,
 * where the stream reads. Replaying every record handed out (chunks and stream) gives exactly the primary's table.
 */
class IncrementalSnapshotFailoverIT {
    private static final int ROWS = 3000;
    private static final int KEY_SPACE = 5000;
    /** Small chunks: hundreds of them, so that many are left when replica 1 comes back. */
    private static final int CHUNK_SIZE = 5;
    @RegisterExtension
    static final ReplicationTopology TOPOLOGY = new ReplicationTopology();

    @Test
    void theBackfillFollowsTheStreamToTheNextHostAndConverges() throws Exception {
        String db = TOPOLOGY.primary().createDatabase("incr_failover");
        TOPOLOGY.primary().execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY, v VARCHAR(40), n BIGINT NOT NULL)",
                "CREATE TABLE " + db + ".marker (id INT PRIMARY KEY)");
        StringBuilder insert = new StringBuilder("INSERT INTO " + db + ".t VALUES ");
        for (int i = 1; i <= ROWS; i++) {
            insert.append(i > 1 ? ", " : "").append("(").append(i).append(", 'initial-").append(i).append("', ").append(i).append(")");
        }
        TOPOLOGY.primary().execute(insert.toString());
        TOPOLOGY.awaitReplicas();

        TableFilter filter = TableFilter.of(List.of(Pattern.quote(db)), List.of(), List.of(), List.of(), List.of());
        Driver driver = new Driver(filter);
        try (driver) {
            try (RandomRowWriter writer = new RandomRowWriter(TOPOLOGY.primary()::adminConnection, db + ".t", "id", KEY_SPACE, i -> i)
                .pauseBetweenTransactions(10).start(2)) {
            driver.runUntil("the start position", state -> !state.isEmpty());
            driver.runUntil("writes before the request", state -> writer.transactions() >= 100);
            driver.state = driver.coordinator.requestIncrementalSnapshot(driver.state,
                    List.of(Pattern.compile(Pattern.quote(db + ".t")))).state();
            driver.runUntil("five chunks on replica 1", state -> driver.chunksFrom(2) >= 5);

            TOPOLOGY.replica1().kill();
            driver.runUntil("the stream to continue on replica 2", state -> "3".equals(state.get(BinlogOffset.KEY_SERVER_ID)));
            assertTrue(IncrementalSnapshotProgress.fromStateMap(driver.state).pending(), "the backfill is still in progress");
            assertTrue(driver.chunks.contains(List.of(3L, 2L)), "while the stream still waited for replica 1, chunks were read"
                    + " on replica 2 and compared by GTID with the position streamed from replica 1: " + driver.chunks);

            TOPOLOGY.replica1().startAgain(); // the first host of the list answers again; the stream stays on replica 2
            TOPOLOGY.replica1().awaitReplicated(TOPOLOGY.primary().gtidBinlogPosition(), Duration.ofSeconds(60));
            int chunksBefore = driver.chunks.size();
            driver.runUntil("the backfill to finish", state -> !IncrementalSnapshotProgress.fromStateMap(state).pending());
            List<List<Long>> laterChunks = driver.chunks.subList(chunksBefore, driver.chunks.size());
            assertTrue(laterChunks.size() >= 10 && laterChunks.stream().allMatch(chunk -> chunk.equals(List.of(3L, 3L))),
                    "after replica 1 came back, the chunks are read on replica 2, where the stream reads: " + laterChunks);
            assertEquals("3", driver.state.get(BinlogOffset.KEY_SERVER_ID), "the stream stayed on replica 2");
            long writesAtEnd = writer.transactions();
            driver.runUntil("writes after the backfill", state -> writer.transactions() >= writesAtEnd + 100);
            }
            TOPOLOGY.primary().execute("INSERT INTO " + db + ".marker VALUES (1)");
            driver.runUntil("the marker written after the writers stopped", state -> driver.marker);
        }
        System.out.printf("IncrementalSnapshotFailoverIT: %d chunks on replica 1; on replica 2, %d compared by GTID with a"
                + " position streamed from replica 1 and %d with the stream there%n", driver.chunksFrom(2),
                driver.chunks.stream().filter(chunk -> chunk.equals(List.of(3L, 2L))).count(),
                driver.chunks.stream().filter(chunk -> chunk.equals(List.of(3L, 3L))).count());
        try (Connection c = TOPOLOGY.primary().adminConnection()) {
            driver.replay.assertEquals(KeyedReplay.table(c, db + ".t", List.of("id")), "replayed records vs. the primary's table");
        }
    }

    /** Runs a coordinator over the two replicas, replaying what it hands out and noting which server each chunk was read on. */
    private static final class Driver implements AutoCloseable {
        private final CaptureCoordinator<BinlogOffset> coordinator;
        private final KeyedReplay replay = new KeyedReplay("t");
        /** Per chunk run with rows: the server id its rows were read on, and the one of the stored streaming offset. */
        private final List<List<Long>> chunks = new ArrayList<>();
        private Map<String, String> state = new HashMap<>();
        private boolean marker;

        Driver(TableFilter filter) {
            BinlogSourceConfig source = new BinlogSourceConfig(List.of(hostPort(TOPOLOGY.replica1()), hostPort(TOPOLOGY.replica2())),
                    MariaDbServer.CDC_USER, MariaDbServer.CDC_PASSWORD, 8_000 + (long) (Math.random() * 1_000),
                    Duration.ofSeconds(5), Duration.ofSeconds(1), null, filter, StartPosition.latest(), "test",
                    Duration.ofSeconds(3), DdlOutput.DEFAULT);
            CaptureLogger logger = CaptureLogger.slf4j(IncrementalSnapshotFailoverIT.class);
            coordinator = new CaptureCoordinator<>(new MySqlSnapshotSource(source, ConsistencyMethod.AUTO, logger),
                    new BinlogStreamingSource(source, logger),
                    new CaptureCoordinator.Config(SnapshotPolicy.NO_DATA, 1000, Duration.ofMillis(300)),
                    new IncrementalSnapshotConfig(true, filter, CHUNK_SIZE), logger);
        }

        long chunksFrom(long serverId) {
            return chunks.stream().filter(chunk -> chunk.get(0) == serverId).count();
        }

        void runUntil(String what, Predicate<Map<String, String>> done) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (!done.test(state)) {
                assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; state " + state);
                List<ChangeEvent> output = new ArrayList<>();
                CaptureRun run = coordinator.run(state, (changes, seq) -> output.addAll(changes));
                if (run.state() == null) {
                    continue;
                }
                replay.apply(output);
                marker |= output.stream().anyMatch(c -> c.schema().table().equals("marker"));
                if (run.kind() == CaptureRun.Kind.INCREMENTAL_SNAPSHOT && !output.isEmpty()) {
                    assertTrue(output.stream().allMatch(c -> c.op() == Operation.READ));
                    chunks.add(List.of(((BinlogSourceInfo) output.get(0).source()).serverId(),
                            Long.parseLong(state.get(BinlogOffset.KEY_SERVER_ID))));
                }
                state = run.state();
            }
        }

        @Override
        public void close() {
            coordinator.close();
        }
    }

    private static BinlogSourceConfig.HostPort hostPort(MariaDbServer server) {
        return new BinlogSourceConfig.HostPort(server.host(), server.port());
    }
}
