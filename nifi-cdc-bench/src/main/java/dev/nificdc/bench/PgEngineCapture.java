package dev.nificdc.bench;

import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.postgres.PgReplicationReader;
import dev.nificdc.cdc.postgres.PgSourceConfig;
import dev.nificdc.cdc.record.ChangeEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * A decomposition figure between (a) and (b): nifi-cdc's PostgreSQL engine alone ({@link PgReplicationReader}, no NiFi
 * types) reading the range into change events (values converted from pgoutput's text, schemas from Relation messages
 * and the catalog, the bounded read-ahead queue), polled and kept, without records or a Record Writer. The events it
 * keeps feed {@link WriterOnlyCapture}.
 */
final class PgEngineCapture implements PgCaptureCandidate {
    private List<ChangeEvent> lastEvents = List.of();

    @Override
    public String name() {
        return "engine-only";
    }

    /** The change events of the last capture, in commit order; the capture lets go of them, so they can be collected. */
    List<ChangeEvent> takeEvents() {
        List<ChangeEvent> events = lastEvents;
        lastEvents = List.of();
        return events;
    }

    @Override
    public Run capture(PgWalRange range, String slot) throws Exception {
        TableFilter filter = TableFilter.of(List.of("public"), List.of(), List.of(), List.of(), List.of())
                .withSystemNames(TableFilter.POSTGRES_SYSTEM_SCHEMAS);
        PgSourceConfig config = PgSourceConfig.of(range.host(), range.port(), range.database(), range.user(), "", slot,
                range.publication(), filter, "bench");
        List<ChangeEvent> events = new ArrayList<>((int) range.expected().total());
        long start = System.nanoTime();
        long cpuStart = CaptureMeasurement.processCpuNanos();
        PgReplicationReader reader = PgReplicationReader.start(config, null, CaptureLogger.slf4j(PgEngineCapture.class));
        try {
            EngineCapture.pollAll(reader, range.expected().total(), start, events);
            long nanos = System.nanoTime() - start;
            long cpuNanos = CaptureMeasurement.processCpuNanos() - cpuStart;
            lastEvents = events;
            return new Run(new CaptureMeasurement(EngineCapture.count(events), nanos, cpuNanos), range.walSenderCpuNanos(slot));
        } finally {
            reader.close();
        }
    }
}
