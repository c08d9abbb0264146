package dev.nificdc.bench;

import dev.nificdc.cdc.processors.CapturePostgresChange;
import dev.nificdc.testsupport.PostgresServer;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link PostgresMemoryBench} (started with {@code -Xmx256m}): runs CapturePostgresChange as packaged
 * in NiFi's mock framework (Snapshot Mode never: from the slot's position, just before the big transaction), with NiFi's
 * real AvroRecordSetWriter behind a {@link CountingRecordSetWriterFactory} (the bytes are counted, not kept: NiFi would
 * stream them to its content repository), dropping each run's FlowFiles, until every row of the transaction is written
 * and the stored state is at its end. Prints one {@link #RESULT_PREFIX} line and exits 0 on success, 1 on a failure.
 *
 * <p>Arguments, as {@code key=value}: {@code host}, {@code port}, {@code database}, {@code slot}, {@code publication}, {@code rows}.
 */
public final class PostgresMemoryBenchChild {
    static final String RESULT_PREFIX = "PGMEMORY ";
    private static final long STALL_NANOS = TimeUnit.MINUTES.toNanos(3);
    /** pgoutput (protocol 1) sends a transaction only once the server has decoded all of it: the first change comes late. */
    private static final long FIRST_RECORD_NANOS = TimeUnit.MINUTES.toNanos(15);
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(10);

    private PostgresMemoryBenchChild() {
    }

    public static void main(String[] args) {
        Map<String, String> arguments = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            arguments.put(arg.substring(0, Math.max(0, eq)), arg.substring(eq + 1));
        }
        String line;
        boolean success = false;
        try {
            Measured m = capture(arguments);
            success = m.failure == null;
            line = String.format(Locale.ROOT, "success=%d records=%d millis=%d peakHeapBytes=%d inUseMaxBytes=%d maxHeapBytes=%d "
                            + "afterGcMaxBytes=%d gcCount=%d gcMillis=%d avroBytes=%d flowFiles=%d reason=\"%s\"", success ? 1 : 0, m.records,
                    m.millis, m.peak, m.inUseMax, Runtime.getRuntime().maxMemory(), m.afterGcMax, m.gcCount, m.gcMillis, m.avroBytes, m.flowFiles,
                    m.failure == null ? "" : m.failure.replace('"', '\''));
        } catch (Throwable e) {
            line = "success=0 millis=0 reason=\"" + MemoryBenchChild.describe(e).replace('"', '\'') + "\"";
        }
        System.out.println(RESULT_PREFIX + line);
        System.out.flush();
        System.exit(success ? 0 : 1); // exit: the processor's or the driver's threads must not keep a failed JVM alive
    }

    private record Measured(String failure, long records, long millis, long peak, long inUseMax, long afterGcMax, long gcCount,
                            long gcMillis, long avroBytes, long flowFiles) {
    }

    private static Measured capture(Map<String, String> arguments) throws Exception {
        long rows = Long.parseLong(arguments.get("rows"));
        TestRunner runner = TestRunners.newTestRunner(CapturePostgresChange.class);
        AvroRecordSetWriter avro = new AvroRecordSetWriter();
        runner.addControllerService("avro", avro);
        runner.setProperty(avro, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.INHERIT_RECORD_SCHEMA.getValue());
        runner.enableControllerService(avro);
        CountingRecordSetWriterFactory writer = new CountingRecordSetWriterFactory(avro);
        runner.addControllerService("writer", writer);
        runner.enableControllerService(writer);
        runner.setProperty("Record Writer", "writer");
        runner.setProperty("Host", arguments.get("host") + ":" + arguments.get("port"));
        runner.setProperty("Database", arguments.get("database"));
        runner.setProperty("Username", PostgresServer.USER);
        runner.setProperty("Slot Name", arguments.get("slot"));
        runner.setProperty("Publication Name", arguments.get("publication"));
        runner.setProperty("Snapshot Mode", "never");
        runner.assertValid();
        System.out.printf(Locale.ROOT, "one transaction of %,d row changes through CapturePostgresChange (defaults), max heap %d MB%n",
                rows, Runtime.getRuntime().maxMemory() >> 20);

        MemoryHeapProbe probe = MemoryHeapProbe.start();
        long start = System.nanoTime();
        long lastCount = -1;
        long lastProgress = start;
        long lastPrint = start;
        long flowFiles = 0;
        String failure = null;
        int runs = 0;
        while (true) {
            runner.run(1, false, runs++ == 0);
            flowFiles += runner.getFlowFilesForRelationship("success").size();
            runner.clearTransferState();
            runner.clearProvenanceEvents();
            long count = writer.records();
            long now = System.nanoTime();
            Map<String, String> state = runner.getStateManager().getState(Scope.CLUSTER).toMap();
            if (count == rows && "0".equals(state.get("pg.changes.skip"))) {
                break;
            }
            if (count > rows) {
                failure = "the writer got " + count + " records, more than the " + rows + " expected";
                break;
            }
            if (count != lastCount) {
                lastCount = count;
                lastProgress = now;
            } else if (now - lastProgress > (count == 0 ? FIRST_RECORD_NANOS : STALL_NANOS)) {
                failure = "no new records for " + TimeUnit.NANOSECONDS.toMinutes(now - lastProgress) + " minutes after " + count + " of " + rows + "; state " + state;
                break;
            }
            if (now - lastPrint > PROGRESS_NANOS) {
                lastPrint = now;
                System.out.printf(Locale.ROOT, "progress: %,d of %,d records, %.0f s; heap in use %.0f MB (max %.0f MB), after-GC max %.0f MB%n",
                        count, rows, (now - start) / 1e9, probe.usedBytes() / 1048576.0, probe.inUseMaxBytes() / 1048576.0, probe.afterGcMaxBytes() / 1048576.0);
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Measured measured = new Measured(failure, writer.records(), millis, probe.peakHeapBytes(), probe.inUseMaxBytes(), probe.afterGcMaxBytes(),
                probe.gcCount(), probe.gcMillis(), writer.bytes(), flowFiles);
        probe.close();
        runner.stop();
        if (failure == null && !writer.recordsByOp().equals(Map.of("u", rows))) {
            measured = new Measured("the writer got records " + writer.recordsByOp() + ", expected exactly {u=" + rows + "}", writer.records(), millis,
                    measured.peak, measured.inUseMax, measured.afterGcMax, measured.gcCount, measured.gcMillis, measured.avroBytes, flowFiles);
        }
        System.out.printf(Locale.ROOT, "%s: %,d records %s, %,d FlowFiles, %,d Avro bytes in %.1f s (%,.0f rows/s); peak heap %.1f MB (pools' peaks summed), "
                        + "in use at most %.1f MB, after-GC max %.1f MB, %d GCs taking %d ms%n", measured.failure == null ? "succeeded" : "FAILED: " + measured.failure,
                measured.records, writer.recordsByOp(), flowFiles, measured.avroBytes, millis / 1000.0, measured.records * 1000.0 / Math.max(1, millis),
                measured.peak / 1048576.0, measured.inUseMax / 1048576.0, measured.afterGcMax / 1048576.0, measured.gcCount, measured.gcMillis);
        return measured;
    }
}
