package dev.nificdc.bench;

import dev.nificdc.cdc.processors.CaptureBinlogChange;
import dev.nificdc.cdc.processors.InitialBinlogPosition;
import dev.nificdc.cdc.processors.SnapshotMode;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

/**
 * Candidate (b): CaptureBinlogChange as packaged, run by NiFi's mock framework with NiFi's real AvroRecordSetWriter
 * ("Inherit Record Schema"), every property at its default except the connection and where to start. Timed from the
 * first run (which connects) until the processor's counters, which commit with the FlowFiles, account for every
 * change; then every FlowFile's Avro content is decoded and its envelopes counted by operation.
 */
final class MockFrameworkCapture implements BinlogCaptureCandidate {
    static final String CREATED = "Changes captured: create";
    static final String UPDATED = "Changes captured: update";
    static final String DELETED = "Changes captured: delete";
    private static final long TIMEOUT_NANOS = 10L * 60 * 1_000_000_000;

    @Override
    public String name() {
        return "mock-framework";
    }

    @Override
    public CaptureMeasurement capture(BinlogRange range) throws Exception {
        TestRunner runner = newRunner(range);
        long start = System.nanoTime();
        long cpuStart = CaptureMeasurement.processCpuNanos();
        long captured = 0;
        int runs = 0;
        while (captured < range.expected().total()) {
            runner.run(1, false, runs++ == 0);
            captured = counter(runner, CREATED) + counter(runner, UPDATED) + counter(runner, DELETED);
            if (System.nanoTime() - start > TIMEOUT_NANOS) {
                throw new IllegalStateException("CaptureBinlogChange captured " + captured + " of " + range.expected().total() + " changes in 10 minutes");
            }
        }
        long nanos = System.nanoTime() - start;
        long cpuNanos = CaptureMeasurement.processCpuNanos() - cpuStart;
        runner.run(1, true, false);
        OrdersWorkload.Counts decoded = decode(runner.getFlowFilesForRelationship("success"));
        OrdersWorkload.Counts counted = new OrdersWorkload.Counts(counter(runner, CREATED), counter(runner, UPDATED), counter(runner, DELETED));
        if (!decoded.equals(counted)) {
            throw new IllegalStateException("The processor's counters say " + counted + " but its FlowFiles hold " + decoded);
        }
        return new CaptureMeasurement(decoded, nanos, cpuNanos);
    }

    static TestRunner newRunner(BinlogRange range) throws InitializationException {
        TestRunner runner = TestRunners.newTestRunner(CaptureBinlogChange.class);
        AvroRecordSetWriter avro = new AvroRecordSetWriter();
        runner.addControllerService("avro", avro);
        runner.setProperty(avro, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.INHERIT_RECORD_SCHEMA.getValue());
        runner.enableControllerService(avro);
        runner.setProperty("Record Writer", "avro");
        runner.setProperty("Hosts", range.host() + ":" + range.port());
        runner.setProperty("Username", range.user());
        runner.setProperty("Password", range.password());
        runner.setProperty("Database Include Pattern", range.database());
        runner.setProperty("Snapshot Mode", SnapshotMode.NEVER.getValue());
        runner.setProperty("Initial Binlog Position", InitialBinlogPosition.FILE_POSITION.getValue());
        runner.setProperty("Initial Binlog File", range.startFile());
        runner.setProperty("Initial Binlog Position Offset", String.valueOf(range.startPosition()));
        runner.assertValid();
        return runner;
    }

    static long counter(TestRunner runner, String name) {
        Long value = runner.getCounterValue(name);
        return value == null ? 0 : value;
    }

    /** Counts the change envelopes of every FlowFile by their {@code op} field. */
    static OrdersWorkload.Counts decode(List<MockFlowFile> flowFiles) throws IOException {
        long inserts = 0;
        long updates = 0;
        long deletes = 0;
        for (MockFlowFile flowFile : flowFiles) {
            try (DataFileStream<GenericRecord> records = new DataFileStream<>(new ByteArrayInputStream(flowFile.toByteArray()), new GenericDatumReader<>())) {
                GenericRecord record = null;
                while (records.hasNext()) {
                    record = records.next(record);
                    switch (record.get("op").toString()) {
                        case "c" -> inserts++;
                        case "u" -> updates++;
                        case "d" -> deletes++;
                        default -> throw new IllegalStateException("Unexpected operation in " + record);
                    }
                }
            }
        }
        return new OrdersWorkload.Counts(inserts, updates, deletes);
    }

    /** A processor that does nothing: a runner to enable controller services in. */
    public static final class NoOpProcessor extends org.apache.nifi.processor.AbstractProcessor {
        @Override
        public void onTrigger(org.apache.nifi.processor.ProcessContext context, org.apache.nifi.processor.ProcessSession session) {
        }
    }
}
