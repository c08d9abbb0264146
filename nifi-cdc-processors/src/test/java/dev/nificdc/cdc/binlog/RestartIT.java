package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server dies while the reader streams; after it comes back the reader reconnects and continues without loss or duplicate. */
class RestartIT {

    @Test
    void reconnectsAfterServerCrashWithoutLossOrDuplicate() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("restart");
            String t = db + ".t";
            server.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, v VARCHAR(10))");
            try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.latest()).build()) {
                reader.start();
                List<Integer> ids = new ArrayList<>();
                for (int i = 1; i <= 5; i++) {
                    server.execute("INSERT INTO " + t + " VALUES (" + i + ", 'before')");
                }
                // a multi-row transaction whose changes are still partly unread when the server dies
                server.execute("BEGIN", "INSERT INTO " + t + " VALUES (6, 'tx'), (7, 'tx'), (8, 'tx')", "COMMIT");
                BinlogTestSupport.poll(reader, 6).forEach(c -> ids.add((Integer) c.event().after()[0]));

                server.kill();
                server.startAgain();
                for (int i = 9; i <= 12; i++) {
                    server.execute("INSERT INTO " + t + " VALUES (" + i + ", 'after')");
                }
                BinlogTestSupport.poll(reader, 6).forEach(c -> ids.add((Integer) c.event().after()[0]));
                BinlogTestSupport.assertNoMore(reader, 500);
                assertEquals(IntStream.rangeClosed(1, 12).boxed().toList(), ids);
                assertTrue(reader.metrics().reconnects() >= 1, "reconnected");
                assertEquals(12, reader.metrics().changes(dev.nificdc.cdc.record.Operation.CREATE));
                assertTrue(reader.metrics().lastChangeSourceMillis() > 0);
            }
        }
    }

    @Test
    void reconnectsInsideAPartlyEmittedTransaction() throws Exception {
        int rows = 150_000; // ~45 MB of row events: more than the socket buffers hold, so the crash cuts the transaction
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("restart_tx");
            String t = db + ".t";
            server.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, v VARCHAR(300))");
            List<String> warnings = java.util.Collections.synchronizedList(new ArrayList<>());
            BinlogConnectionConfig config = BinlogConnectionConfig.builder(server.host(), server.port(), MariaDbServer.CDC_USER,
                            MariaDbServer.CDC_PASSWORD).serverId(9999).queueCapacity(1)
                    .reconnectBackoff(java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(2)).build();
            try (BinlogReader reader = BinlogReader.builder(config).jdbc(server::cdcConnection)
                    .filter(TableFilter.of(List.of(java.util.regex.Pattern.quote(db)), List.of(), List.of(), List.of(), List.of()))
                    .logger(DdlReplayIT.recording(warnings)).startPosition(StartPosition.latest()).build()) {
                reader.start();
                server.execute("SET SESSION max_recursive_iterations = 1000000",
                        "INSERT INTO " + t + " WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < " + rows
                                + ") SELECT n, REPEAT('x', 300) FROM s");
                List<Integer> ids = new ArrayList<>();
                // the network thread is now blocked on the one-slot queue in the middle of the transaction
                BinlogTestSupport.poll(reader, 100).forEach(c -> ids.add((Integer) c.event().after()[0]));
                server.kill();
                server.startAgain();
                BinlogTestSupport.poll(reader, rows - 100).forEach(c -> ids.add((Integer) c.event().after()[0]));
                BinlogTestSupport.assertNoMore(reader, 500);
                assertEquals(IntStream.rangeClosed(1, rows).boxed().toList(), ids);
                assertTrue(reader.metrics().reconnects() >= 1, "reconnected");
                assertTrue(warnings.stream().anyMatch(w -> w.contains("reconnecting") && w.contains(" changes)")),
                        "the connection dropped inside the transaction: " + warnings);
            }
        }
    }
}
