package dev.nificdc.bench;

import dev.nificdc.testsupport.PostgresServer;
import org.apache.nifi.util.TestRunner;

/**
 * Section 5, CapturePostgresChange ({@code --sections postgres}, or one part: {@code postgres-throughput},
 * {@code postgres-latency}, {@code postgres-memory}): catch-up throughput against the raw pgjdbc stream
 * ({@link PostgresThroughputBench}), commit-to-FlowFile latency with the steady writer of {@link LatencyBench}, and one
 * transaction of 1,000,000 rows at a 256 MB heap ({@link PostgresMemoryBench}). One private PostgreSQL (the harness's
 * embedded binaries, {@code wal_level=logical}, {@code synchronous_commit=on}) serves all three, each part in a database
 * of its own.
 */
final class PostgresBench {
    static final String SECTION = PostgresThroughputBench.SECTION;

    private PostgresBench() {
    }

    static void run(BenchOptions options, Report report) throws Exception {
        // PostgreSQL's default synchronous_commit=on (the embedded server's default is off): a walsender only sends what is
        // flushed, so with off a commit would wait for the WAL writer's next round (wal_writer_delay, 200 ms) before it streams.
        try (PostgresServer server = PostgresServer.start("synchronous_commit", "on")) {
            if (runs(options, "throughput")) {
                PostgresThroughputBench.run(options, report, server);
            }
            if (runs(options, "latency")) {
                latency(options, report, server);
            }
            if (runs(options, "memory")) {
                PostgresMemoryBench.run(options, report, server);
            }
        }
    }

    static boolean runs(BenchOptions options, String part) {
        return options.runs(SECTION) || options.runs(SECTION + "-" + part);
    }

    /**
     * The latency benchmark's steady writer against CapturePostgresChange (defaults, Snapshot Mode no_data: its first run
     * creates the publication and slot, before anything is written).
     */
    private static void latency(BenchOptions options, Report report, PostgresServer server) throws Exception {
        String database = server.createDatabase("pg_latency");
        server.execute(database, OrdersWorkload.createTable(OrdersWorkload.Dialect.POSTGRESQL, "orders"));
        TestRunner runner = PgMockFrameworkCapture.newRunner(server.host(), server.port(), database, "latency_" + database,
                "latency_pub", "no_data");
        LatencyBench.measure(options, report, SECTION, "latency-", runner, () -> server.connection(database));
    }
}
