package dev.nificdc.bench;

import dev.nificdc.cdc.emit.ChangeRecordFactory;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.cdc.record.SourceFields;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.WriteResult;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.util.List;
import java.util.Map;

/**
 * Two decomposition figures: the change events the engine captured, turned into change records by nifi-cdc's
 * {@link ChangeRecordFactory} and written by NiFi's real AvroRecordSetWriter in sets of 10,000 (the processor's default
 * Max Changes Per FlowFile) into a stream that only counts bytes. No binlog, no session, no FlowFile: the cost of the
 * record path alone ({@code records+writer-only}), and of NiFi's writer alone with the records built beforehand
 * ({@code nifi-writer-only}): the most any processor writing these records through NiFi's Record API on one thread
 * can reach.
 */
final class WriterOnlyCapture {
    private static final int PER_FLOWFILE = 10_000;
    private final AvroRecordSetWriter avro = new AvroRecordSetWriter();
    private final TestRunner runner;
    private final SourceFields<?> sourceFields;

    /** Writes change records with the source block of {@code sourceFields} (the binlog's, or PostgreSQL's). */
    WriterOnlyCapture(SourceFields<?> sourceFields) throws Exception {
        this.sourceFields = sourceFields;
        runner = TestRunners.newTestRunner(MockFrameworkCapture.NoOpProcessor.class);
        runner.addControllerService("avro", avro);
        runner.setProperty(avro, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.INHERIT_RECORD_SCHEMA.getValue());
        runner.enableControllerService(avro);
    }

    static final String RECORDS_AND_WRITER = "records+writer-only";
    static final String WRITER = "nifi-writer-only";

    /** Builds the records while writing ({@link #RECORDS_AND_WRITER}), or before the clock starts ({@link #WRITER}). */
    CaptureMeasurement write(List<ChangeEvent> events, boolean recordsBuiltBefore) throws Exception {
        ChangeRecordFactory records = new ChangeRecordFactory(OutputShape.ENVELOPE, sourceFields, "");
        List<List<Record>> prebuilt = recordsBuiltBefore ? events.stream().map(records::toRecords).toList() : null;
        DiscardingOutputStream out = new DiscardingOutputStream();
        long written = 0;
        long start = System.nanoTime();
        long cpuStart = CaptureMeasurement.processCpuNanos();
        for (int from = 0; from < events.size(); from += PER_FLOWFILE) {
            int to = Math.min(events.size(), from + PER_FLOWFILE);
            try (RecordSetWriter writer = avro.createWriter(runner.getLogger(), records.recordSchema(events.get(from).schema()), out, Map.of())) {
                writer.beginRecordSet();
                for (int i = from; i < to; i++) {
                    for (Record record : prebuilt != null ? prebuilt.get(i) : records.toRecords(events.get(i))) {
                        writer.write(record);
                    }
                }
                WriteResult result = writer.finishRecordSet();
                written += result.getRecordCount();
            }
        }
        long nanos = System.nanoTime() - start;
        long cpuNanos = CaptureMeasurement.processCpuNanos() - cpuStart;
        if (written != events.size() || out.bytes() == 0) {
            throw new IllegalStateException("The writer wrote " + written + " records (" + out.bytes() + " bytes) of " + events.size() + " events");
        }
        return new CaptureMeasurement(EngineCapture.count(events), nanos, cpuNanos);
    }
}
