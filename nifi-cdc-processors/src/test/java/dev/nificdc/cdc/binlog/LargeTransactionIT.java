package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One 100,000-row transaction streams through a small queue: every row arrives once, in order, with offsets that count
 * the rows already emitted, and only the last one ends the transaction. Prints the rate it measured (no assertion on it).
 */
class LargeTransactionIT {
    private static final int ROWS = 100_000;

    @Test
    void streamsAHugeTransactionThroughABoundedQueue() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("large");
            String t = db + ".t";
            server.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(12,2), at DATETIME(6), flag BIT(1))");
            BinlogConnectionConfig config = BinlogConnectionConfig.builder(server.host(), server.port(), MariaDbServer.CDC_USER,
                    MariaDbServer.CDC_PASSWORD).serverId(8888).queueCapacity(1_000).build();
            try (BinlogReader reader = BinlogReader.builder(config).jdbc(server::cdcConnection)
                    .filter(TableFilter.of(java.util.List.of(java.util.regex.Pattern.quote(db)), java.util.List.of(),
                            java.util.List.of(), java.util.List.of(), java.util.List.of()))
                    .startPosition(StartPosition.latest()).build()) {
                reader.start();
                server.execute("SET SESSION max_recursive_iterations = 1000000",
                        "INSERT INTO " + t + " WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < " + ROWS + ")"
                                + " SELECT n, CONCAT('name-', n), n / 100, TIMESTAMP('2024-01-01 00:00:00') + INTERVAL n MICROSECOND, n % 2 FROM s");
                long started = System.nanoTime();
                BinlogOffset previous = null;
                for (int i = 1; i <= ROWS; i++) {
                    CapturedChange<BinlogOffset> c = reader.poll(Duration.ofSeconds(30));
                    assertEquals(i, c.event().after()[0]);
                    if (i < ROWS) {
                        assertFalse(c.endsTransaction());
                        assertEquals(i, c.offsetAfter().changesToSkip());
                    } else {
                        assertTrue(c.endsTransaction());
                        assertEquals(0, c.offsetAfter().changesToSkip());
                    }
                    assertEquals(ROWS == i ? c.event().transaction().totalOrder() : i, c.event().transaction().totalOrder());
                    if (previous != null) {
                        assertTrue(c.offsetAfter().compareTo(previous) > 0);
                    }
                    previous = c.offsetAfter();
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                System.out.printf("LargeTransactionIT: %d rows in %.2f s after the commit (%.0f rows/s, including the server writing them)%n",
                        ROWS, seconds, ROWS / seconds);
                assertEquals(null, reader.poll(Duration.ofMillis(300)));
            }
        }
    }
}
