package dev.nificdc.bench;

import dev.nificdc.cdc.binlog.BinlogConnectionConfig;
import dev.nificdc.cdc.binlog.BinlogReader;
import dev.nificdc.cdc.binlog.StartPosition;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.engine.ChangeStream;
import dev.nificdc.cdc.record.ChangeEvent;

import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A decomposition figure between (a) and (b): nifi-cdc's capture engine alone ({@link BinlogReader}, no NiFi types),
 * reading the range into change events (unsigned values, charsets, JSON text, temporals, schemas from TABLE_MAP
 * metadata) and keeping them, without records or a Record Writer. The events it keeps feed {@link WriterOnlyCapture}.
 */
final class EngineCapture implements BinlogCaptureCandidate {
    private static final long SERVER_ID = 61_002;
    private List<ChangeEvent> lastEvents = List.of();

    @Override
    public String name() {
        return "engine-only";
    }

    /** The change events of the last capture, in binlog order; the capture lets go of them, so they can be collected. */
    List<ChangeEvent> takeEvents() {
        List<ChangeEvent> events = lastEvents;
        lastEvents = List.of();
        return events;
    }

    @Override
    public CaptureMeasurement capture(BinlogRange range) throws Exception {
        List<ChangeEvent> events = new ArrayList<>((int) range.expected().total());
        long start = System.nanoTime();
        long cpuStart = CaptureMeasurement.processCpuNanos();
        try (BinlogReader reader = reader(range)) {
            reader.start();
            pollAll(reader, range.expected().total(), start, events);
            long nanos = System.nanoTime() - start;
            long cpuNanos = CaptureMeasurement.processCpuNanos() - cpuStart;
            lastEvents = events;
            return new CaptureMeasurement(count(events), nanos, cpuNanos);
        }
    }

    private static BinlogReader reader(BinlogRange range) {
        BinlogConnectionConfig config = BinlogConnectionConfig.builder(range.host(), range.port(), range.user(), range.password())
                .serverId(SERVER_ID).build();
        return BinlogReader.builder(config)
                .filter(TableFilter.of(List.of(range.database()), List.of(), List.of(), List.of(), List.of()))
                .startPosition(new StartPosition.FilePosition(range.startFile(), range.startPosition()))
                .jdbc(() -> {
                    Properties properties = new Properties();
                    properties.setProperty("user", range.user());
                    properties.setProperty("password", range.password());
                    return DriverManager.getConnection("jdbc:mariadb://" + range.host() + ":" + range.port() + "/", properties);
                })
                .logger(CaptureLogger.slf4j(EngineCapture.class))
                .build();
    }

    /** Polls {@code stream} into {@code events} until it holds {@code expected}; fails 10 minutes after {@code start}. */
    static void pollAll(ChangeStream<?> stream, long expected, long start, List<ChangeEvent> events) throws InterruptedException {
        long deadline = start + Duration.ofMinutes(10).toNanos();
        while (events.size() < expected) {
            CapturedChange<?> change = stream.poll(Duration.ofMillis(100));
            if (change != null) {
                events.add(change.event());
            } else if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The engine read " + events.size() + " of " + expected + " changes in 10 minutes");
            }
        }
    }

    static OrdersWorkload.Counts count(List<ChangeEvent> events) {
        long inserts = 0;
        long updates = 0;
        long deletes = 0;
        for (ChangeEvent event : events) {
            switch (event.op()) {
                case CREATE -> inserts++;
                case UPDATE -> updates++;
                case DELETE -> deletes++;
                default -> throw new IllegalStateException("Unexpected operation " + event.op());
            }
        }
        return new OrdersWorkload.Counts(inserts, updates, deletes);
    }
}
