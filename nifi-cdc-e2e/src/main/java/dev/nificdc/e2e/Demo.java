package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nificdc.testsupport.MariaDbServer;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo of {@code ./demo.sh}: MySQL/MariaDB binlog -> nifi-cdc in a real headless NiFi -> a replica database.
 *
 * <p>Starts a private MariaDB source with the binlog on (or uses the server given with {@code --source-*}), a private
 * MariaDB replica and NiFi with our NAR; imports {@code templates/binlog-to-database-replica.json} through NiFi's
 * REST API, sets its parameters and starts it; writes sample inserts, updates and deletes and prints progress until
 * the replica matches the source row by row. Then it runs until Ctrl-C, or exits with {@code --exit-when-synced}.
 * Everything it started is stopped and deleted on exit.
 *
 * <p>System properties (set by {@code demo.sh}): {@code nifi.e2e.artifacts}, {@code nifi.e2e.standard.nar},
 * {@code nifi.e2e.cdc.nar} (the build's outputs) and {@code nifi.cdc.demo.template} (the flow definition).
 */
public final class Demo {
    static final String SYNCED = "SYNCED:";
    static final String TEMPLATE_PROPERTY = "nifi.cdc.demo.template";
    static final String CDC_NAR_PROPERTY = "nifi.e2e.cdc.nar";
    private static final String DEMO_DATABASE = "nifi_cdc_demo";
    private static final String CAPTURE = "Capture binlog changes";
    private static final String APPLY = "Apply changes to the replica";
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);
    private static final String DEMO_NOTE = "./demo.sh imported binlog-to-database-replica.json and set it up: its parameters point"
            + " at the demo's two MariaDB servers, the demo copied the table's rows into the replica and started capture at that"
            + " binlog position, and it writes changes into the source. Nothing to set here: watch the queue and the processors'"
            + " counters. Ctrl-C in the demo's terminal stops it and deletes everything it started.";

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
        Path template = NiFiHome.requiredPath(TEMPLATE_PROPERTY);
        Path cdcNar = NiFiHome.requiredPath(CDC_NAR_PROPERTY);

        // 1. Source and replica databases
        String host;
        int port;
        String database;
        String captureUser;
        String capturePassword;
        Connector connector;
        if (options.ownSource()) {
            step("Starting the source: a private MariaDB " + MariaDbServer.SERVER_VERSION + " with the binlog on (ROW, FULL row image)");
            MariaDbServer server = track(MariaDbServer.start());
            database = DEMO_DATABASE;
            server.execute("CREATE DATABASE " + DemoTables.quote(database) + " CHARACTER SET utf8mb4");
            host = server.host();
            port = server.port();
            captureUser = MariaDbServer.CDC_USER;
            capturePassword = MariaDbServer.CDC_PASSWORD;
            connector = () -> {
                Connection c = server.adminConnection();
                c.setCatalog(DEMO_DATABASE);
                return c;
            };
        } else {
            host = options.sourceHost();
            port = options.sourcePort();
            database = options.sourceDatabase();
            captureUser = options.sourceUser();
            capturePassword = options.sourcePassword();
            step("Connecting to your source " + host + ":" + port + "/" + database + " as " + captureUser);
            String url = "jdbc:mariadb://" + host + ":" + port + "/" + database;
            String user = captureUser;
            String password = capturePassword;
            connector = () -> DriverManager.getConnection(url, user, password);
        }
        Connection source = track(connector.connect());
        String table = options.tableName();
        if (options.sampleTable()) {
            step("Creating the sample table " + database + "." + table + " in the source (int, varchar, decimal columns)"
                    + (options.ownSource() ? "" : "; it is dropped again when the demo exits"));
            DemoTables.createSampleTable(source, table);
            if (!options.ownSource()) {
                Connection dropper = source;
                cleanup.push(() -> {
                    try (Statement s = dropper.createStatement()) {
                        s.execute("DROP TABLE IF EXISTS " + DemoTables.quote(table));
                    }
                });
            }
        }
        List<String> primaryKey = DemoTables.primaryKey(source, database, table);

        step("Starting the replica: a second private MariaDB");
        MariaDbServer replicaServer = track(MariaDbServer.start());
        replicaServer.execute("CREATE DATABASE " + DemoTables.quote(database) + " CHARACTER SET utf8mb4",
                "CREATE USER 'nifi_replica'@'%' IDENTIFIED BY 'replica-Secret-1'",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON " + DemoTables.quote(database) + ".* TO 'nifi_replica'@'%'");
        Connection replica = track(replicaServer.adminConnection());
        replica.setCatalog(database);
        try (Statement s = replica.createStatement()) {
            s.execute(DemoTables.createStatement(source, table));
        }
        DemoTables.BinlogPosition position = DemoTables.positionAndCopy(source, replica, table);
        int copied = DemoTables.rows(replica, table, primaryKey).size();
        step("Replica table created" + (copied > 0 ? ", " + copied + " existing rows copied" : "") + "; capture starts at binlog " + position);

        // 2. NiFi with our NAR, the flow imported from the template
        step("Starting Apache NiFi " + NiFiHome.NIFI_VERSION + " (headless) with " + cdcNar.getFileName() + " (takes 15-60 s)");
        NiFiInstance nifi = track(NiFiInstance.start(NiFiHome.fromBuild(), cdcNar));
        NiFiRestClient client = nifi.client();
        // A parameter context of the demo's own (an import of the same file next to it gets a fresh one) and a canvas
        // note that says what the demo did, instead of the file's set-up steps.
        String flow = FlowDefinitions.withNote(FlowDefinitions.withParameterContext(Files.readString(template),
                "nifi-cdc demo: " + database + "." + table + " to the replica"), DEMO_NOTE);
        String groupId = client.uploadFlowDefinition(client.rootGroupId(), "CDC Binlog to Database Replica (demo)", flow);
        String contextId = client.get("/process-groups/" + groupId).path("component").path("parameterContext").path("id").asText();
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("mysql.hosts", host + ":" + port);
        parameters.put("mysql.username", captureUser);
        parameters.put("mysql.password", capturePassword);
        parameters.put("cdc.database.include", DemoTables.literalPattern(database));
        parameters.put("replica.db.url", replicaServer.jdbcUrl(null));
        parameters.put("replica.db.driver.class", "org.mariadb.jdbc.Driver");
        parameters.put("replica.db.driver.location", DatabaseSink.JdbcTarget.jarOf(org.mariadb.jdbc.Driver.class).toString());
        parameters.put("replica.db.username", "nifi_replica");
        parameters.put("replica.db.password", "replica-Secret-1");
        client.setParameters(contextId, parameters, List.of("mysql.password", "replica.db.password"));
        Map<String, String> processors = client.processorIdsByNameInTree(groupId);
        String captureId = required(processors, CAPTURE);
        required(processors, APPLY); // the template's PutDatabaseRecord runs as shipped (UPSERT: standard processors 2.6.0 here)
        // The demo copied the rows itself at a known binlog position, so the processor streams from there without a snapshot.
        client.updateProcessorProperties(captureId, Map.of(
                "Snapshot Mode", "never",
                "Initial Binlog Position", "FILE_POSITION",
                "Initial Binlog File", position.file(),
                "Initial Binlog Position Offset", Long.toString(position.offset()),
                "Table Include Pattern", DemoTables.literalPattern(database + "." + table)));
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
            Connection writerConnection = track(connector.connect());
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
            step("Make changes to " + database + "." + table + " in your database: they appear in the replica");
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
            String line = progress(client, groupId, captureId, options.sampleTable(), written.get(), sourceRows.size(), replicaRows.size(), differ);
            if (!synced || !line.equals(lastLine)) {
                out.printf("[%4ds] %s%n", Duration.between(begin, Instant.now()).toSeconds(), line);
                lastLine = line;
            }
            if (!writing && differ == 0) {
                if (!synced) {
                    synced = true;
                    long flowFiles = flowFilesCaptured(client, captureId);
                    out.printf("%s the replica matches the source row by row: %d rows in %s.%s, %d changes written%s, after %d s%n",
                            SYNCED, sourceRows.size(), database, table, written.get(),
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
                    if (options.ownSource()) {
                        out.printf("Change the source yourself: mysql -h %s -P %d -u root %s  (table %s)%n", host, port, database, table);
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

    @FunctionalInterface
    private interface Connector {
        Connection connect() throws SQLException;
    }

    private String progress(NiFiRestClient client, String groupId, String captureId, boolean sample, int written, int sourceRows, int replicaRows, int differ) {
        long captured = 0;
        long lagMillis = -1;
        for (JsonNode counter : client.get("/counters").path("counters").path("aggregateSnapshot").path("counters")) {
            if (!counter.path("context").asText().contains(captureId)) {
                continue; // NiFi also sums each counter over all processors of the type ("All CaptureBinlogChange's")
            }
            String name = counter.path("name").asText();
            if (name.startsWith("Changes captured")) {
                captured += counter.path("valueCount").asLong();
            } else if (name.equals("Binlog lag (ms)")) {
                lagMillis = counter.path("valueCount").asLong();
            }
        }
        long queued = client.queuedInGroup(groupId);
        // The processor's lag is the age of the last binlog event it read: it grows while the source is idle, so it
        // is only shown while the replica is behind.
        String lag = differ == 0 ? "in sync" : lagMillis < 0 ? "binlog lag -" : "binlog lag " + lagMillis + " ms";
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

    private static String required(Map<String, String> ids, String name) {
        String id = ids.get(name);
        if (id == null) {
            throw new IllegalStateException("The imported flow has no processor named '" + name + "' (it has " + ids.keySet()
                    + "); is templates/binlog-to-database-replica.json the one from this repository?");
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
