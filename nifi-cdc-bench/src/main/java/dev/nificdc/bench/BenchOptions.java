package dev.nificdc.bench;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The benchmark's command line: which sections, how many rows, how many repetitions, where the results go. */
record BenchOptions(Set<String> sections, Set<String> candidates, int rows, int repeats, int latencySeconds, int latencyRate, Path results) {
    static final List<String> ALL_SECTIONS = List.of("throughput", "latency", "memory", "timestamp", "postgres");
    /** Parts of the postgres section that can be run alone; not in the default set. */
    static final List<String> POSTGRES_PARTS = List.of("postgres-throughput", "postgres-latency", "postgres-memory");

    static final String USAGE = """
            Usage: bench/run.sh [options]
              --sections a,b,...  which benchmarks to run: throughput, latency, memory, timestamp, postgres (default: all);
                                  postgres-throughput, postgres-latency, postgres-memory run one part of postgres
              --rows N            rows of the orders workload (default 200000; a multiple of 20000; 1000000 for the large run)
              --repeats N         repetitions of each throughput candidate, alternating (default 3; the median is reported)
              --no-nifi           skip the real-NiFi throughput candidate (c)
              --candidates a,b    only these throughput candidates, e.g. mock-framework to profile it (default: all)
              --latency-seconds N how long the steady writer of the latency benchmark runs (default 60)
              --latency-rate N    row changes per second of the steady writer (default 5000)
              --results FILE      where the BENCH lines are appended (default nifi-cdc-bench/target/bench-results.txt)
            Environment:
              NIFI_CDC_BENCH_SKIP_BUILD=true         reuse the last build
              NIFI_CDC_BENCH_JAVA_OPTS="..."         more options for the benchmark JVM, e.g. -XX:StartFlightRecording=...
              NIFI_CDC_BENCH_MEMORY_JVM_ARGS="..."   more options for the memory benchmark's child JVMs
              NIFI_CDC_BENCH_MEMORY_SCENARIOS=a,b    only these memory scenarios (update-1m, snapshot-2m, incremental-2m)
              NIFI_CDC_BENCH_JAVA_OPTS=-Dnifi.cdc.bench.nifi.jfr=FILE   also profile the real NiFi with JFR and summarise it
            """;

    static BenchOptions parse(String[] args) {
        Set<String> sections = new LinkedHashSet<>(ALL_SECTIONS);
        int rows = 200_000;
        int repeats = 3;
        int latencySeconds = 60;
        int latencyRate = 5_000;
        boolean nifi = true;
        Set<String> candidates = Set.of();
        Path results = Path.of("nifi-cdc-bench", "target", "bench-results.txt");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--sections" -> {
                    sections = new LinkedHashSet<>(List.of(value(args, ++i, arg).split(",")));
                    for (String section : sections) {
                        if (!ALL_SECTIONS.contains(section) && !POSTGRES_PARTS.contains(section)) {
                            throw new IllegalArgumentException("Unknown section '" + section + "'; choose from " + ALL_SECTIONS + " or " + POSTGRES_PARTS);
                        }
                    }
                }
                case "--rows" -> rows = Integer.parseInt(value(args, ++i, arg));
                case "--repeats" -> repeats = Integer.parseInt(value(args, ++i, arg));
                case "--no-nifi" -> nifi = false;
                case "--candidates" -> candidates = Set.of(value(args, ++i, arg).split(","));
                case "--latency-seconds" -> latencySeconds = Integer.parseInt(value(args, ++i, arg));
                case "--latency-rate" -> latencyRate = Integer.parseInt(value(args, ++i, arg));
                case "--results" -> results = Path.of(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("Unknown option '" + arg + "'");
            }
        }
        if (!nifi) {
            sections.add("no-nifi");
        }
        return new BenchOptions(sections, candidates, rows, repeats, latencySeconds, latencyRate, results);
    }

    boolean runs(String section) {
        return sections.contains(section);
    }

    boolean withRealNiFi() {
        return !sections.contains("no-nifi") && runsCandidate("real-nifi");
    }

    boolean runsCandidate(String name) {
        return candidates.isEmpty() || candidates.contains(name);
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }
}
