package dev.nificdc.bench;

import dev.nificdc.cdc.binlog.BinlogSourceInfo;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.testsupport.MariaDbServer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Section 1, binlog catch-up throughput: writes the orders workload once, then reads the same binlog range with each
 * candidate in turn, repeatedly and alternating (raw library, processor in the mock framework, processor in a real
 * NiFi) after one uncounted warm-up round, and reports each candidate's median events/s and its ratio to the raw
 * library's, and the CPU time this JVM spent per event.
 */
final class BinlogThroughputBench {
    private BinlogThroughputBench() {
    }

    static void run(BenchOptions options, Report report) throws Exception {
        OrdersWorkload workload = new OrdersWorkload(options.rows());
        try (MariaDbServer server = MariaDbServer.start()) {
            System.out.println("==> throughput: MariaDB " + MariaDbServer.SERVER_VERSION + " on port " + server.port()
                    + "; writing the workload (" + options.rows() + " rows)");
            BinlogRange range = writeWorkload(server, workload);
            System.out.printf(Locale.ROOT, "==> binlog range %s:%d .. %s:%d holds %s%n", range.startFile(), range.startPosition(),
                    range.endFile(), range.endPosition(), range.expected());
            List<BinlogCaptureCandidate> candidates = new ArrayList<>(List.of(new RawLibraryCapture(), new EngineCapture(), new MockFrameworkCapture()));
            candidates.removeIf(candidate -> !options.runsCandidate(candidate.name()));
            if (options.withRealNiFi()) {
                System.out.println("==> starting a headless NiFi for candidate (c)");
                NiFiCapture nifi = NiFiCapture.start();
                report.add("throughput", "real-nifi-start", nifi.startSeconds(), "s", "NiFi 2.3.0 start with our NAR, full JIT");
                candidates.add(nifi);
            }
            try {
                measure(options, report, range, candidates);
            } finally {
                for (BinlogCaptureCandidate candidate : candidates) {
                    candidate.close();
                }
            }
        }
    }

    private static void measure(BenchOptions options, Report report, BinlogRange range, List<BinlogCaptureCandidate> candidates) throws Exception {
        WriterOnlyCapture writerOnly = new WriterOnlyCapture(BinlogSourceInfo.FIELDS);
        Map<String, List<CaptureMeasurement>> runs = new LinkedHashMap<>();
        // Round 0 is an uncounted warm-up: the JIT compiles each candidate's hot paths, as in a long-running capture.
        for (int round = 0; round <= options.repeats(); round++) {
            for (BinlogCaptureCandidate candidate : candidates) {
                System.gc(); // no candidate pays for the garbage of the one before it
                CaptureMeasurement m = candidate.capture(range).verifiedAgainst(range.expected(), candidate.name());
                print(round, candidate.name(), m);
                if (candidate instanceof NiFiCapture nifi) {
                    System.out.println("        " + nifi.lastRun());
                }
                if (round > 0) {
                    runs.computeIfAbsent(candidate.name(), k -> new ArrayList<>()).add(m);
                }
                if (candidate instanceof EngineCapture engine) {
                    List<ChangeEvent> events = engine.takeEvents();
                    for (boolean recordsBuiltBefore : new boolean[]{false, true}) {
                        String name = recordsBuiltBefore ? WriterOnlyCapture.WRITER : WriterOnlyCapture.RECORDS_AND_WRITER;
                        System.gc(); // the events stay live while they are written: move them out of the young generation first
                        CaptureMeasurement w = writerOnly.write(events, recordsBuiltBefore).verifiedAgainst(range.expected(), name);
                        print(round, name, w);
                        if (round > 0) {
                            runs.computeIfAbsent(name, k -> new ArrayList<>()).add(w);
                        }
                    }
                }
            }
        }
        report.add("throughput", "events", range.expected().total(), "events", range.expected().toString());
        double limit = runs.containsKey("raw-library") ? median(runs.get("raw-library").stream().map(CaptureMeasurement::eventsPerSecond).toList()) : Double.NaN;
        for (Map.Entry<String, List<CaptureMeasurement>> entry : runs.entrySet()) {
            String name = entry.getKey();
            double rate = median(entry.getValue().stream().map(CaptureMeasurement::eventsPerSecond).toList());
            report.add("throughput", name, rate, "events/s", "median of " + entry.getValue().size());
            if (!name.equals("raw-library") && !Double.isNaN(limit)) {
                report.add("throughput", name + "-vs-raw", rate / limit, "ratio");
            }
            List<Double> cpu = entry.getValue().stream().map(CaptureMeasurement::cpuMicrosPerEvent).filter(c -> !c.isNaN()).toList();
            if (!cpu.isEmpty()) {
                report.add("throughput", name + "-cpu", median(cpu), "us/event", "CPU time of the capturing JVM per event");
            }
        }
    }

    private static void print(int round, String name, CaptureMeasurement m) {
        System.out.printf(Locale.ROOT, "    %-8s %-20s %,10d events in %,7d ms = %,9.0f events/s (%.2f us CPU of the capturing JVM per event)%n",
                round == 0 ? "warm-up" : "run " + round, name, m.counted().total(), m.nanos() / 1_000_000, m.eventsPerSecond(), m.cpuMicrosPerEvent());
    }

    /** Creates the orders table in a new database and writes the workload; the range spans all of it. */
    static BinlogRange writeWorkload(MariaDbServer server, OrdersWorkload workload) throws SQLException {
        String database = server.createDatabase("bench");
        String table = "orders";
        String[] start = masterStatus(server);
        OrdersWorkload.Counts counts;
        try (Connection connection = server.adminConnection()) {
            connection.setCatalog(database);
            counts = workload.insertAll(connection, OrdersWorkload.Dialect.MARIADB, table);
            counts = counts.plus(workload.updateAndDelete(connection, table));
        }
        String[] end = masterStatus(server);
        return new BinlogRange(server.host(), server.port(), MariaDbServer.CDC_USER, MariaDbServer.CDC_PASSWORD, database, table,
                start[0], Long.parseLong(start[1]), end[0], Long.parseLong(end[1]), counts);
    }

    static String[] masterStatus(MariaDbServer server) throws SQLException {
        try (Connection c = server.adminConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            return new String[]{rs.getString(1), String.valueOf(rs.getLong(2))};
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
