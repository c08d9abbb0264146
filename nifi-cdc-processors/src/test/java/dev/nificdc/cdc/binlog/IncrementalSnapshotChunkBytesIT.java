package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.binlog.snapshot.ConsistencyMethod;
import dev.nificdc.cdc.binlog.snapshot.MySqlSnapshotSource;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.CaptureRun;
import dev.nificdc.cdc.core.engine.IncrementalSnapshotConfig;
import dev.nificdc.cdc.core.engine.SnapshotPolicy;
import dev.nificdc.cdc.core.snapshot.IncrementalSnapshotProgress;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ChangeSize;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The byte limit of an incremental snapshot chunk, through the MySQL capture engine against the private MariaDB: a table
 * of wide rows (10,000 characters each, about 20 KB as the engine holds them) read with a row limit far above its row
 * count ends its chunks at the byte limit, each at the row that reaches it; with the default limit the same table is
 * one chunk.
 */
class IncrementalSnapshotChunkBytesIT {
    private static final int ROWS = 20;
    private static final int WIDTH = 10_000;
    private static final long LIMIT = 64L << 10;
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

    @Test
    void aChunkEndsAtItsByteLimitBeforeItsRowLimit() throws Exception {
        String db = wideTable("bytes");
        List<List<ChangeEvent>> chunks = chunks(db, new IncrementalSnapshotConfig(false, filter(db), 1_000, LIMIT));

        long rowBytes = ChangeSize.of(chunks.get(0).get(0).after());
        assertTrue(rowBytes > WIDTH && rowBytes < LIMIT / 3, "a row takes about 20 KB: " + rowBytes);
        int rowsPerChunk = (int) ((LIMIT + rowBytes - 1) / rowBytes); // the row that reaches the limit ends the chunk
        assertEquals(4, rowsPerChunk);
        assertEquals(List.of(4, 4, 4, 4, 4), chunks.stream().map(List::size).toList(), "20 rows in chunks of 64 KB, not one chunk of 1,000 rows");
        for (List<ChangeEvent> chunk : chunks.subList(0, chunks.size() - 1)) {
            long bytes = chunk.stream().mapToLong(e -> ChangeSize.of(e.after())).sum();
            long withoutLast = bytes - ChangeSize.of(chunk.get(chunk.size() - 1).after());
            assertTrue(bytes >= LIMIT && withoutLast < LIMIT, "the chunk ends at the row that reaches the limit: " + bytes);
        }
        assertEquals(ROWS, chunks.stream().mapToInt(List::size).sum());
        assertTrue(chunks.stream().flatMap(List::stream).allMatch(e -> e.op() == Operation.READ));
    }

    @Test
    void withTheDefaultLimitTheSameTableIsOneChunk() throws Exception {
        String db = wideTable("bytes_default");
        List<List<ChangeEvent>> chunks = chunks(db, new IncrementalSnapshotConfig(false, filter(db), 1_000));
        assertEquals(List.of(ROWS), chunks.stream().map(List::size).toList());
    }

    private static String wideTable(String name) {
        String db = server.createDatabase(name);
        server.execute("CREATE TABLE " + db + ".wide (id INT PRIMARY KEY, v TEXT)");
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= ROWS; i++) {
            rows.append(i > 1 ? ", " : "").append("(").append(i).append(", REPEAT('x', ").append(WIDTH).append("))");
        }
        server.execute("INSERT INTO " + db + ".wide VALUES " + rows);
        return db;
    }

    /** Requests an incremental snapshot of the table and returns the rows of each chunk run, in order. */
    private static List<List<ChangeEvent>> chunks(String db, IncrementalSnapshotConfig incremental) throws Exception {
        List<List<ChangeEvent>> chunks = new ArrayList<>();
        try (CaptureCoordinator<BinlogOffset> coordinator = coordinator(incremental)) {
            Map<String, String> state = coordinator.run(new HashMap<>(), (changes, seq) -> {
            }).state(); // no_data: the current end of the binlog
            state = coordinator.requestIncrementalSnapshot(state, List.of(Pattern.compile(Pattern.quote(db) + "\\.wide"))).state();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (IncrementalSnapshotProgress.fromStateMap(state).pending()) {
                assertTrue(System.nanoTime() < deadline, "the incremental snapshot did not finish");
                List<ChangeEvent> written = new ArrayList<>();
                CaptureRun run = coordinator.run(state, (changes, seq) -> written.addAll(changes));
                if (run.kind() == CaptureRun.Kind.INCREMENTAL_SNAPSHOT) {
                    chunks.add(written);
                }
                if (run.state() != null) {
                    state = run.state();
                }
            }
        }
        return chunks;
    }

    private static TableFilter filter(String db) {
        return TableFilter.of(List.of(), List.of(), List.of(Pattern.quote(db) + "\\.wide"), List.of(), List.of());
    }

    private static CaptureCoordinator<BinlogOffset> coordinator(IncrementalSnapshotConfig incremental) {
        BinlogSourceConfig source = new BinlogSourceConfig(List.of(new BinlogSourceConfig.HostPort(server.host(), server.port())),
                MariaDbServer.CDC_USER, MariaDbServer.CDC_PASSWORD, 8_000 + (long) (Math.random() * 1_000), Duration.ofSeconds(10),
                Duration.ofSeconds(5), null, incremental.filter(), StartPosition.latest(), "test", Duration.ZERO, DdlOutput.DEFAULT);
        CaptureLogger logger = CaptureLogger.slf4j(IncrementalSnapshotChunkBytesIT.class);
        return new CaptureCoordinator<>(new MySqlSnapshotSource(source, ConsistencyMethod.AUTO, logger),
                new BinlogStreamingSource(source, logger),
                new CaptureCoordinator.Config(SnapshotPolicy.NO_DATA, 1000, Duration.ofMillis(300)), incremental, logger);
    }
}
