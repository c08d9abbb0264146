package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo of {@code ./demo.sh}: MySQL/MariaDB binlog (or, with {@code --source postgres}, PostgreSQL's logical
 * replication) -> nifi-cdc in a real headless NiFi -> a replica database.
 *
 * <p>Starts the source and replica databases of the chosen {@link DemoSource} (by default a private MariaDB source with
 * the binlog on, or the server given with {@code --source-*}, and a private MariaDB replica) and NiFi with our NAR;
 * imports the source's replica flow definition from {@code templates/} through NiFi's REST API, sets its parameters and
 * starts it; writes sample inserts, updates and deletes and prints progress until
 * the replica matches the source row by row. Then it runs until Ctrl-C, or exits with {@code --exit-when-synced}.
 * Everything it started is stopped and deleted on exit.
 *
 * <p>System properties (set by {@code demo.sh}): {@code nifi.e2e.artifacts}, {@code nifi.e2e.standard.nar},
 * {@code nifi.e2e.cdc.nar} (the build's outputs) and {@code nifi.cdc.demo.templates} (the templates/ directory).
 */
public final class Demo {
    static final String SYNCED = "SYNCED:";
    static final String TEMPLATES_PROPERTY = "nifi.cdc.demo.templates";
    static final String CDC_NAR_PROPERTY = "nifi.e2e.cdc.nar";
    private static final String APPLY = "Apply changes to the replica";
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);
    private final DemoOptions options;
    private final PrintStream out;
    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();
    private volatile boolean shuttingDown;

    private Demo(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Runs the demo; returns the process exit status (0 synced, 1 failed or timed out, 2 bad arguments). */
    static int run(String[] args, PrintStream out) {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("ERROR: " + e.getMessage());
            return 2;
        }
        if (options.help()) {
            out.print(DemoOptions.USAGE);
            return 0;
        }
        Demo demo = new Demo(options, out);
        Thread hook = new Thread(demo::shutdown, "nifi-cdc-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return demo.runDemo();
        } catch (Exception e) {
            if (demo.shuttingDown) {
                return 130;
            }
            out.println("ERROR: " + e.getMessage());
            return 1;
        } finally {
            demo.shutdown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // Ctrl-C: the hook is running
            }
        }
    }

    private int runDemo() throws Exception {
        Instant begin = Instant.now();
        DemoSource databases = DemoSource.of(options);
        Path template = NiFiHome.requiredPath(TEMPLATES_PROPERTY).resolve(databases.template());
        Path cdcNar = NiFiHome.requiredPath(CDC_NAR_PROPERTY);

        // 1. Source and replica databases
        databases.start(options, this::step, this::track);
        Connection source = databases.source();
        Connection replica = databases.replica();
        String table = databases.quotedTable();
        List<String> primaryKey = databases.primaryKey();

        // 2. NiFi with our NAR, the flow imported from the template
        step("Starting Apache NiFi " + NiFiHome.NIFI_VERSION + " (headless) with " + cdcNar.getFileName() + " (takes 15-60 s)");
        NiFiInstance nifi = track(NiFiInstance.start(NiFiHome.fromBuild(), cdcNar));
        NiFiRestClient client = nifi.client();
        // A parameter context of the demo's own (an import of the same file next to it gets a fresh one) and a canvas
        // note that says what the demo did, instead of the file's set-up steps.
        String flow = FlowDefinitions.withNote(FlowDefinitions.withParameterContext(Files.readString(template),
                "nifi-cdc demo: " + databases.tableLabel() + " to the replica"), databases.canvasNote());
        String groupId = client.uploadFlowDefinition(client.rootGroupId(), databases.groupName(), flow);
        String contextId = client.get("/process-groups/" + groupId).path("component").path("parameterContext").path("id").asText();
        client.setParameters(contextId, databases.flowParameters(), databases.sensitiveParameters());
        Map<String, String> processors = client.processorIdsByNameInTree(groupId);
        String captureId = required(processors, databases.captureProcessor(), template);
        required(processors, APPLY, template); // the demo's output is the replica this processor writes
        if (!databases.captureProperties().isEmpty()) {
            client.updateProcessorProperties(captureId, databases.captureProperties());
        }
        client.startGroup(groupId);
        String ui = "http://127.0.0.1:" + nifi.port() + "/nifi/";
        step("Flow imported from " + template.getFileName() + " and started. Watch it in NiFi's UI: " + ui
                + "#/process-groups/" + groupId);

        // 3. Changes, progress, row-by-row comparison
        AtomicInteger written = new AtomicInteger();
        AtomicReference<Exception> writerFailure = new AtomicReference<>();
        Thread writer = null;
        if (options.sampleTable() && options.changes() > 0) {
            step("Writing " + options.changes() + " sample inserts, updates and deletes at " + options.changesPerSecond() + "/s");
            Connection writerConnection = track(databases.connectSource());
            DemoTables.SampleWriter sample = new DemoTables.SampleWriter(writerConnection, table);
            writer = Thread.ofPlatform().name("demo-writer").daemon().start(() -> {
                long pauseNanos = 1_000_000_000L / options.changesPerSecond();
                long next = System.nanoTime();
                try {
                    while (written.get() < options.changes() && !shuttingDown) {
                        sample.writeOne();
                        written.incrementAndGet();
                        next += pauseNanos;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(Duration.ofNanos(wait));
                        }
                    }
                } catch (Exception e) {
                    writerFailure.set(e);
                }
            });
        } else if (!options.sampleTable()) {
            step("Make changes to " + databases.tableLabel() + " in your database: they appear in the replica");
        }

        Instant deadline = Instant.now().plusSeconds(options.timeoutSeconds());
        boolean synced = false;
        boolean announced = false;
        String lastLine = "";
        while (!shuttingDown) {
            Thread.sleep(PROGRESS_EVERY);
            if (writerFailure.get() != null) {
                throw new IllegalStateException("Writing sample changes failed: " + writerFailure.get().getMessage(), writerFailure.get());
            }
            Map<List<String>, List<String>> sourceRows = DemoTables.rows(source, table, primaryKey);
            Map<List<String>, List<String>> replicaRows = DemoTables.rows(replica, table, primaryKey);
            int differ = DemoTables.differences(sourceRows, replicaRows);
            boolean writing = writer != null && writer.isAlive();
            String line = progress(client, groupId, captureId, databases.lagCounter(), options.sampleTable(), written.get(), sourceRows.size(), replicaRows.size(), differ);
            if (!synced || !line.equals(lastLine)) {
                out.printf("[%4ds] %s%n", Duration.between(begin, Instant.now()).toSeconds(), line);
                lastLine = line;
            }
            if (!writing && differ == 0) {
                if (!synced) {
                    synced = true;
                    long flowFiles = flowFilesCaptured(client, captureId);
                    out.printf("%s the replica matches the source row by row: %d rows in %s, %d changes written%s, after %d s%n",
                            SYNCED, sourceRows.size(), databases.tableLabel(), written.get(),
                            flowFiles < 0 ? "" : ", captured and applied in " + flowFiles + " FlowFiles",
                            Duration.between(begin, Instant.now()).toSeconds());
                    if (options.exitWhenSynced()) {
                        return 0;
                    }
                    if (announced) {
                        continue;
                    }
                    announced = true;
                    out.println("NiFi's UI: " + ui + "#/process-groups/" + groupId + "   (Ctrl-C stops the demo and deletes everything it started)");
                    if (databases.clientHint() != null) {
                        out.printf("Change the source yourself: %s  (table %s)%n", databases.clientHint(), databases.tableLabel());
                    }
                }
            } else if (synced) {
                synced = false;
                out.println("Catching up with new changes ...");
                deadline = Instant.now().plusSeconds(options.timeoutSeconds());
            } else if (Instant.now().isAfter(deadline)) {
                out.println("ERROR: the replica did not match the source within " + options.timeoutSeconds() + " s. NiFi says:");
                client.bulletins().forEach(b -> out.println("  " + b));
                out.println(nifi.diagnostics());
                return 1;
            }
        }
        return 130;
    }

    private String progress(NiFiRestClient client, String groupId, String captureId, String lagCounter, boolean sample, int written, int sourceRows, int replicaRows, int differ) {
        long captured = 0;
        long lagMillis = -1;
        for (JsonNode counter : client.get("/counters").path("counters").path("aggregateSnapshot").path("counters")) {
            if (!counter.path("context").asText().contains(captureId)) {
                continue; // NiFi also sums each counter over all processors of the type ("All CaptureBinlogChange's")
            }
            String name = counter.path("name").asText();
            if (name.startsWith("Changes captured")) {
                captured += counter.path("valueCount").asLong();
            } else if (name.equals(lagCounter)) {
                lagMillis = counter.path("valueCount").asLong();
            }
        }
        long queued = client.queuedInGroup(groupId);
        // The processor's lag is the age of the last binlog event it read: it grows while the source is idle, so it
        // is only shown while the replica is behind.
        String lagName = lagCounter.replace(" (ms)", "").toLowerCase();
        String lag = differ == 0 ? "in sync" : lagMillis < 0 ? lagName + " -" : lagName + " " + lagMillis + " ms";
        return String.format((sample ? "written " + written + " | " : "") + "captured %d | queued %d FlowFiles | source %d rows, replica %d rows, %d differ | %s",
                captured, queued, sourceRows, replicaRows, differ, lag);
    }

    /**
     * How many FlowFiles the capture processor has written: the next sequence id in its state (sequence ids count
     * FlowFiles from 0). How the changes split into FlowFiles depends on timing: one FlowFile per run of changes to one
     * table, and a run ends as soon as the processor has caught up. -1 when the state does not say.
     */
    private static long flowFilesCaptured(NiFiRestClient client, String captureId) {
        return Long.parseLong(client.processorState(captureId).getOrDefault("sequence.id", "-1"));
    }

    private void step(String message) {
        out.println("==> " + message);
    }

    private static String required(Map<String, String> ids, String name, Path template) {
        String id = ids.get(name);
        if (id == null) {
            throw new IllegalStateException("The imported flow has no processor named '" + name + "' (it has " + ids.keySet()
                    + "); is " + template + " the one from this repository?");
        }
        return id;
    }

    private <T extends AutoCloseable> T track(T resource) {
        synchronized (cleanup) {
            cleanup.push(resource);
        }
        return resource;
    }

    /** Stops and deletes everything the demo started, newest first; safe to call twice (Ctrl-C and normal exit). */
    private void shutdown() {
        shuttingDown = true;
        synchronized (cleanup) {
            if (cleanup.isEmpty()) {
                return;
            }
            out.println("==> Stopping NiFi and the databases, deleting their files");
            while (!cleanup.isEmpty()) {
                try {
                    cleanup.pop().close();
                } catch (Exception e) {
                    out.println("    (cleanup: " + e.getMessage() + ")");
                }
            }
        }
    }
}
