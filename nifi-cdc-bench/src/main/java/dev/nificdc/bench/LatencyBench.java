package dev.nificdc.bench;

import dev.nificdc.testsupport.MariaDbServer;
import org.apache.avro.Conversions;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;

import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;

/**
 * Section 2, latency: a steady writer commits a transaction of {@link #CHANGES_PER_TRANSACTION} row changes (30 inserts,
 * 15 updates, 5 deletes) every 10 ms by default (after 10 s of warm-up that is not counted), while CaptureBinlogChange (defaults, NiFi's mock framework, real Avro
 * writer) runs continuously as NiFi would schedule it. Each change's latency is the time from just before its
 * transaction's COMMIT was sent to just after the processor's session holding it committed. Both ends are taken on this
 * JVM's monotonic clock, and both err on the late side, so the figures are upper bounds. {@link #measure} does the same
 * for CapturePostgresChange ({@link PostgresBench}).
 */
final class LatencyBench {
    static final int CHANGES_PER_TRANSACTION = 50;
    private static final int INSERTS = 30;
    private static final int UPDATES = 15;
    private static final int DELETES = 5;
    /** A transaction updates rows inserted this many transactions earlier, and deletes rows inserted twice as long ago. */
    private static final int AGE = 20;
    /** The writer runs this long before the measured time, so the JIT has compiled the capture path as in a long-running NiFi. */
    private static final int WARM_UP_SECONDS = 10;

    /** Reads the BIGINT UNSIGNED id (Avro decimal) as a BigDecimal. */
    private static final GenericData DECIMALS = new GenericData();

    static {
        DECIMALS.addLogicalTypeConversion(new Conversions.DecimalConversion());
    }

    private LatencyBench() {
    }

    static void run(BenchOptions options, Report report) throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String database = server.createDatabase("latency");
            server.execute("CREATE TABLE `" + database + "`." + OrdersWorkload.createTable(OrdersWorkload.Dialect.MARIADB, "orders").substring("CREATE TABLE ".length()));
            String[] start = BinlogThroughputBench.masterStatus(server);
            BinlogRange range = new BinlogRange(server.host(), server.port(), MariaDbServer.CDC_USER, MariaDbServer.CDC_PASSWORD, database, "orders",
                    start[0], Long.parseLong(start[1]), null, 0, null);
            TestRunner runner = MockFrameworkCapture.newRunner(range);
            measure(options, report, "latency", "", runner, () -> {
                Connection connection = server.adminConnection();
                connection.setCatalog(database);
                return connection;
            });
        }
    }

    /**
     * Runs the steady writer on the connections {@code writerConnection} opens (the orders table exists, empty) while
     * {@code runner}'s capture processor runs continuously; reports the figures under {@code section} as
     * {@code prefix + "commit-to-flowfile-median"} and so on. The processor is connected by its first run here, before
     * anything is written.
     */
    static void measure(BenchOptions options, Report report, String section, String prefix, TestRunner runner,
                        Callable<Connection> writerConnection) throws Exception {
        int transactionsPerSecond = Math.max(1, options.latencyRate() / CHANGES_PER_TRANSACTION);
        int warmUpTransactions = transactionsPerSecond * WARM_UP_SECONDS;
        int transactions = warmUpTransactions + transactionsPerSecond * options.latencySeconds();
        System.out.printf(Locale.ROOT, "==> %s: transactions of %d changes, %d per second (%d changes/s), %d s of warm-up and %d s measured%n",
                section, CHANGES_PER_TRANSACTION, transactionsPerSecond, transactionsPerSecond * CHANGES_PER_TRANSACTION, WARM_UP_SECONDS, options.latencySeconds());
        AtomicLongArray commitNanos = new AtomicLongArray(transactions);
        SteadyWriter writer = new SteadyWriter(writerConnection, transactions, transactionsPerSecond, commitNanos);
        runner.run(1, false, true); // connects; nothing is written yet
        Thread writerThread = Thread.ofPlatform().name("steady-writer").start(writer);
        long[] latencies = new long[Math.toIntExact(SteadyWriter.changes(transactions))];
        int[] transactionOf = new int[latencies.length];
        int measured = 0;
        long deadline = System.nanoTime() + (options.latencySeconds() + 120L) * 1_000_000_000L;
        while (measured < latencies.length) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Only " + measured + " of " + latencies.length + " changes were captured; writer: " + writer.failure);
            }
            runner.run(1, false, false);
            long committed = System.nanoTime();
            List<MockFlowFile> flowFiles = runner.getFlowFilesForRelationship("success");
            runner.clearTransferState();
            for (MockFlowFile flowFile : flowFiles) {
                measured = collect(flowFile, committed, commitNanos, latencies, transactionOf, measured);
            }
        }
        runner.run(1, true, false);
        writerThread.join();
        if (writer.failure != null) {
            throw new IllegalStateException("The steady writer failed", writer.failure);
        }
        printTimeline(latencies, transactionOf, transactionsPerSecond * 10);
        long[] measuredLatencies = IntStream.range(0, latencies.length).filter(i -> transactionOf[i] >= warmUpTransactions)
                .mapToLong(i -> latencies[i]).toArray();
        report(report, section, prefix, measuredLatencies, writer.achievedRate());
    }

    /** Adds the latency of every change in {@code flowFile}: its commit time minus its transaction's commit time. */
    private static int collect(MockFlowFile flowFile, long committed, AtomicLongArray commitNanos, long[] latencies, int[] transactionOf, int measured) throws Exception {
        try (DataFileStream<GenericRecord> records = new DataFileStream<>(new ByteArrayInputStream(flowFile.toByteArray()), new GenericDatumReader<>(null, null, DECIMALS))) {
            GenericRecord record = null;
            while (records.hasNext()) {
                record = records.next(record);
                String op = record.get("op").toString();
                GenericRecord row = (GenericRecord) record.get(op.equals("d") ? "before" : "after");
                long id = ((Number) row.get("id")).longValue();
                int transaction = SteadyWriter.transactionOf(op, id);
                long sent = commitNanos.get(transaction);
                if (sent == 0) {
                    throw new IllegalStateException("Captured " + op + " of id " + id + " before its transaction " + transaction + " was committed");
                }
                latencies[measured] = committed - sent;
                transactionOf[measured++] = transaction;
            }
        }
        return measured;
    }

    private static void report(Report report, String section, String prefix, long[] latencies, double achievedRate) {
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        double median = percentile(sorted, 0.50) / 1e6;
        double p99 = percentile(sorted, 0.99) / 1e6;
        double max = sorted[sorted.length - 1] / 1e6;
        String note = sorted.length + " changes at " + Math.round(achievedRate) + " changes/s";
        report.add(section, prefix + "commit-to-flowfile-median", median, "ms", note);
        report.add(section, prefix + "commit-to-flowfile-p99", p99, "ms", note);
        report.add(section, prefix + "commit-to-flowfile-max", max, "ms", note);
        report.add(section, prefix + "writer-rate", achievedRate, "changes/s");
    }

    /** Median, p99 and max of each 10-second stretch of the writer, to tell a warm-up or a stall from a steady tail. */
    private static void printTimeline(long[] latencies, int[] transactionOf, int transactionsPerWindow) {
        int windows = 1 + Arrays.stream(transactionOf).max().orElse(0) / transactionsPerWindow;
        for (int w = 0; w < windows; w++) {
            int window = w;
            long[] sorted = IntStream.range(0, latencies.length).filter(i -> transactionOf[i] / transactionsPerWindow == window)
                    .mapToLong(i -> latencies[i]).sorted().toArray();
            if (sorted.length > 0) {
                System.out.printf(Locale.ROOT, "    %3d-%3d s of the writer: median %6.1f ms, p99 %7.1f ms, max %7.1f ms (%d changes)%n", w * 10, w * 10 + 10,
                        percentile(sorted, 0.5) / 1e6, percentile(sorted, 0.99) / 1e6, sorted[sorted.length - 1] / 1e6, sorted.length);
            }
        }
    }

    private static double percentile(long[] sorted, double fraction) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(fraction * sorted.length) - 1)];
    }

    /**
     * Commits transaction {@code t} at {@code t / rate} seconds after its start: inserts ids {@code 30t+1 .. 30t+30},
     * updates the first 15 rows inserted by transaction {@code t-20}, deletes the last 5 of transaction {@code t-40}, so
     * every (operation, id) pair happens once and names its transaction. Its SQL is the same on MariaDB and PostgreSQL.
     */
    private static final class SteadyWriter implements Runnable {
        private final Callable<Connection> connections;
        private final int transactions;
        private final int perSecond;
        private final AtomicLongArray commitNanos;
        private volatile Exception failure;
        private volatile double achievedRate;

        SteadyWriter(Callable<Connection> connections, int transactions, int perSecond, AtomicLongArray commitNanos) {
            this.connections = connections;
            this.transactions = transactions;
            this.perSecond = perSecond;
            this.commitNanos = commitNanos;
        }

        /** Row changes of the first {@code transactions}: the first AGE have no updates, the first 2 * AGE no deletes. */
        static long changes(int transactions) {
            return (long) transactions * INSERTS + (long) Math.max(0, transactions - AGE) * UPDATES
                    + (long) Math.max(0, transactions - 2 * AGE) * DELETES;
        }

        static int transactionOf(String op, long id) {
            int inserted = (int) ((id - 1) / INSERTS);
            return switch (op) {
                case "c" -> inserted;
                case "u" -> inserted + AGE;
                case "d" -> inserted + 2 * AGE;
                default -> throw new IllegalStateException("Unexpected operation " + op);
            };
        }

        double achievedRate() {
            return achievedRate;
        }

        @Override
        public void run() {
            try (Connection connection = connections.call()) {
                connection.setAutoCommit(false);
                StringBuilder values = new StringBuilder();
                for (int i = 0; i < INSERTS; i++) {
                    values.append(i == 0 ? "" : ", ").append("(?, ?, 'new', 12.50, 'steady writer', CURRENT_TIMESTAMP(6), CURRENT_TIMESTAMP(6), '{\"sku\": \"SKU-1\", \"qty\": 1}')");
                }
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO orders (id, customer_id, status, amount, note, created_at, updated_at, payload) VALUES " + values);
                     PreparedStatement update = connection.prepareStatement("UPDATE orders SET status = 'paid', amount = amount + 1, updated_at = CURRENT_TIMESTAMP(6) WHERE id BETWEEN ? AND ?");
                     PreparedStatement delete = connection.prepareStatement("DELETE FROM orders WHERE id BETWEEN ? AND ?")) {
                    long start = System.nanoTime();
                    for (int t = 0; t < transactions; t++) {
                        long due = start + t * 1_000_000_000L / perSecond;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                        for (int i = 0; i < INSERTS; i++) {
                            long id = (long) t * INSERTS + i + 1;
                            insert.setLong(2 * i + 1, id);
                            insert.setInt(2 * i + 2, (int) (id % 1000));
                        }
                        insert.executeUpdate();
                        // Only rows old enough are updated and deleted, so each (operation, id) names one transaction.
                        if (t >= AGE) {
                            long first = (long) (t - AGE) * INSERTS + 1;
                            update.setLong(1, first);
                            update.setLong(2, first + UPDATES - 1);
                            expectOneEach(update.executeUpdate(), UPDATES, "updated");
                        }
                        if (t >= 2 * AGE) {
                            long first = (long) (t - 2 * AGE) * INSERTS + INSERTS - DELETES + 1;
                            delete.setLong(1, first);
                            delete.setLong(2, first + DELETES - 1);
                            expectOneEach(delete.executeUpdate(), DELETES, "deleted");
                        }
                        commitNanos.set(t, System.nanoTime());
                        connection.commit();
                    }
                    achievedRate = changes(transactions) * 1e9 / (System.nanoTime() - start);
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        private static void expectOneEach(int changed, int expected, String what) {
            if (changed != expected) {
                throw new IllegalStateException("The writer " + what + " " + changed + " rows, expected " + expected);
            }
        }
    }
}
