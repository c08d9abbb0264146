package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.testsupport.MariaDbServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Builds readers against the private test MariaDB and collects their changes. */
final class BinlogTestSupport {
    private static final AtomicLong SERVER_IDS = new AtomicLong(1000);

    private BinlogTestSupport() {
    }

    static BinlogConnectionConfig config(MariaDbServer server) {
        return BinlogConnectionConfig.builder(server.host(), server.port(), MariaDbServer.CDC_USER, MariaDbServer.CDC_PASSWORD)
                .serverId(SERVER_IDS.incrementAndGet())
                .connectTimeout(Duration.ofSeconds(10))
                .heartbeatInterval(Duration.ofSeconds(5))
                .reconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(2))
                .logicalName("test")
                .build();
    }

    static BinlogReader.Builder reader(MariaDbServer server, String database) {
        return BinlogReader.builder(config(server))
                .jdbc(server::cdcConnection)
                .filter(TableFilter.of(List.of(java.util.regex.Pattern.quote(database)), List.of(), List.of(), List.of(), List.of()));
    }

    /** Polls exactly {@code count} changes, failing when they do not arrive within 30 s. */
    static List<CapturedChange<BinlogOffset>> poll(BinlogReader reader, int count) throws InterruptedException {
        List<CapturedChange<BinlogOffset>> changes = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (changes.size() < count && System.currentTimeMillis() < deadline) {
            CapturedChange<BinlogOffset> c = reader.poll(Duration.ofMillis(200));
            if (c != null) {
                changes.add(c);
            }
        }
        if (changes.size() < count) {
            throw new AssertionError("Expected " + count + " changes, got " + changes.size() + ": " + changes);
        }
        return changes;
    }

    /** Asserts that no further change arrives within {@code millis}. */
    static void assertNoMore(BinlogReader reader, long millis) throws InterruptedException {
        CapturedChange<BinlogOffset> extra = reader.poll(Duration.ofMillis(millis));
        if (extra != null) {
            throw new AssertionError("Unexpected extra change " + extra.event().op() + " " + java.util.Arrays.toString(
                    extra.event().after() != null ? extra.event().after() : extra.event().before()));
        }
    }
}
