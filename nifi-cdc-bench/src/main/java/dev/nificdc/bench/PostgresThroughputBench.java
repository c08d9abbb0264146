package dev.nificdc.bench;

import dev.nificdc.cdc.postgres.PgSourceInfo;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.testsupport.PostgresServer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * PostgreSQL catch-up throughput: writes the orders workload once behind a template slot, then reads the same WAL range
 * with each candidate in turn, each from a fresh copy of the template slot, repeatedly and alternating (raw pgjdbc
 * stream, engine alone, processor in the mock framework) after one uncounted warm-up round. Reports each candidate's
 * median changes/s and its ratio to the raw stream's, the CPU time this JVM spent per change and the CPU time the
 * server's walsender spent per change (decoding the WAL, encoding pgoutput).
 */
final class PostgresThroughputBench {
    static final String SECTION = "postgres";

    private PostgresThroughputBench() {
    }

    static void run(BenchOptions options, Report report, PostgresServer server) throws Exception {
        OrdersWorkload workload = new OrdersWorkload(options.rows());
        System.out.println("==> postgres throughput: PostgreSQL " + server.majorVersion() + " on port " + server.port()
                + "; writing the workload (" + options.rows() + " rows)");
        PgWalRange range = writeWorkload(server, workload);
        PgEngineCapture engine = new PgEngineCapture();
        List<PgCaptureCandidate> candidates = new ArrayList<>(List.of(new PgRawStreamCapture(), engine, new PgMockFrameworkCapture()));
        candidates.removeIf(candidate -> !options.runsCandidate(candidate.name()));
        WriterOnlyCapture writerOnly = new WriterOnlyCapture(PgSourceInfo.FIELDS);
        Map<String, List<PgCaptureCandidate.Run>> runs = new LinkedHashMap<>();
        int copies = 0;
        // Round 0 is an uncounted warm-up: the JIT compiles each candidate's hot paths, as in a long-running capture.
        for (int round = 0; round <= options.repeats(); round++) {
            for (PgCaptureCandidate candidate : candidates) {
                String slot = range.templateSlot() + "_" + copies++;
                range.copySlot(slot);
                System.gc(); // no candidate pays for the garbage of the one before it
                PgCaptureCandidate.Run run;
                try {
                    run = candidate.capture(range, slot);
                } finally {
                    range.dropSlot(slot);
                }
                run.measurement().verifiedAgainst(range.expected(), candidate.name());
                print(round, candidate.name(), run);
                if (round > 0) {
                    runs.computeIfAbsent(candidate.name(), k -> new ArrayList<>()).add(run);
                }
                if (candidate == engine) {
                    List<ChangeEvent> events = engine.takeEvents();
                    for (boolean recordsBuiltBefore : new boolean[]{false, true}) {
                        String name = recordsBuiltBefore ? WriterOnlyCapture.WRITER : WriterOnlyCapture.RECORDS_AND_WRITER;
                        System.gc(); // the events stay live while they are written: move them out of the young generation first
                        CaptureMeasurement w = writerOnly.write(events, recordsBuiltBefore).verifiedAgainst(range.expected(), name);
                        PgCaptureCandidate.Run writerRun = new PgCaptureCandidate.Run(w, -1);
                        print(round, name, writerRun);
                        if (round > 0) {
                            runs.computeIfAbsent(name, k -> new ArrayList<>()).add(writerRun);
                        }
                    }
                }
            }
        }
        report(report, range, runs);
    }

    private static void report(Report report, PgWalRange range, Map<String, List<PgCaptureCandidate.Run>> runs) {
        report.add(SECTION, "throughput-changes", range.expected().total(), "changes", range.expected().toString());
        String raw = "raw-pgjdbc";
        double limit = runs.containsKey(raw) ? median(runs.get(raw), r -> r.measurement().eventsPerSecond()) : Double.NaN;
        double rawCpu = runs.containsKey(raw) ? median(runs.get(raw), r -> r.measurement().cpuMicrosPerEvent()) : Double.NaN;
        for (Map.Entry<String, List<PgCaptureCandidate.Run>> entry : runs.entrySet()) {
            String name = "throughput-" + entry.getKey();
            List<PgCaptureCandidate.Run> measured = entry.getValue();
            double rate = median(measured, r -> r.measurement().eventsPerSecond());
            report.add(SECTION, name, rate, "changes/s", "median of " + measured.size());
            double cpu = median(measured, r -> r.measurement().cpuMicrosPerEvent());
            report.add(SECTION, name + "-cpu", cpu, "us/change", "CPU time of the capturing JVM per change (process CPU: GC and JIT included)");
            if (!entry.getKey().equals(raw) && !Double.isNaN(limit)) {
                report.add(SECTION, name + "-vs-raw", rate / limit, "ratio", "changes/s over raw-pgjdbc's");
                report.add(SECTION, name + "-cpu-vs-raw", rawCpu / cpu, "ratio", "raw-pgjdbc's CPU per change over this one's");
            }
            double server = median(measured, PgCaptureCandidate.Run::walSenderMicrosPerChange);
            if (!Double.isNaN(server)) {
                report.add(SECTION, name + "-walsender-cpu", server, "us/change", "CPU time of the server's walsender per change");
            }
        }
    }

    private static void print(int round, String name, PgCaptureCandidate.Run run) {
        CaptureMeasurement m = run.measurement();
        System.out.printf(Locale.ROOT, "    %-8s %-20s %,10d changes in %,7d ms = %,9.0f changes/s (%.2f us CPU of this JVM, %.2f us of the walsender per change)%n",
                round == 0 ? "warm-up" : "run " + round, name, m.counted().total(), m.nanos() / 1_000_000, m.eventsPerSecond(),
                m.cpuMicrosPerEvent(), run.walSenderMicrosPerChange());
    }

    private static double median(List<PgCaptureCandidate.Run> runs, ToDoubleFunction<PgCaptureCandidate.Run> figure) {
        List<Double> values = runs.stream().map(figure::applyAsDouble).filter(v -> !v.isNaN()).toList();
        return values.isEmpty() ? Double.NaN : BinlogThroughputBench.median(values);
    }

    /**
     * Creates a database with a publication of all its tables and a template slot, then the orders table and the
     * workload: the slot's position is just before the workload, and nothing else writes to the database.
     */
    static PgWalRange writeWorkload(PostgresServer server, OrdersWorkload workload) throws SQLException {
        String database = server.createDatabase("pg_bench");
        String publication = "bench_pub";
        String template = "tpl_" + database;
        server.execute(database, "CREATE PUBLICATION " + publication + " FOR ALL TABLES",
                "SELECT pg_create_logical_replication_slot('" + template + "', 'pgoutput')");
        OrdersWorkload.Counts counts;
        long started = System.nanoTime();
        String startLsn;
        try (Connection connection = server.connection(database)) {
            startLsn = currentLsn(connection);
            counts = workload.insertAll(connection, OrdersWorkload.Dialect.POSTGRESQL, "orders");
            counts = counts.plus(workload.updateAndDelete(connection, "orders"));
            System.out.printf(Locale.ROOT, "==> WAL %s .. %s (%s) holds %s, written in %.1f s%n", startLsn, currentLsn(connection),
                    walBytes(connection, startLsn), counts, (System.nanoTime() - started) / 1e9);
        }
        return new PgWalRange(server, database, template, publication, counts);
    }

    private static String currentLsn(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String walBytes(Connection connection, String from) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), '" + from + "'))")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
