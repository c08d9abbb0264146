package dev.nificdc.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * One headless NiFi process on a private temporary directory, started from a shared {@link NiFiHome}.
 *
 * <p>The instance directory holds the generated {@code conf/} (plain HTTP on a free 127.0.0.1 port, no security,
 * volatile provenance, no Python), the repositories, {@code work/}, {@code logs/} and {@code extensions/} with
 * the NARs under test; {@code lib/} stays in the shared home. NiFi runs in its own JVM (the JDK running the tests),
 * launched as {@code java -cp "conf:lib/*" org.apache.nifi.NiFi} without NiFi's bootstrap, so {@link #stop()} is
 * NiFi's own graceful shutdown (SIGTERM runs its shutdown hook) and {@link #kill()} is a SIGKILL of that JVM.
 * {@link #start()} brings NiFi up again on the same directory: flow, repositories and state survive.
 */
public final class NiFiInstance implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final String SENSITIVE_PROPS_KEY = "nifi-cdc-e2e-only-key";

    /** NiFi JVMs started by this JVM: killed if this JVM exits without closing them (e.g. Ctrl-C). */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-orphan-nifi"));
    }

    private final NiFiHome home;
    private final Path dir;
    private final int port;
    private final int managementPort;
    private final NiFiRestClient client;
    private final Map<String, String> propertyOverrides;
    private final List<String> jvmArgs;
    private final ClusterNode cluster;
    private Process process;

    /**
     * What a node of a NiFi cluster needs besides a standalone NiFi: the ZooKeeper that elects the cluster coordinator
     * and the primary node and holds the cluster state, and this node's ports for the cluster protocol and for load
     * balancing (both on 127.0.0.1). Unsecured, as the rest of the test NiFi: plain HTTP, no TLS between the nodes.
     */
    public record ClusterNode(String zookeeperConnect, int protocolPort, int loadBalancePort) {
        /** A node on free ports, joining the cluster whose ZooKeeper answers at {@code zookeeperConnect}. */
        public static ClusterNode joining(String zookeeperConnect) {
            return new ClusterNode(zookeeperConnect, freePort(), freePort());
        }
    }

    private NiFiInstance(NiFiHome home, Path dir, int port, Map<String, String> propertyOverrides, List<String> jvmArgs, ClusterNode cluster) {
        this.home = home;
        this.dir = dir;
        this.port = port;
        this.propertyOverrides = Map.copyOf(propertyOverrides);
        this.jvmArgs = List.copyOf(jvmArgs);
        this.cluster = cluster;
        this.managementPort = freePort();
        this.client = new NiFiRestClient(baseUrl());
    }

    /**
     * Creates an instance directory, installs {@code extensionNars} (e.g. our freshly built nifi-cdc-nar) next to the
     * home's NARs and starts NiFi; returns once the REST API answers.
     */
    public static NiFiInstance start(NiFiHome home, Path... extensionNars) {
        return start(home, Map.of(), List.of(), extensionNars);
    }

    /**
     * As {@link #start(NiFiHome, Path...)}, with {@code propertyOverrides} replacing (or adding) entries of the
     * generated {@code nifi.properties} (e.g. NiFi's default on-disk provenance repository instead of the volatile one)
     * and {@code jvmArgs} appended to NiFi's JVM options (later options win, e.g. {@code -XX:TieredStopAtLevel=4}).
     * The benchmarks use this; the tests keep the defaults.
     */
    public static NiFiInstance start(NiFiHome home, Map<String, String> propertyOverrides, List<String> jvmArgs, Path... extensionNars) {
        return start(home, propertyOverrides, jvmArgs, null, extensionNars);
    }

    /**
     * Starts a node of a NiFi cluster ({@link ClusterNode}); returns once its REST API answers, which is once it has
     * joined the cluster. The first node elects its own flow at once (one flow election candidate), later nodes take
     * the cluster's flow.
     */
    public static NiFiInstance startClusterNode(NiFiHome home, ClusterNode cluster, Path... extensionNars) {
        return start(home, Map.of(), List.of(), cluster, extensionNars);
    }

    private static NiFiInstance start(NiFiHome home, Map<String, String> propertyOverrides, List<String> jvmArgs, ClusterNode cluster,
                                      Path... extensionNars) {
        Path dir;
        try {
            dir = Files.createTempDirectory("nifi-e2e-");
            Files.createDirectories(dir.resolve("conf"));
            Files.createDirectories(dir.resolve("logs"));
            Path extensions = Files.createDirectories(dir.resolve("extensions"));
            for (Path nar : extensionNars) {
                if (!Files.isRegularFile(nar)) {
                    throw new IllegalStateException("NAR " + nar + " does not exist; build it first (mvnw -pl nifi-cdc-e2e -am verify)");
                }
                Files.copy(nar, extensions.resolve(nar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare a NiFi instance directory", e);
        }
        NiFiInstance nifi = new NiFiInstance(home, dir, freePort(), propertyOverrides, jvmArgs, cluster);
        try {
            nifi.writeConfiguration();
            nifi.start();
            return nifi;
        } catch (RuntimeException e) {
            nifi.close();
            throw e;
        }
    }

    /** Starts the NiFi JVM on this instance's directory (again, after {@link #stop()} or {@link #kill()}). */
    public void start() {
        if (isRunning()) {
            throw new IllegalStateException("NiFi is already running (pid " + process.pid() + ")");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(
                java.toString(),
                "-Xms256m", "-Xmx1g",
                // C1 only: NiFi starts markedly faster on a busy 2-core machine; override with -Dnifi.e2e.jvm.args
                "-XX:TieredStopAtLevel=1",
                // NiFi's management server (health endpoints for its bootstrap) defaults to the fixed port 52020
                "-Dorg.apache.nifi.management.server.address=127.0.0.1:" + managementPort,
                "-Dnifi.properties.file.path=" + dir.resolve("conf/nifi.properties"),
                "-Dlogback.configurationFile=" + dir.resolve("conf/logback.xml"),
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED",
                "-Djava.security.egd=file:/dev/urandom",
                "-Djava.protocol.handler.pkgs=sun.net.www.protocol",
                "-Djava.awt.headless=true",
                "-cp", dir.resolve("conf") + ":" + home.lib() + "/*",
                "org.apache.nifi.NiFi"));
        command.addAll(command.size() - 3, jvmArgs);
        String extraJvmArgs = System.getProperty("nifi.e2e.jvm.args", "").trim();
        if (!extraJvmArgs.isEmpty()) {
            command.addAll(command.size() - 3, List.of(extraJvmArgs.split("\\s+")));
        }
        try {
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("logs/nifi-stdout.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not launch " + java, e);
        }
        LIVE.add(process);
        Instant launched = Instant.now();
        awaitApi();
        System.out.printf("NiFi %s answers on %s after %.1f s (pid %d, %s)%n", NiFiHome.NIFI_VERSION, baseUrl(),
                Duration.between(launched, Instant.now()).toMillis() / 1000.0, process.pid(), dir);
    }

    /** Graceful stop: NiFi's shutdown hook stops the flow, then the JVM exits. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!waitForExit(STOP_TIMEOUT)) {
            process.destroyForcibly();
            waitForExit(STOP_TIMEOUT);
            LIVE.remove(process);
            throw new IllegalStateException("NiFi did not stop within " + STOP_TIMEOUT.toSeconds() + " s and was killed.\n" + diagnostics());
        }
        LIVE.remove(process);
        process = null;
    }

    /** Crash: SIGKILL of the NiFi JVM, no shutdown hook runs. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        if (!waitForExit(STOP_TIMEOUT)) {
            throw new IllegalStateException("NiFi (pid " + process.pid() + ") survived SIGKILL for " + STOP_TIMEOUT.toSeconds() + " s");
        }
        LIVE.remove(process);
        process = null;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * CPU time the NiFi JVM has used so far (all its threads, GC and JIT included), in nanoseconds, as the operating
     * system reports it (clock-tick resolution, 10 ms on Linux); -1 when NiFi is not running or the OS does not say.
     */
    public long cpuNanos() {
        Process running = process;
        if (running == null || !running.isAlive()) {
            return -1;
        }
        return running.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    public NiFiRestClient client() {
        return client;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port + "/nifi-api";
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public Path appLog() {
        return dir.resolve("logs/nifi-app.log");
    }

    /** Lines of nifi-app.log (empty when NiFi has not written it yet). */
    public List<String> appLogLines() {
        try {
            return Files.exists(appLog()) ? Files.readAllLines(appLog()) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether {@code conf/flow.json.gz} (NiFi's persisted flow) mentions {@code text}: NiFi writes the flow
     * asynchronously, so crash tests wait for this before killing NiFi.
     */
    public boolean persistedFlowContains(String text) {
        Path flow = dir.resolve("conf/flow.json.gz");
        if (!Files.exists(flow)) {
            return false;
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(flow))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false; // being rewritten right now
        }
    }

    /** What to look at when something failed: the tail of nifi-app.log (and stdout) and NiFi's bulletins. */
    public String diagnostics() {
        StringBuilder text = new StringBuilder("NiFi instance ").append(dir).append(", ").append(baseUrl())
                .append(isRunning() ? " (running)" : " (not running)").append('\n');
        text.append("--- tail of logs/nifi-app.log ---\n").append(tail(appLog(), 80));
        text.append("--- tail of logs/nifi-stdout.log ---\n").append(tail(dir.resolve("logs/nifi-stdout.log"), 20));
        if (isRunning()) {
            try {
                text.append("--- bulletins ---\n");
                client.bulletins().forEach(b -> text.append(b).append('\n'));
            } catch (RuntimeException e) {
                text.append("(bulletins unavailable: ").append(e.getMessage()).append(")\n");
            }
        }
        return text.toString();
    }

    /** Stops NiFi and deletes the instance directory (kept when -Dnifi.e2e.keep=true, for debugging). */
    @Override
    public void close() {
        try {
            if (isRunning()) {
                process.destroy();
                if (!waitForExit(STOP_TIMEOUT)) {
                    process.destroyForcibly();
                    waitForExit(STOP_TIMEOUT);
                }
            }
        } finally {
            if (process != null) {
                LIVE.remove(process);
            }
            process = null;
            if (Boolean.getBoolean("nifi.e2e.keep")) {
                System.out.println("Keeping NiFi instance directory " + dir);
            } else {
                NiFiHome.deleteRecursively(dir);
            }
        }
    }

    private void awaitApi() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("NiFi exited with code " + process.exitValue() + " while starting.\n" + diagnostics());
            }
            if (client.isAnswering()) {
                return;
            }
            sleep(500);
        }
        throw new IllegalStateException("NiFi's REST API did not answer within " + START_TIMEOUT.toSeconds() + " s.\n" + diagnostics());
    }

    private boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void writeConfiguration() {
        String properties = """
                nifi.flow.configuration.file=./conf/flow.json.gz
                nifi.flow.configuration.archive.enabled=false
                nifi.flowcontroller.autoResumeState=true
                nifi.flowcontroller.graceful.shutdown.period=10 sec
                nifi.flowservice.writedelay.interval=500 ms
                nifi.administrative.yield.duration=5 sec
                nifi.bored.yield.duration=10 millis
                nifi.queue.backpressure.count=10000
                nifi.queue.backpressure.size=1 GB
                nifi.authorizer.configuration.file=./conf/authorizers.xml
                nifi.login.identity.provider.configuration.file=./conf/login-identity-providers.xml
                nifi.nar.library.directory=%1$s
                nifi.nar.library.directory.extensions=./extensions
                nifi.nar.library.autoload.directory=./autoload
                nifi.nar.working.directory=./work/nar/
                nifi.nar.unpack.uber.jar=false
                nifi.state.management.configuration.file=./conf/state-management.xml
                nifi.state.management.provider.local=local-provider
                nifi.state.management.embedded.zookeeper.start=false
                nifi.database.directory=./database_repository
                nifi.flowfile.repository.implementation=org.apache.nifi.controller.repository.WriteAheadFlowFileRepository
                nifi.flowfile.repository.wal.implementation=org.apache.nifi.wali.SequentialAccessWriteAheadLog
                nifi.flowfile.repository.directory=./flowfile_repository
                nifi.flowfile.repository.checkpoint.interval=20 secs
                nifi.flowfile.repository.always.sync=false
                nifi.swap.manager.implementation=org.apache.nifi.controller.FileSystemSwapManager
                nifi.queue.swap.threshold=20000
                nifi.content.repository.implementation=org.apache.nifi.controller.repository.FileSystemRepository
                nifi.content.claim.max.appendable.size=50 KB
                nifi.content.repository.directory.default=./content_repository
                nifi.content.repository.archive.enabled=false
                nifi.provenance.repository.implementation=org.apache.nifi.provenance.VolatileProvenanceRepository
                nifi.provenance.repository.buffer.size=10000
                nifi.components.status.repository.implementation=org.apache.nifi.controller.status.history.VolatileComponentStatusRepository
                nifi.components.status.repository.buffer.size=1440
                nifi.components.status.snapshot.frequency=1 min
                nifi.remote.input.host=
                nifi.remote.input.secure=false
                nifi.remote.input.socket.port=
                nifi.remote.input.http.enabled=false
                nifi.web.http.host=127.0.0.1
                nifi.web.http.port=%2$d
                nifi.web.https.host=
                nifi.web.https.port=
                nifi.web.jetty.working.directory=./work/jetty
                nifi.web.jetty.threads=50
                nifi.web.max.header.size=16 KB
                nifi.web.proxy.context.path=
                nifi.web.proxy.host=
                nifi.web.request.timeout=60 secs
                nifi.sensitive.props.key=%3$s
                nifi.sensitive.props.algorithm=NIFI_PBKDF2_AES_GCM_256
                nifi.security.keystore=
                nifi.security.keystoreType=
                nifi.security.keystorePasswd=
                nifi.security.keyPasswd=
                nifi.security.truststore=
                nifi.security.truststoreType=
                nifi.security.truststorePasswd=
                nifi.security.user.authorizer=
                nifi.security.user.login.identity.provider=
                nifi.cluster.is.node=false
                nifi.cluster.protocol.is.secure=false
                nifi.zookeeper.connect.string=
                nifi.analytics.predict.enabled=false
                nifi.python.framework.source.directory=./python/framework
                nifi.python.api.source.directory=./python/api
                nifi.python.extensions.source.directory.default=./python/extensions
                nifi.python.working.directory=./work/python
                nifi.python.max.processes=10
                nifi.python.max.processes.per.extension.type=2
                nifi.python.logs.directory=./logs
                """.formatted(home.lib(), port, SENSITIVE_PROPS_KEY);
        // nifi.python.command is left out on purpose: without it NiFi does not start its Python bridge.
        properties = withOverrides(properties, cluster == null ? Map.of() : clusterProperties(cluster));
        properties = withOverrides(properties, propertyOverrides);
        String logback = """
                <configuration>
                  <appender name="APP" class="ch.qos.logback.core.FileAppender">
                    <file>logs/nifi-app.log</file>
                    <encoder><pattern>%date %level [%thread] %logger{40} %msg%n</pattern></encoder>
                  </appender>
                  <logger name="org.apache.nifi" level="INFO"/>
                  <logger name="org.eclipse.jetty" level="WARN"/>
                  <!-- one line per REST call otherwise: keeps the log tail in failure reports readable -->
                  <logger name="org.apache.nifi.web.security" level="WARN"/>
                  <logger name="org.apache.nifi.web.server.RequestLog" level="WARN"/>
                  <root level="INFO"><appender-ref ref="APP"/></root>
                </configuration>
                """;
        String stateManagement = """
                <stateManagement>
                  <local-provider>
                    <id>local-provider</id>
                    <class>org.apache.nifi.controller.state.providers.local.WriteAheadLocalStateProvider</class>
                    <property name="Directory">./state/local</property>
                    <property name="Always Sync">false</property>
                    <property name="Partitions">16</property>
                    <property name="Checkpoint Interval">2 mins</property>
                  </local-provider>
                %s</stateManagement>
                """.formatted(cluster == null ? "" : """
                  <cluster-provider>
                    <id>zk-provider</id>
                    <class>org.apache.nifi.controller.state.providers.zookeeper.ZooKeeperStateProvider</class>
                    <property name="Connect String">%s</property>
                    <property name="Root Node">/nifi</property>
                    <property name="Session Timeout">6 seconds</property>
                    <property name="Access Control">Open</property>
                  </cluster-provider>
                """.formatted(cluster.zookeeperConnect()));
        try {
            Files.writeString(dir.resolve("conf/nifi.properties"), properties);
            Files.writeString(dir.resolve("conf/logback.xml"), logback);
            Files.writeString(dir.resolve("conf/state-management.xml"), stateManagement);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write NiFi's configuration into " + dir.resolve("conf"), e);
        }
    }

    /** A cluster node's settings, tuned for tests: short elections, heartbeats and ZooKeeper sessions. */
    private static Map<String, String> clusterProperties(ClusterNode cluster) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("nifi.cluster.is.node", "true");
        properties.put("nifi.cluster.node.address", "127.0.0.1");
        properties.put("nifi.cluster.node.protocol.port", String.valueOf(cluster.protocolPort()));
        properties.put("nifi.cluster.node.connection.timeout", "10 secs");
        properties.put("nifi.cluster.node.read.timeout", "10 secs");
        properties.put("nifi.cluster.protocol.heartbeat.interval", "2 sec");
        properties.put("nifi.cluster.protocol.heartbeat.missable.max", "4");
        properties.put("nifi.cluster.flow.election.max.wait.time", "5 sec");
        properties.put("nifi.cluster.flow.election.max.candidates", "1");
        properties.put("nifi.cluster.load.balance.host", "127.0.0.1");
        properties.put("nifi.cluster.load.balance.port", String.valueOf(cluster.loadBalancePort()));
        properties.put("nifi.zookeeper.connect.string", cluster.zookeeperConnect());
        properties.put("nifi.zookeeper.connect.timeout", "6 secs");
        properties.put("nifi.zookeeper.session.timeout", "6 secs");
        properties.put("nifi.zookeeper.root.node", "/nifi");
        properties.put("nifi.state.management.provider.cluster", "zk-provider");
        return properties;
    }

    /** {@code properties} (one {@code key=value} a line) with each override replacing its key's line, or appended. */
    private static String withOverrides(String properties, Map<String, String> overrides) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (String line : properties.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                entries.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        entries.putAll(overrides);
        StringBuilder text = new StringBuilder();
        entries.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    private static String tail(Path file, int lines) {
        if (!Files.exists(file)) {
            return "(no " + file.getFileName() + ")\n";
        }
        try (Stream<String> all = Files.lines(file)) {
            List<String> list = all.toList();
            StringBuilder text = new StringBuilder();
            list.subList(Math.max(0, list.size() - lines), list.size()).forEach(l -> text.append(l).append('\n'));
            return text.toString();
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")\n";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free TCP port on loopback", e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
