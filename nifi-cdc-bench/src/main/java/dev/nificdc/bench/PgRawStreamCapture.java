package dev.nificdc.bench;

import dev.nificdc.cdc.postgres.PgoutputDecoder;
import dev.nificdc.cdc.postgres.PgoutputMessage;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Candidate (a), the limit: pgjdbc's logical replication stream of the slot ({@code pgoutput}, protocol version 1, the
 * range's publication), each message parsed by {@link PgoutputDecoder} (the protocol's framing only: values stay the
 * text the server sent, nothing is converted, no schema is built, nothing is queued or written), counting the inserts,
 * updates and deletes of {@code public.orders}. pgjdbc has no pgoutput parser of its own; this one is the engine's,
 * so the engine's cost above (a) is everything after parsing.
 */
final class PgRawStreamCapture implements PgCaptureCandidate {
    private static final long TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);

    @Override
    public String name() {
        return "raw-pgjdbc";
    }

    @Override
    public Run capture(PgWalRange range, String slot) throws Exception {
        long expected = range.expected().total();
        long start = System.nanoTime();
        long cpuStart = CaptureMeasurement.processCpuNanos();
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + range.host() + ":" + range.port() + "/" + range.database(),
                replicationProperties(range.user()))) {
            PGReplicationStream stream = connection.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(slot)
                    .withStartPosition(LogSequenceNumber.INVALID_LSN)
                    .withSlotOption("proto_version", 1)
                    .withSlotOption("publication_names", range.publication())
                    .withStatusInterval(10, TimeUnit.SECONDS)
                    .start();
            OrdersCounter counter = new OrdersCounter();
            // read() blocks on the socket until a message arrives; a stuck stream is closed from outside after the timeout
            Thread watchdog = Thread.ofVirtual().start(() -> closeAfterTimeout(connection));
            while (counter.total() < expected) {
                ByteBuffer message = stream.read();
                if (message == null) {
                    throw new IllegalStateException("The raw stream ended after " + counter.total() + " of " + expected + " changes");
                }
                counter.accept(PgoutputDecoder.decode(message));
            }
            long nanos = System.nanoTime() - start;
            long cpuNanos = CaptureMeasurement.processCpuNanos() - cpuStart;
            long walSender = range.walSenderCpuNanos(slot);
            watchdog.interrupt();
            stream.close();
            return new Run(new CaptureMeasurement(counter.counts(), nanos, cpuNanos), walSender);
        }
    }

    /** Counts the inserts, updates and deletes of {@code public.orders}, known by the oid of its Relation message. */
    private static final class OrdersCounter {
        private int ordersOid;
        private long inserts;
        private long updates;
        private long deletes;

        void accept(PgoutputMessage message) {
            switch (message) {
                case PgoutputMessage.Relation r when r.name().equals("orders") && r.namespace().equals("public") -> ordersOid = r.oid();
                case PgoutputMessage.Insert i when i.relationOid() == ordersOid -> inserts++;
                case PgoutputMessage.Update u when u.relationOid() == ordersOid -> updates++;
                case PgoutputMessage.Delete d when d.relationOid() == ordersOid -> deletes++;
                default -> {
                }
            }
        }

        long total() {
            return inserts + updates + deletes;
        }

        OrdersWorkload.Counts counts() {
            return new OrdersWorkload.Counts(inserts, updates, deletes);
        }
    }

    private static void closeAfterTimeout(Connection connection) {
        try {
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NANOS));
            connection.close();
        } catch (Exception e) {
            // interrupted: the capture finished in time
        }
    }

    /** A replication connection as the engine opens one: {@code replication=database}, simple query mode. */
    static Properties replicationProperties(String user) {
        Properties p = new Properties();
        PGProperty.USER.set(p, user);
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        return p;
    }
}
