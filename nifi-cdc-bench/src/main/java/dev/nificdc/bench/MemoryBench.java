package dev.nificdc.bench;

import dev.nificdc.testsupport.MariaDbServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Section 3 of the benchmarks: can CaptureBinlogChange capture one transaction updating 1,000,000 rows, an initial
 * snapshot of a 2,000,000-row table, and an incremental snapshot of a 2,000,000-row table requested while streaming, with
 * the heap capped at 256 MB? Prepares them in one private MariaDB and captures each in its own child JVM
 * ({@link MemoryBenchChild}, {@code -Xmx256m}), whose output is copied through; reports each scenario's success, peak
 * heap, throughput and Avro bytes. A failed scenario is reported with its reason (success 0) and does not stop the
 * others. Set the environment variable {@code NIFI_CDC_BENCH_MEMORY_JVM_ARGS}
 * (or the system property {@code nifi.cdc.bench.memory.jvmArgs}) to give the child JVMs more options, e.g.
 * {@code -XX:StartFlightRecording=filename=/tmp/memory.jfr}; on an OutOfMemoryError they write a heap dump under
 * {@code <results dir>/memory-bench/<scenario>/}.
 */
final class MemoryBench {
    private static final String SECTION = "memory";
    private static final long FILL_CHUNK = 100_000;
    private static final long CHILD_TIMEOUT_MINUTES = 45;
    private static final String[] STATUSES = {"new", "paid", "packed", "shipped", "delivered", "returned"};

    private MemoryBench() {
    }

    static void run(BenchOptions options, Report report) throws Exception {
        System.out.println("==> memory: " + scenarios().stream().map(MemoryScenario::description).toList()
                + ", each captured by CaptureBinlogChange in a child JVM with -Xmx" + MemoryScenario.MAX_HEAP
                + " (sizes fixed, independent of --rows)");
        Path work = options.results().toAbsolutePath().getParent().resolve("memory-bench");
        // A larger buffer pool than the test default: the 3 million rows are written in seconds, not minutes.
        MariaDbServer.Options serverOptions = new MariaDbServer.Options()
                .arg("--innodb-buffer-pool-size=1G").arg("--innodb-log-file-size=512M");
        try (MariaDbServer server = MariaDbServer.start(serverOptions)) {
            for (MemoryScenario scenario : scenarios()) {
                MemoryResult result;
                try {
                    List<String> arguments = prepare(server, scenario);
                    result = runChild(scenario, arguments, work.resolve(scenario.id()));
                } catch (Exception e) {
                    result = MemoryResult.failedBeforeMeasuring(scenario, "the scenario could not run: " + e);
                }
                report(report, result);
            }
        }
    }

    /** The scenarios to run: all, or those NIFI_CDC_BENCH_MEMORY_SCENARIOS names (comma-separated ids). */
    private static List<MemoryScenario> scenarios() {
        String names = System.getenv().getOrDefault("NIFI_CDC_BENCH_MEMORY_SCENARIOS", "").trim();
        return names.isEmpty() ? List.of(MemoryScenario.values())
                : Arrays.stream(names.split(",")).map(String::trim).map(MemoryScenario::of).toList();
    }

    /** Writes the scenario's table (and, for update-1m, the big transaction); returns the child's arguments. */
    private static List<String> prepare(MariaDbServer server, MemoryScenario scenario) throws SQLException {
        long started = System.nanoTime();
        String database = server.createDatabase("memory_" + scenario.id().replace('-', '_'));
        String table = "`" + database + "`.orders";
        List<String> arguments = new ArrayList<>(List.of("scenario=" + scenario.id(), "host=" + server.host(),
                "port=" + server.port(), "database=" + database));
        try (Connection connection = server.adminConnection(); Statement s = connection.createStatement()) {
            s.execute(OrdersWorkload.createTable(OrdersWorkload.Dialect.MARIADB, table));
            for (long from = 1; from <= scenario.rows(); from += FILL_CHUNK) {
                s.executeUpdate(fill(database, from, Math.min(from + FILL_CHUNK - 1, scenario.rows())));
            }
            long rows = count(s, "SELECT COUNT(*) FROM " + table);
            if (rows != scenario.rows()) {
                throw new IllegalStateException(table + " has " + rows + " rows after the fill, expected " + scenario.rows());
            }
            System.out.printf(Locale.ROOT, "==> memory %s: %,d rows written to %s in %.1f s%n", scenario.id(), rows, table,
                    (System.nanoTime() - started) / 1e9);
            if (scenario == MemoryScenario.UPDATE_1M) {
                try (ResultSet status = s.executeQuery("SHOW MASTER STATUS")) {
                    status.next();
                    arguments.add("binlogFile=" + status.getString(1));
                    arguments.add("binlogPosition=" + status.getLong(2));
                }
                long updateStarted = System.nanoTime();
                // autocommit: one statement, one transaction of a million row changes
                long updated = s.executeUpdate("UPDATE " + table + " SET status = 'changed', amount = amount + 1, "
                        + "note = CONCAT('updated: ', note), updated_at = updated_at + INTERVAL 1 DAY");
                if (updated != scenario.rows()) {
                    throw new IllegalStateException("The UPDATE changed " + updated + " rows, expected " + scenario.rows());
                }
                System.out.printf(Locale.ROOT, "==> memory %s: one UPDATE transaction of %,d rows committed in %.1f s, "
                                + "capture starts before it at %s%n", scenario.id(), updated, (System.nanoTime() - updateStarted) / 1e9,
                        arguments.subList(arguments.size() - 2, arguments.size()));
            }
        }
        return arguments;
    }

    /**
     * Rows {@code from..to} like {@link OrdersWorkload}'s (ids, customers, statuses, amounts, 20-119 character notes,
     * microsecond timestamps, a JSON payload), generated by the server from its sequence engine instead of sent one by one.
     */
    private static String fill(String database, long from, long to) {
        StringBuilder statuses = new StringBuilder();
        for (String status : STATUSES) {
            statuses.append(", '").append(status).append('\'');
        }
        return "INSERT INTO `" + database + "`.orders (id, customer_id, status, amount, note, created_at, updated_at, payload) "
                + "SELECT seq, (seq * 7919) % 100000, ELT(1 + seq % " + STATUSES.length + statuses + "), "
                + "((seq * 104729) % 10000000) / 100, SUBSTRING(REPEAT(MD5(seq), 4), 1, 20 + seq % 100), "
                + "TIMESTAMP'2026-01-01 00:00:00' + INTERVAL seq SECOND + INTERVAL ((seq * 7907) % 1000000) MICROSECOND, "
                + "TIMESTAMP'2026-01-01 00:00:00' + INTERVAL (seq * 10000) MICROSECOND, "
                + "CONCAT('{\"sku\": \"SKU-', (seq * 31) % 50000, '\", \"qty\": ', 1 + seq % 9, ', \"gift\": ', "
                + "IF(seq % 2 = 0, 'true', 'false'), ', \"tags\": [\"t', seq % 20, '\", \"t', (seq * 7) % 20, "
                + "'\"], \"order\": ', seq, '}') "
                + "FROM `" + database + "`.seq_" + from + "_to_" + to;
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Runs the scenario in a child JVM with the capped heap, copying its output through; returns its result line. */
    private static MemoryResult runChild(MemoryScenario scenario, List<String> arguments, Path dumpDir) throws Exception {
        Files.createDirectories(dumpDir);
        List<Path> dumpsBefore = heapDumps(dumpDir);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + MemoryScenario.MAX_HEAP, "-XX:+UseG1GC", "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + dumpDir,
                "-Dslf4j.internal.verbosity=ERROR"));
        String extra = System.getProperty("nifi.cdc.bench.memory.jvmArgs", System.getenv().getOrDefault("NIFI_CDC_BENCH_MEMORY_JVM_ARGS", "")).trim();
        if (!extra.isEmpty()) {
            command.addAll(Arrays.asList(extra.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("nifi.cdc.bench.classpath", System.getProperty("java.class.path")),
                MemoryBenchChild.class.getName()));
        command.addAll(arguments);
        System.out.println("==> memory " + scenario.id() + ": child JVM -Xmx" + MemoryScenario.MAX_HEAP
                + (extra.isEmpty() ? "" : " " + extra) + " " + MemoryBenchChild.class.getSimpleName() + " " + String.join(" ", arguments));

        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        AtomicReference<MemoryResult> result = new AtomicReference<>();
        Thread copier = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    System.out.println("    [memory " + scenario.id() + "] " + line);
                    MemoryResult parsed = MemoryResult.parse(line);
                    if (parsed != null) {
                        result.set(parsed);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "memory-bench-" + scenario.id());
        copier.start();
        if (!child.waitFor(CHILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            copier.join(TimeUnit.SECONDS.toMillis(30));
            return MemoryResult.failedBeforeMeasuring(scenario, "the child JVM did not finish within " + CHILD_TIMEOUT_MINUTES
                    + " minutes and was killed");
        }
        copier.join(TimeUnit.SECONDS.toMillis(30));
        int exit = child.exitValue();
        List<Path> newDumps = heapDumps(dumpDir).stream().filter(p -> !dumpsBefore.contains(p)).toList();
        String dumps = newDumps.isEmpty() ? "" : "; heap dump " + newDumps.get(newDumps.size() - 1);
        MemoryResult measured = result.get();
        if (measured == null) {
            return MemoryResult.failedBeforeMeasuring(scenario, "the child JVM exited with code " + exit
                    + " without a result line (see its output above)" + dumps);
        }
        if (measured.success() && exit != 0) {
            return measured.withFailure("the child JVM reported success but exited with code " + exit);
        }
        if (!measured.success()) {
            return measured.withFailure(measured.reason() + dumps);
        }
        return measured;
    }

    private static List<Path> heapDumps(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".hprof")).sorted().toList();
        }
    }

    private static void report(Report report, MemoryResult r) {
        String name = r.scenario();
        if (!r.success()) {
            System.out.println("==> memory " + name + ": FAILED: " + r.reason());
        }
        report.add(SECTION, name + ".success", r.success() ? 1 : 0, "bool",
                r.success() ? MemoryScenario.of(name).description() + " with a " + (r.maxHeapBytes() >> 20) + " MB heap" : r.reason());
        if (r.millis() <= 0) {
            return; // nothing was measured
        }
        report.add(SECTION, name + ".peak-heap", megabytes(r.peakHeapBytes()), "MB",
                "sum of the heap pools' peak use (each pool's own peak: may exceed the max heap)");
        report.add(SECTION, name + ".heap-in-use-max", megabytes(r.inUseMaxBytes()), "MB",
                "most heap in use at one time (just before a collection)");
        report.add(SECTION, name + ".max-heap", megabytes(r.maxHeapBytes()), "MB", "the child JVM's maximum heap");
        report.add(SECTION, name + ".heap-after-gc-max", megabytes(r.afterGcMaxBytes()), "MB",
                "most heap in use right after a collection: bounds the live data");
        report.add(SECTION, name + ".rows-per-second", Math.round(r.rowsPerSecond()), "rows/s",
                String.format(Locale.ROOT, "%,d of %,d records in %.1f s", r.records(), r.expected(), r.millis() / 1000.0));
        report.add(SECTION, name + ".avro-bytes", r.avroBytes(), "bytes",
                String.format(Locale.ROOT, "%,d FlowFiles in %,d runs", r.flowFiles(), r.runs()));
        report.add(SECTION, name + ".gc", r.gcCount(), "collections", r.gcMillis() + " ms in total");
    }

    private static double megabytes(long bytes) {
        return Math.round(bytes / 1048576.0 * 10) / 10.0;
    }
}
