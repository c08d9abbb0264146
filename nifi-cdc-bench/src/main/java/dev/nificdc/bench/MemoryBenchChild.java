package dev.nificdc.bench;

import dev.nificdc.cdc.processors.CaptureBinlogChange;
import dev.nificdc.cdc.processors.InitialBinlogPosition;
import dev.nificdc.cdc.processors.SnapshotMode;
import dev.nificdc.testsupport.MariaDbServer;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.util.LogMessage;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child JVM of the memory benchmark ({@link MemoryBench} starts it with a capped heap): runs CaptureBinlogChange
 * as packaged in NiFi's mock framework, with NiFi's real AvroRecordSetWriter behind a {@link CountingRecordSetWriterFactory},
 * until every row of its {@link MemoryScenario} is captured; then prints one {@link MemoryResult} line and exits 0 on
 * success, 1 on a failure (out of memory, a count mismatch, a stall, a processor error).
 *
 * <p>Arguments, as {@code key=value}: {@code scenario} (update-1m, snapshot-2m or incremental-2m), {@code host}, {@code port},
 * {@code database} and, for update-1m, {@code binlogFile} and {@code binlogPosition} (just before the UPDATE).
 */
public final class MemoryBenchChild {
    private static final String RELATIONSHIP = "success";
    private static final long STALL_NANOS = TimeUnit.MINUTES.toNanos(3);
    private static final long TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(40);
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Runs allowed after the last record, for the update scenario's commit to reach the stored state. */
    private static final int RUNS_TO_SETTLE = 20;
    private static final AtomicReference<Throwable> THREAD_FAILURE = new AtomicReference<>();

    private final MemoryScenario scenario;
    private final Map<String, String> arguments;
    private final Map<String, Long> operationsFromAttributes = new TreeMap<>();
    private CountingRecordSetWriterFactory writer;
    private MemoryHeapProbe probe;
    private long recordsFromAttributes;
    private long flowFiles;
    private long runs;
    private int errorsPrinted;

    private MemoryBenchChild(MemoryScenario scenario, Map<String, String> arguments) {
        this.scenario = scenario;
        this.arguments = arguments;
    }

    public static void main(String[] args) {
        Map<String, String> arguments = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 1) {
                System.err.println("ERROR: arguments are key=value, got '" + arg + "'");
                System.exit(2);
            }
            arguments.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        MemoryScenario scenario = MemoryScenario.of(required(arguments, "scenario"));
        // The binlog reader runs on its own thread: an OutOfMemoryError there would otherwise only stall the capture.
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            THREAD_FAILURE.compareAndSet(null, e);
            System.err.println("Thread " + thread.getName() + " died: " + e);
        });
        MemoryResult result;
        try {
            result = new MemoryBenchChild(scenario, arguments).run();
        } catch (Throwable e) {
            result = MemoryResult.failedBeforeMeasuring(scenario, describe(e));
        }
        System.out.println(result.line());
        System.out.flush();
        // exit, not return: threads of the processor or the driver must not keep a failed JVM alive
        System.exit(result.success() ? 0 : 1);
    }

    private MemoryResult run() throws Exception {
        TestRunner runner = configure();
        System.out.printf(Locale.ROOT, "%s: %s; max heap %d MB, %s; processor defaults (Max Changes Per FlowFile, Max Wait Time)%n",
                scenario.id(), scenario.description(), Runtime.getRuntime().maxMemory() >> 20,
                String.join(" + ", ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList()));
        probe = MemoryHeapProbe.start();
        System.out.printf(Locale.ROOT, "heap in use before the run (after a full GC): %.1f MB%n", probe.baselineBytes() / 1048576.0);
        long start = System.nanoTime();
        String failure;
        try {
            failure = drive(runner, start);
        } catch (Throwable e) {
            failure = describe(e);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long peak = probe.peakHeapBytes();
        long inUseMax = probe.inUseMaxBytes();
        long afterGcMax = probe.afterGcMaxBytes();
        long gcCount = probe.gcCount();
        long gcMillis = probe.gcMillis();
        probe.close();
        try {
            runner.stop(); // @OnStopped closes the binlog connection or the snapshot's read view
        } catch (Throwable e) {
            System.err.println("Stopping the processor failed: " + e);
        }
        if (failure == null) {
            failure = verifyCounts();
        }
        MemoryResult result = new MemoryResult(scenario.id(), failure == null, failure == null ? "" : failure, writer.records(),
                scenario.rows(), millis, peak, inUseMax, Runtime.getRuntime().maxMemory(), afterGcMax, gcCount, gcMillis, writer.bytes(),
                flowFiles, runs);
        System.out.printf(Locale.ROOT, "%s %s: %,d records (%s by the writer, %s by the FlowFile attributes), %,d FlowFiles, %,d runs, "
                        + "%,d Avro bytes in %.1f s (%,.0f rows/s); peak heap %.1f MB (pools' peaks summed), in use at most %.1f MB of %d MB, after-GC max %.1f MB, %d GCs taking %d ms%n",
                scenario.id(), result.success() ? "succeeded" : "FAILED", result.records(), writer.recordsByOp(),
                operationsFromAttributes, flowFiles, runs, result.avroBytes(), millis / 1000.0, result.rowsPerSecond(),
                peak / 1048576.0, inUseMax / 1048576.0, result.maxHeapBytes() >> 20, afterGcMax / 1048576.0, gcCount, gcMillis);
        return result;
    }

    private TestRunner configure() throws Exception {
        TestRunner runner = TestRunners.newTestRunner(CaptureBinlogChange.class);
        AvroRecordSetWriter avro = new AvroRecordSetWriter();
        runner.addControllerService("avro", avro);
        runner.setProperty(avro, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, "inherit-record-schema");
        runner.enableControllerService(avro);
        writer = new CountingRecordSetWriterFactory(avro);
        runner.addControllerService("writer", writer);
        runner.enableControllerService(writer);
        String database = required(arguments, "database");
        runner.setProperty("Record Writer", "writer");
        runner.setProperty("Hosts", required(arguments, "host") + ":" + required(arguments, "port"));
        runner.setProperty("Username", MariaDbServer.CDC_USER);
        runner.setProperty("Password", MariaDbServer.CDC_PASSWORD);
        runner.setProperty("Server ID", String.valueOf(5801 + scenario.ordinal()));
        runner.setProperty("Database Include Pattern", database);
        switch (scenario) {
            case UPDATE_1M -> {
                runner.setProperty("Snapshot Mode", SnapshotMode.NEVER.getValue());
                runner.setProperty("Initial Binlog Position", InitialBinlogPosition.FILE_POSITION.getValue());
                runner.setProperty("Initial Binlog File", required(arguments, "binlogFile"));
                runner.setProperty("Initial Binlog Position Offset", required(arguments, "binlogPosition"));
            }
            case SNAPSHOT_2M -> runner.setProperty("Snapshot Mode", SnapshotMode.INITIAL.getValue());
            case INCREMENTAL_2M -> {
                // no rows at the start: a request on the processor's input asks for the table while streaming goes on
                runner.setProperty("Snapshot Mode", SnapshotMode.NO_DATA.getValue());
                runner.setIncomingConnection(true);
                runner.enqueue(database + ".orders");
            }
        }
        runner.assertValid();
        return runner;
    }

    /** Runs the processor until the scenario is complete; returns why it failed, or null. */
    private String drive(TestRunner runner, long start) throws Exception {
        long expected = scenario.rows();
        long lastCount = -1;
        long lastProgress = System.nanoTime();
        long lastPrint = System.nanoTime();
        int runsAfterLastRecord = 0;
        while (true) {
            runner.run(1, false, runs == 0);
            runs++;
            tally(runner);
            printNewErrors(runner);
            Throwable threadFailure = THREAD_FAILURE.get();
            if (threadFailure != null) {
                return "a processor thread died: " + describe(threadFailure);
            }
            long count = writer.records();
            long now = System.nanoTime();
            if (count > expected) {
                return "the writer got " + count + " records " + writer.recordsByOp() + ", more than the " + expected + " expected";
            }
            Map<String, String> state = runner.getStateManager().getState(Scope.CLUSTER).toMap();
            if (complete(state, count)) {
                return null;
            }
            if (count == expected && ++runsAfterLastRecord > RUNS_TO_SETTLE) {
                return "all " + expected + " records were written, but after " + RUNS_TO_SETTLE + " more runs the stored state "
                        + "still is not at the end of the scenario: " + state;
            }
            if (count != lastCount) {
                lastCount = count;
                lastProgress = now;
            } else if (now - lastProgress > STALL_NANOS) {
                return "no new records for " + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS) + " s after " + count + " of " + expected;
            }
            if (now - start > TIMEOUT_NANOS) {
                return "timed out after " + TimeUnit.NANOSECONDS.toMinutes(TIMEOUT_NANOS) + " min with " + count + " of " + expected + " records";
            }
            if (now - lastPrint > PROGRESS_NANOS) {
                lastPrint = now;
                System.out.printf(Locale.ROOT, "progress: %,d of %,d records, %,d FlowFiles, %.0f s; heap in use %.0f MB (max %.0f MB, pools' peaks %.0f MB), "
                                + "after-GC max %.0f MB, %d GCs (%d ms)%n", count, expected, flowFiles, (now - start) / 1e9,
                        probe.usedBytes() / 1048576.0, probe.inUseMaxBytes() / 1048576.0, probe.peakHeapBytes() / 1048576.0, probe.afterGcMaxBytes() / 1048576.0,
                        probe.gcCount(), probe.gcMillis());
            }
        }
    }

    /**
     * update-1m: every update written and the state at the end of the transaction; snapshot-2m: streaming may start;
     * incremental-2m: every row written and nothing left queued.
     */
    private boolean complete(Map<String, String> state, long count) {
        return switch (scenario) {
            case UPDATE_1M -> count == scenario.rows() && "0".equals(state.getOrDefault("binlog.changes.skip", "0"));
            case SNAPSHOT_2M -> state.containsKey("binlog.file");
            case INCREMENTAL_2M -> count == scenario.rows() && state.containsKey("binlog.file") && !state.containsKey("incremental.table.0");
        };
    }

    /** Adds up the FlowFiles of the last run and drops them (and their provenance events) from the mock framework. */
    private void tally(TestRunner runner) {
        List<MockFlowFile> transferred = runner.getFlowFilesForRelationship(RELATIONSHIP);
        for (MockFlowFile flowFile : transferred) {
            flowFiles++;
            recordsFromAttributes += Long.parseLong(flowFile.getAttribute("record.count"));
            for (String part : flowFile.getAttribute("cdc.operations").split(",")) {
                String[] opCount = part.split("=");
                long n = Long.parseLong(opCount[1]);
                if (n > 0) {
                    operationsFromAttributes.merge(opCount[0], n, Long::sum);
                }
            }
        }
        runner.clearTransferState();
        runner.clearProvenanceEvents();
    }

    private void printNewErrors(TestRunner runner) {
        List<LogMessage> errors = runner.getLogger().getErrorMessages();
        for (; errorsPrinted < errors.size(); errorsPrinted++) {
            System.out.println("processor error: " + errors.get(errorsPrinted).getMsg());
        }
    }

    /** Every count must be exact: the writer's records, the FlowFiles' record.count and cdc.operations attributes. */
    private String verifyCounts() {
        Map<String, Long> expected = Map.of(scenario.op(), scenario.rows());
        if (!writer.recordsByOp().equals(expected)) {
            return "the writer got records " + writer.recordsByOp() + ", expected exactly " + expected;
        }
        if (!operationsFromAttributes.equals(expected) || recordsFromAttributes != scenario.rows()) {
            return "the FlowFile attributes count " + recordsFromAttributes + " records " + operationsFromAttributes
                    + ", expected exactly " + expected;
        }
        if (writer.bytes() <= scenario.rows()) {
            return "the Avro writer wrote only " + writer.bytes() + " bytes for " + scenario.rows() + " records";
        }
        return null;
    }

    /** The failure, naming an OutOfMemoryError anywhere in its causes (the mock framework wraps them in AssertionErrors). */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return "OutOfMemoryError: " + t.getMessage();
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage() + (root == e ? "" : " (caused by " + root + ")");
    }

    private static String required(Map<String, String> arguments, String key) {
        String value = arguments.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Missing argument " + key + "=...");
        }
        return value;
    }
}
