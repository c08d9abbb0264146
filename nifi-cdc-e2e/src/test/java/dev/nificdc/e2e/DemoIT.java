package dev.nificdc.e2e;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code ./demo.sh --exit-when-synced} runs: {@link Demo} in its own JVM (as demo.sh starts it) replicates sample
 * changes from a private MariaDB (and, with {@code --source postgres}, from a private PostgreSQL) through the imported
 * template in a real NiFi into a second database of the same kind, says so once the replica equals the source row by
 * row, exits 0 and leaves no NiFi behind.
 */
class DemoIT {
    private static final Pattern SYNCED = Pattern.compile(
            "SYNCED: the replica matches the source row by row: (\\d+) rows .* (\\d+) changes written, captured and applied in (\\d+) FlowFiles");
    private static final Pattern NIFI = Pattern.compile("NiFi \\S+ answers on \\S+ after \\S+ s \\(pid (\\d+), (\\S+)\\)");

    @Test
    void demoReplicatesSampleChangesAndExitsWhenSynced() throws Exception {
        String output = runDemoUntilSynced("120", "--exit-when-synced", "--changes", "120", "--rate", "40", "--timeout", "240");
        assertTrue(output.contains("private MariaDB"), "the default source is MariaDB");
    }

    @Test
    void postgresSourceReplicatesSampleChangesAndExitsWhenSynced() throws Exception {
        String output = runDemoUntilSynced("80", "--source", "postgres", "--exit-when-synced", "--changes", "80", "--rate", "40", "--timeout", "240");
        assertTrue(output.contains("Starting the source: a private PostgreSQL with wal_level=logical"), "the source is PostgreSQL");
        assertTrue(output.contains("postgres-to-database-replica.json"), "the demo imports the PostgreSQL replica flow");
    }

    /**
     * Runs the demo with {@code arguments} in its own JVM, asserts it exits 0 with a SYNCED line saying that
     * {@code changes} changes were written, and that the NiFi it started is gone; returns its output.
     */
    private static String runDemoUntilSynced(String changes, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dslf4j.internal.verbosity=ERROR", "-cp", demoClassPath()));
        for (String property : List.of(NiFiHome.ARTIFACTS_PROPERTY, NiFiHome.STANDARD_NAR_PROPERTY, Demo.CDC_NAR_PROPERTY, Demo.TEMPLATES_PROPERTY)) {
            command.add("-D" + property + "=" + NiFiHome.requiredPath(property));
        }
        command.add(Demo.class.getName());
        command.addAll(List.of(arguments));
        Path log = Files.createTempFile("demo-it-", ".log");
        Process demo = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = demo.waitFor(8, TimeUnit.MINUTES);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        if (!exited) {
            demo.destroyForcibly().waitFor();
        }
        Files.delete(log);
        assertTrue(exited, "the demo did not exit within 8 minutes");
        assertEquals(0, demo.exitValue(), "exit status of the demo");

        Matcher synced = SYNCED.matcher(output);
        assertTrue(synced.find(), "no SYNCED line in the demo's output");
        assertTrue(Integer.parseInt(synced.group(1)) > 0, "the replica has rows");
        assertEquals(changes, synced.group(2));
        assertTrue(Integer.parseInt(synced.group(3)) > 0, "the demo says how many FlowFiles carried the changes");
        assertTrue(output.contains("/nifi/#/process-groups/"), "the demo prints NiFi's UI address");

        Matcher nifi = NIFI.matcher(output);
        assertTrue(nifi.find(), "the demo reports the NiFi it started");
        long pid = Long.parseLong(nifi.group(1));
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "NiFi (pid " + pid + ") still runs after the demo exited");
        assertFalse(Files.exists(Path.of(nifi.group(2))), "the NiFi instance directory was not deleted");
        return output;
    }

    @Test
    void helpDescribesTheSourceOptions() throws IOException, InterruptedException {
        Process help = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", demoClassPath(), Demo.class.getName(), "--help").redirectErrorStream(true).start();
        String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, help.waitFor());
        for (String option : List.of("--source mariadb|postgres", "--source-host", "--source-port", "--source-user", "--source-password", "--source-database", "--table", "--exit-when-synced")) {
            assertTrue(text.contains(option), "--help mentions " + option);
        }
    }

    /**
     * The class path demo.sh runs the demo with: the module's classes and target/demo-classpath.txt (written in the
     * package phase from the runtime dependencies), not the test class path, so a dependency missing at run time fails here.
     */
    private static String demoClassPath() throws IOException {
        Path target = Path.of("target");
        return target.resolve("classes").toAbsolutePath() + java.io.File.pathSeparator
                + Files.readString(target.resolve("demo-classpath.txt")).strip();
    }
}
