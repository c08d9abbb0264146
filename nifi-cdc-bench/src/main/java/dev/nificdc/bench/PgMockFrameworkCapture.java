package dev.nificdc.bench;

import dev.nificdc.cdc.processors.CapturePostgresChange;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.util.concurrent.TimeUnit;

/**
 * Candidate (b): CapturePostgresChange as packaged, run by NiFi's mock framework with NiFi's real AvroRecordSetWriter
 * ("Inherit Record Schema"), every property at its default except the connection, the slot and publication, and
 * Snapshot Mode never (stream from the slot's position). Timed from the first run (which connects) until the
 * processor's counters, which commit with the FlowFiles, account for every change; then every FlowFile's Avro content
 * is decoded and its envelopes counted by operation.
 */
final class PgMockFrameworkCapture implements PgCaptureCandidate {
    private static final long TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);

    @Override
    public String name() {
        return "mock-framework";
    }

    @Override
    public Run capture(PgWalRange range, String slot) throws Exception {
        TestRunner runner = newRunner(range.host(), range.port(), range.database(), slot, range.publication(), "never");
        long start = System.nanoTime();
        long cpuStart = CaptureMeasurement.processCpuNanos();
        long captured = 0;
        int runs = 0;
        while (captured < range.expected().total()) {
            runner.run(1, false, runs++ == 0);
            captured = MockFrameworkCapture.counter(runner, MockFrameworkCapture.CREATED) + MockFrameworkCapture.counter(runner, MockFrameworkCapture.UPDATED)
                    + MockFrameworkCapture.counter(runner, MockFrameworkCapture.DELETED);
            if (System.nanoTime() - start > TIMEOUT_NANOS) {
                throw new IllegalStateException("CapturePostgresChange captured " + captured + " of " + range.expected().total() + " changes in 10 minutes");
            }
        }
        long nanos = System.nanoTime() - start;
        long cpuNanos = CaptureMeasurement.processCpuNanos() - cpuStart;
        long walSender = range.walSenderCpuNanos(slot);
        runner.run(1, true, false);
        OrdersWorkload.Counts decoded = MockFrameworkCapture.decode(runner.getFlowFilesForRelationship("success"));
        OrdersWorkload.Counts counted = new OrdersWorkload.Counts(MockFrameworkCapture.counter(runner, MockFrameworkCapture.CREATED),
                MockFrameworkCapture.counter(runner, MockFrameworkCapture.UPDATED), MockFrameworkCapture.counter(runner, MockFrameworkCapture.DELETED));
        if (!decoded.equals(counted)) {
            throw new IllegalStateException("The processor's counters say " + counted + " but its FlowFiles hold " + decoded);
        }
        return new Run(new CaptureMeasurement(decoded, nanos, cpuNanos), walSender);
    }

    /** CapturePostgresChange with NiFi's Avro writer, capturing schema public of {@code database} from {@code slot}. */
    static TestRunner newRunner(String host, int port, String database, String slot, String publication, String snapshotMode) throws Exception {
        TestRunner runner = TestRunners.newTestRunner(CapturePostgresChange.class);
        AvroRecordSetWriter avro = new AvroRecordSetWriter();
        runner.addControllerService("avro", avro);
        runner.setProperty(avro, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.INHERIT_RECORD_SCHEMA.getValue());
        runner.enableControllerService(avro);
        runner.setProperty("Record Writer", "avro");
        runner.setProperty("Host", host + ":" + port);
        runner.setProperty("Database", database);
        runner.setProperty("Username", dev.nificdc.testsupport.PostgresServer.USER);
        runner.setProperty("Slot Name", slot);
        runner.setProperty("Publication Name", publication);
        runner.setProperty("Snapshot Mode", snapshotMode);
        runner.assertValid();
        return runner;
    }
}
