package dev.nificdc.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Runs the nifi-cdc benchmarks ({@code bench/run.sh}): each section starts its own private servers, writes the seeded
 * orders workload and prints its figures as {@code BENCH ...} lines, and a table at the end.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ERROR: " + e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        Files.createDirectories(options.results().toAbsolutePath().getParent());
        Report report = new Report(options.results());
        System.out.println("==> nifi-cdc benchmarks, " + Instant.now() + ": " + machine());
        System.out.println("==> sections " + options.sections() + ", " + options.rows() + " rows, " + options.repeats()
                + " repetitions; BENCH lines also go to " + options.results().toAbsolutePath());
        if (options.runs("throughput")) {
            BinlogThroughputBench.run(options, report);
        }
        if (options.runs("latency")) {
            LatencyBench.run(options, report);
        }
        if (options.runs("memory")) {
            MemoryBench.run(options, report);
        }
        if (options.runs("timestamp")) {
            TimestampFetchBench.run(options, report);
        }
        if (PostgresBench.runs(options, "throughput") || PostgresBench.runs(options, "latency") || PostgresBench.runs(options, "memory")) {
            PostgresBench.run(options, report);
        }
        report.printTable();
    }

    static String machine() {
        Runtime runtime = Runtime.getRuntime();
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (Exception e) {
            // not Linux: the core count and memory still say enough
        }
        long memoryMb = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize() >> 20;
        return runtime.availableProcessors() + " cores (" + cpu + "), " + memoryMb + " MB RAM, Java " + Runtime.version()
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }
}
