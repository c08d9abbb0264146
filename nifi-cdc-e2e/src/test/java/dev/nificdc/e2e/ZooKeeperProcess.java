package dev.nificdc.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A standalone ZooKeeper server for a test NiFi cluster, in a JVM of its own, from the ZooKeeper jars NiFi's framework
 * NAR bundles (the same ZooKeeper NiFi's embedded server would run): both cluster nodes connect to it, and either node
 * can be killed without taking ZooKeeper with it.
 */
final class ZooKeeperProcess implements AutoCloseable {
    private static final Set<String> JARS = Set.of("zookeeper-", "zookeeper-jute-", "metrics-core-", "commons-io-", "snappy-java-");

    private final Path dir;
    private final int port;
    private final Process process;

    private ZooKeeperProcess(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    static ZooKeeperProcess start(NiFiHome home) {
        try {
            Path dir = Files.createTempDirectory("nifi-e2e-zookeeper-");
            Path jars = Files.createDirectories(dir.resolve("lib"));
            try (InputStream nar = Files.newInputStream(home.lib().resolve("nifi-framework-nar-" + NiFiHome.NIFI_VERSION + ".nar"));
                 ZipInputStream zip = new ZipInputStream(nar)) {
                for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                    String name = Path.of(entry.getName()).getFileName().toString();
                    if (entry.getName().startsWith("META-INF/bundled-dependencies/") && JARS.stream().anyMatch(name::startsWith)) {
                        Files.copy(zip, jars.resolve(name));
                    }
                }
            }
            String slf4j;
            try (var files = Files.list(home.lib())) {
                slf4j = files.filter(f -> f.getFileName().toString().startsWith("slf4j-api-")).findFirst().orElseThrow().toString();
            }
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                    "-cp", jars + "/*:" + slf4j, "org.apache.zookeeper.server.ZooKeeperServerMain", String.valueOf(port),
                    dir.resolve("data").toString()));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("zookeeper.log").toFile()).start();
            ZooKeeperProcess zookeeper = new ZooKeeperProcess(dir, port, process);
            zookeeper.awaitPort();
            return zookeeper;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start ZooKeeper", e);
        }
    }

    String connectString() {
        return "127.0.0.1:" + port;
    }

    private void awaitPort() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("ZooKeeper exited with " + process.exitValue() + "; see " + dir.resolve("zookeeper.log"));
            }
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                NiFiInstance.sleep(200);
            }
        }
        throw new IllegalStateException("ZooKeeper did not listen on " + port + " within 60 s");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        NiFiHome.deleteRecursively(dir);
    }
}
