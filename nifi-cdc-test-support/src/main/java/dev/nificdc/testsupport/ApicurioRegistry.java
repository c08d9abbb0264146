package dev.nificdc.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Confluent-compatible schema registry: Apicurio Registry 2.4.2 (in-memory storage) in its own JVM on a free
 * loopback port, built from Maven Central artifacts once ({@link ApicurioRegistryBuild}). Every {@code /apis/*} request
 * must authenticate with HTTP Basic as the user given at start; the Confluent API is at {@link #url()}.
 *
 * <p>It answers as Confluent's registry does, with these differences (seen here): a 409 carries {@code error_code} 0;
 * a schema that the subject does not hold answers 40401 (Confluent: 40403); a version of a missing subject answers
 * 40402 (Confluent: 40401); the global compatibility level defaults to NONE (Confluent: BACKWARD).
 */
public final class ApicurioRegistry implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final Path log;
    private final int port;

    private ApicurioRegistry(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts a registry that admits {@code user} with {@code password} (building it first if the cache has none). */
    public static ApicurioRegistry start(String user, String password) {
        Path jar = ApicurioRegistryBuild.runnableJar();
        int port = FreePort.find();
        try {
            Path log = Files.createTempFile("apicurio-registry-" + port + "-", ".log");
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                    "-Dquarkus.datasource.jdbc.initial-size=2", "-Dquarkus.datasource.jdbc.min-size=2",
                    "-Dquarkus.security.users.embedded.enabled=true", "-Dquarkus.security.users.embedded.plain-text=true",
                    "-Dquarkus.security.users.embedded.users." + user + "=" + password,
                    "-jar", jar.toString());
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            process.getOutputStream().close();
            ApicurioRegistry registry = new ApicurioRegistry(process, log, port);
            registry.awaitReady();
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start Apicurio Registry from " + jar, e);
        }
    }

    /** The Confluent-compatible API's base URL, e.g. {@code http://127.0.0.1:41234/apis/ccompat/v7}. */
    public String url() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited during start-up (exit " + process.exitValue() + "); last lines of "
                        + log + ":\n" + ApicurioRegistryBuild.tail(log, 30));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("Interrupted while Apicurio Registry started", e);
            }
            sleep(250);
        }
        close();
        throw new IllegalStateException("Apicurio Registry was not ready after " + READY_TIMEOUT.toSeconds() + " s; see " + log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file; the OS cleans up
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
