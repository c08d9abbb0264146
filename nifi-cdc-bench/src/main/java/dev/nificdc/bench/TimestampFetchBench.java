package dev.nificdc.bench;

import dev.nificdc.testsupport.MariaDbServer;
import dev.nificdc.testsupport.PostgresServer;
import org.apache.avro.Schema;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Section 4 of the benchmarks: timestamp fetch throughput. On a private PostgreSQL and a private MariaDB, the orders
 * table with {@code --rows} rows is read whole, alternately and {@code --repeats} times each, by
 * <ul>
 *   <li>(a) the limit, {@link JdbcAvroFetch}: plain JDBC with a streaming cursor into Avro binary, and</li>
 *   <li>(b) {@link TimestampProcessorFetch}: CaptureTimestampChange with NiFi's AvroRecordSetWriter in NiFi's mock
 *       framework.</li>
 * </ul>
 * Every run's row count is verified against the table. Reports the median rows/s of each and the ratio (b)/(a)
 * per database (the target is (b) >= 60% of (a)), and the CPU time per row of the JVM's Java threads, the ones that
 * capture (the database servers run as processes of their own), which is steadier than wall time here; the whole
 * JVM's CPU per row (with the garbage collector and the JIT compiler) is in the notes.
 */
final class TimestampFetchBench {
    static final String SECTION = "timestamp";
    static final String TABLE = "orders";
    static final double TARGET_RATIO = 0.6;
    private static final int WARM_UP_ROUNDS = 2;

    private TimestampFetchBench() {
    }

    static void run(BenchOptions options, Report report) throws Exception {
        OrdersWorkload workload = new OrdersWorkload(options.rows());
        System.out.println("==> timestamp: " + options.rows() + " rows, " + options.repeats() + " alternating repetitions per candidate");
        try (PostgresServer postgres = PostgresServer.start()) {
            String db = postgres.createDatabase("ts_bench");
            long loadStarted = System.nanoTime();
            try (Connection connection = postgres.connection(db); Statement s = connection.createStatement()) {
                workload.insertAll(connection, OrdersWorkload.Dialect.POSTGRESQL, TABLE);
                // VACUUM now rather than autovacuum in the middle of a measured run; it also sets every row's hint bits,
                // which the first reads would otherwise write back to disk
                s.execute("VACUUM ANALYZE " + TABLE);
            }
            System.out.printf(Locale.ROOT, "    postgresql: loaded %d rows in %.1f s%n", options.rows(), (System.nanoTime() - loadStarted) / 1e9);
            measure(new TimestampBenchDatabase("postgresql", OrdersWorkload.Dialect.POSTGRESQL, postgres.jdbcUrl(db),
                    PostgresServer.USER, "", TABLE), options, report);
        }
        try (MariaDbServer mariadb = MariaDbServer.start()) {
            String db = mariadb.createDatabase("ts_bench");
            long loadStarted = System.nanoTime();
            // (b) runs with Open Transactions at its default, Wait: with PROCESS the processor reads INNODB_TRX every run,
            // as a user following the docs would have it
            mariadb.execute("GRANT PROCESS ON *.* TO '" + MariaDbServer.CDC_USER + "'@'%'");
            try (Connection connection = mariadb.adminConnection(); Statement s = connection.createStatement()) {
                connection.setCatalog(db);
                workload.insertAll(connection, OrdersWorkload.Dialect.MARIADB, TABLE);
                s.execute("ANALYZE TABLE " + TABLE);
            }
            System.out.printf(Locale.ROOT, "    mariadb: loaded %d rows in %.1f s%n", options.rows(), (System.nanoTime() - loadStarted) / 1e9);
            measure(new TimestampBenchDatabase("mariadb", OrdersWorkload.Dialect.MARIADB, mariadb.jdbcUrl(db),
                    MariaDbServer.CDC_USER, MariaDbServer.CDC_PASSWORD, TABLE), options, report);
        }
    }

    private static void measure(TimestampBenchDatabase database, BenchOptions options, Report report) throws Exception {
        long expected = options.rows();
        // Two untimed passes of each first, so both run JIT-compiled code and read a warm buffer cache: one was not
        // enough when this section runs alone in a fresh JVM (the first counted runs came out at a third of the later ones).
        for (int warmUp = 1; warmUp <= WARM_UP_ROUNDS; warmUp++) {
            TimestampFetchMeasurement warmLimit = JdbcAvroFetch.fetch(database, expected).verifiedAgainst(expected, "The limit (plain JDBC)");
            TimestampProcessorFetch.Result warmProcessor = TimestampProcessorFetch.fetch(database, expected);
            warmProcessor.measurement().verifiedAgainst(expected, "CaptureTimestampChange");
            checkEquivalentSchema(JdbcAvroFetch.schema(database.dialect()), warmProcessor.writtenSchema(), database.name());
            System.out.printf(Locale.ROOT, "    %s warm-up %d: (a) %s; (b) %s in %d FlowFiles%n", database.name(), warmUp, warmLimit,
                    warmProcessor.measurement(), warmProcessor.flowFiles());
        }

        List<Double> limit = new ArrayList<>();
        List<Double> processor = new ArrayList<>();
        List<Double> limitCpu = new ArrayList<>();
        List<Double> processorCpu = new ArrayList<>();
        List<Double> limitThreadCpu = new ArrayList<>();
        List<Double> processorThreadCpu = new ArrayList<>();
        for (int i = 1; i <= options.repeats(); i++) {
            TimestampFetchMeasurement a = JdbcAvroFetch.fetch(database, expected).verifiedAgainst(expected, "The limit (plain JDBC)");
            limit.add(a.rowsPerSecond());
            limitCpu.add(a.cpuMicrosPerRow());
            limitThreadCpu.add(a.captureCpuMicrosPerRow());
            System.out.printf(Locale.ROOT, "    %s run %d (a) jdbc-avro:  %s%n", database.name(), i, a);
            TimestampProcessorFetch.Result b = TimestampProcessorFetch.fetch(database, expected);
            b.measurement().verifiedAgainst(expected, "CaptureTimestampChange");
            processor.add(b.measurement().rowsPerSecond());
            processorCpu.add(b.measurement().cpuMicrosPerRow());
            processorThreadCpu.add(b.measurement().captureCpuMicrosPerRow());
            System.out.printf(Locale.ROOT, "    %s run %d (b) processor:  %s in %d FlowFiles%n", database.name(), i, b.measurement(), b.flowFiles());
        }
        double a = median(limit);
        double b = median(processor);
        double ratio = b / a;
        String rows = options.rows() + " rows";
        report.add(SECTION, database.name() + "_jdbc_avro", a, "rows/s", "(a) limit: plain JDBC streaming into Avro, median of "
                + options.repeats() + ", " + rows + "; runs " + format(limit));
        report.add(SECTION, database.name() + "_processor", b, "rows/s", "(b) CaptureTimestampChange + AvroRecordSetWriter, median of "
                + options.repeats() + ", " + rows + "; runs " + format(processor));
        report.add(SECTION, database.name() + "_ratio_b_a", ratio, "ratio", (ratio >= TARGET_RATIO ? "meets" : "MISSES")
                + " the target (b)/(a) >= " + TARGET_RATIO);
        double aThreads = median(limitThreadCpu);
        double bThreads = median(processorThreadCpu);
        report.add(SECTION, database.name() + "_jdbc_avro_cpu", aThreads, "us/row", "(a) CPU per row of the JVM's Java threads (no GC, no JIT), median of "
                + options.repeats() + "; runs " + format(limitThreadCpu, "%.2f") + "; whole JVM " + format(limitCpu, "%.2f"));
        report.add(SECTION, database.name() + "_processor_cpu", bThreads, "us/row", "(b) CPU per row of the JVM's Java threads (the "
                + "mock framework's thread and the processor's reading thread; no GC, no JIT), median of " + options.repeats() + "; runs " + format(processorThreadCpu, "%.2f")
                + "; whole JVM " + format(processorCpu, "%.2f"));
        report.add(SECTION, database.name() + "_cpu_ratio_b_a", bThreads / aThreads, "ratio", "capture CPU per row of (b) over (a)");
    }

    /** The limit must write what the processor writes: every limit field exists in the processor's schema with the same Avro type. */
    static void checkEquivalentSchema(Schema limit, Schema processor, String database) {
        if (processor == null) {
            throw new IllegalStateException("The processor wrote no records on " + database + ", so there is no schema to compare");
        }
        for (Schema.Field field : limit.getFields()) {
            Schema.Field written = processor.getField(field.name());
            if (written == null || !sameType(field.schema(), written.schema())) {
                throw new IllegalStateException("The limit's field " + field.name() + " " + field.schema() + " differs from the processor's "
                        + (written == null ? "(absent)" : written.schema()) + " on " + database + "; fix JdbcAvroFetch.schema");
            }
        }
    }

    /** Same Avro type and logical type, ignoring names and custom properties. */
    private static boolean sameType(Schema a, Schema b) {
        if (a.getType() != b.getType() || !Objects.equals(a.getLogicalType(), b.getLogicalType())) {
            return false;
        }
        if (a.getType() == Schema.Type.UNION) {
            List<Schema> ta = a.getTypes();
            List<Schema> tb = b.getTypes();
            if (ta.size() != tb.size()) {
                return false;
            }
            for (int i = 0; i < ta.size(); i++) {
                if (!sameType(ta.get(i), tb.get(i))) {
                    return false;
                }
            }
        }
        return true;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String format(List<Double> values) {
        return format(values, "%.0f");
    }

    private static String format(List<Double> values, String pattern) {
        return String.join(" ", values.stream().map(v -> String.format(Locale.ROOT, pattern, v)).toList());
    }
}
