package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureException.Reason;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CaptureMetrics;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.engine.ChangeStream;
import dev.nificdc.cdc.postgres.types.PgTypeCatalog;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Streams a PostgreSQL database's committed changes from a logical replication slot with {@code pgoutput}.
 *
 * <p>A thread reads the replication stream, decodes it ({@link PgChangeDecoder}) and puts the changes into a queue
 * bounded by count and by estimated bytes, so a transaction of any size streams through bounded heap; when the queue is
 * full the thread waits, still answering the server so it keeps the connection. {@link #poll} takes the next change.
 *
 * <p>The server learns that WAL may be released (the slot's confirmed flush LSN) only through {@link #committed}: after
 * the processor committed the changes up to an offset with the offset itself. While every change handed out has been
 * committed and no transaction is in progress, the thread also confirms the position the server's keepalives report, so
 * a slot whose tables are idle does not hold the WAL that other tables and databases write.
 *
 * <p>A dropped connection is re-established with back-off from the last change queued; errors the user must fix (the
 * slot is gone or invalidated, used by another connection, privileges) stop the reader, and {@code poll} throws them
 * once the queue is drained.
 */
public final class PgReplicationReader implements ChangeStream<PgOffset> {
    private static final Duration RECONNECT_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_RECONNECT_BACKOFF = Duration.ofSeconds(30);

    private final PgSourceConfig config;
    private final CaptureLogger logger;
    private final BlockingQueue<CapturedChange<PgOffset>> queue;
    private final Semaphore queuedKilobytes;
    private final CaptureMetrics metrics = new CaptureMetrics();
    private final AtomicReference<CaptureException> failure = new AtomicReference<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final PgChangeDecoder decoder;
    /** Where each transaction received is recorded for incremental snapshots; null: nowhere. */
    private final PgStreamedTransactions transactions;

    private volatile boolean running;
    /** The offset of the last change queued: written by the reader thread only. */
    private volatile PgOffset lastQueued;
    /** The last offset committed downstream ({@link #committed}). */
    private volatile PgOffset committed;
    private volatile long confirmedLsn;
    private Connection catalogConnection;
    private PgTypeCatalog types;
    private PGConnection replication;
    private PGReplicationStream stream;
    private Thread thread;

    private PgReplicationReader(PgSourceConfig config, PgOffset resumeFrom, PgStreamedTransactions transactions, CaptureLogger logger) {
        this.config = config;
        this.transactions = transactions;
        this.logger = logger;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.queuedKilobytes = new Semaphore(config.queueKilobytes());
        this.lastQueued = resumeFrom;
        this.committed = resumeFrom;
        this.decoder = new PgChangeDecoder(config.logicalName(), config.database(), config.filter(), this::resolve, resumeFrom, this::enqueue);
    }

    /**
     * Connects and starts streaming after {@code resumeFrom} (from the slot's confirmed position when null). Returns once
     * the server accepted the stream.
     *
     * @throws CaptureException when the slot cannot be streamed (reason POSITION_UNAVAILABLE when it is gone)
     */
    public static PgReplicationReader start(PgSourceConfig config, PgOffset resumeFrom, CaptureLogger logger) {
        return start(config, resumeFrom, null, logger);
    }

    /**
     * As {@link #start(PgSourceConfig, PgOffset, CaptureLogger)}, recording every transaction received in
     * {@code transactions} at its Begin, before any of its changes is queued.
     */
    public static PgReplicationReader start(PgSourceConfig config, PgOffset resumeFrom, PgStreamedTransactions transactions,
                                            CaptureLogger logger) {
        PgReplicationReader reader = new PgReplicationReader(config, resumeFrom, transactions, logger);
        try {
            reader.connect();
        } catch (CaptureException e) {
            reader.close();
            throw e;
        }
        reader.running = true;
        reader.thread = new Thread(reader::run, "pg-replication-" + config.slotName());
        reader.thread.setDaemon(true);
        reader.thread.start();
        return reader;
    }

    @Override
    public CapturedChange<PgOffset> poll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long remaining = deadline - System.nanoTime();
            CapturedChange<PgOffset> change = queue.poll(Math.max(0, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100))), TimeUnit.NANOSECONDS);
            if (change != null) {
                queuedKilobytes.release(kilobytes(change));
                metrics.recordChange(change.event().op(), change.event().source().tsMs());
                return change;
            }
            CaptureException error = failure.get();
            if (error != null && queue.isEmpty()) {
                throw error;
            }
            if (deadline - System.nanoTime() <= 0) {
                return null;
            }
        }
    }

    @Override
    public void committed(PgOffset offset) {
        PgOffset current = committed;
        if (current == null || offset.compareTo(current) > 0) {
            committed = offset;
        }
    }

    @Override
    public CaptureMetrics metrics() {
        return metrics;
    }

    /** The LSN this reader last told the server it may release (0 before the first). */
    public long confirmedLsn() {
        return confirmedLsn;
    }

    /** Changes read ahead and not yet taken by {@link #poll}. */
    public int queuedChanges() {
        return queue.size();
    }

    @Override
    public void close() {
        if (transactions != null) {
            transactions.streamStopped(); // what it handed out is no longer known to be all up to a stored offset
        }
        running = false;
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (t == null) {
            disconnect();
        }
    }

    private void connect() {
        try {
            catalogConnection = config.jdbc().open();
            types = PgTypeCatalog.load(catalogConnection);
            replication = config.replication();
            PgOffset from = decoder.resumePoint();
            stream = replication.getReplicationAPI().replicationStream().logical()
                    .withSlotName(config.slotName())
                    .withStartPosition(from == null ? LogSequenceNumber.INVALID_LSN : LogSequenceNumber.valueOf(from.lsn()))
                    .withSlotOption("proto_version", 1)
                    .withSlotOption("publication_names", config.publicationName())
                    .withStatusInterval((int) config.statusInterval().toMillis(), TimeUnit.MILLISECONDS)
                    .start();
        } catch (SQLException e) {
            disconnect();
            throw classify(e);
        }
    }

    private void run() {
        long backoff = RECONNECT_BACKOFF.toMillis();
        while (running) {
            try {
                stream();
            } catch (InterruptedException e) {
                break;
            } catch (CaptureException e) {
                fail(e);
                break;
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    break;
                }
                CaptureException fatal = e instanceof SQLException sql ? fatal(sql) : null;
                if (fatal != null) {
                    fail(fatal);
                    break;
                }
                logger.warn("Replication connection to " + config.host() + ":" + config.port() + " lost (" + e.getMessage()
                        + "); reconnecting in " + backoff + " ms from " + decoder.resumePoint());
            }
            disconnect();
            if (!running) {
                break;
            }
            try {
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_RECONNECT_BACKOFF.toMillis());
                decoder.prepareReconnect();
                connect();
                metrics.recordReconnect();
                backoff = RECONNECT_BACKOFF.toMillis();
            } catch (InterruptedException e) {
                break;
            } catch (CaptureException e) {
                if (e.reason() != Reason.CONNECTION) {
                    fail(e);
                    break;
                }
                logger.warn(e.getMessage() + "; retrying");
            }
        }
        running = false;
        disconnect();
    }

    /** Reads until the connection fails or the reader is closed. */
    private void stream() throws SQLException, InterruptedException {
        while (running) {
            ByteBuffer message = stream.readPending();
            if (message == null) {
                confirm(true);
                Thread.sleep(5);
                continue;
            }
            long lsn = stream.getLastReceiveLSN().asLong();
            PgoutputMessage decoded = PgoutputDecoder.decode(message);
            if (decoded instanceof PgoutputMessage.Begin begin) {
                metrics.recordEvent(PgTimestamps.epochMillis(begin.commitMicros()));
                if (transactions != null) {
                    transactions.begin(begin.xid(), begin.finalLsn());
                }
            }
            decoder.accept(decoded, lsn);
        }
    }

    /**
     * Tells the server what it may release: the last committed offset, or, when {@code idle} and every queued change has
     * been committed outside a transaction, the position the server last reported.
     */
    private void confirm(boolean idle) throws SQLException {
        PgOffset done = committed;
        long target = done == null ? 0 : done.lsn();
        PgOffset queued = lastQueued;
        if (idle && decoder.betweenTransactions() && (queued == null || (done != null && queued.compareTo(done) <= 0))) {
            target = Math.max(target, stream.getLastReceiveLSN().asLong());
        }
        if (Long.compareUnsigned(target, confirmedLsn) > 0) {
            LogSequenceNumber lsn = LogSequenceNumber.valueOf(target);
            stream.setFlushedLSN(lsn);
            stream.setAppliedLSN(lsn);
            stream.forceUpdateStatus();
            confirmedLsn = target;
        }
    }

    private void enqueue(CapturedChange<PgOffset> change) throws InterruptedException {
        int kilobytes = kilobytes(change);
        // wait for room, answering the server meanwhile so that it keeps the connection
        while (!queuedKilobytes.tryAcquire(kilobytes, 200, TimeUnit.MILLISECONDS)) {
            keepAlive();
        }
        while (!queue.offer(change, 200, TimeUnit.MILLISECONDS)) {
            keepAlive();
        }
        lastQueued = change.offsetAfter();
    }

    private void keepAlive() throws InterruptedException {
        if (!running) {
            throw new InterruptedException("reader closed");
        }
        try {
            confirm(false);
            stream.forceUpdateStatus();
        } catch (SQLException e) {
            throw new IllegalStateException("Status update failed: " + e.getMessage(), e);
        }
    }

    private int kilobytes(CapturedChange<?> change) {
        return (int) Math.min(config.queueKilobytes(), 1 + change.estimatedBytes() / 1024);
    }

    /** The captured table of a Relation message, with the catalog's NOT NULL and primary-key facts for its columns. */
    private PgTable resolve(PgoutputMessage.Relation relation) {
        try {
            List<PgServer.CatalogColumn> catalog = new PgServer(catalogConnection).columns(relation.oid());
            List<PgTable.Column> columns = new ArrayList<>();
            for (PgoutputMessage.Column column : relation.columns()) {
                PgServer.CatalogColumn now = catalog.stream().filter(c -> c.name().equals(column.name())).findFirst().orElse(null);
                columns.add(new PgTable.Column(column.name(), column.typeOid(), column.typmod(), now != null && now.notNull(),
                        column.key(), now == null ? 0 : now.primaryKeyPosition()));
            }
            return PgTable.of(relation.oid(), relation.namespace(), relation.name(), relation.replicaIdentity(), columns,
                    config.filter(), types);
        } catch (SQLException e) {
            throw new CaptureException(Reason.CONNECTION, "Could not read the catalog entry of " + relation.namespace() + "."
                    + relation.name() + ": " + e.getMessage(), e);
        }
    }

    private void fail(CaptureException error) {
        failure.compareAndSet(null, error);
        logger.warn(error.getMessage());
    }

    private void disconnect() {
        for (AutoCloseable closeable : new AutoCloseable[]{stream, (AutoCloseable) replication, catalogConnection}) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // closing anyway
                }
            }
        }
        stream = null;
        replication = null;
        catalogConnection = null;
    }

    /** A user-facing error for a failure to start streaming. */
    private CaptureException classify(SQLException e) {
        CaptureException fatal = fatal(e);
        return fatal != null ? fatal : new CaptureException(Reason.CONNECTION, "Could not start streaming from " + config + ": "
                + e.getMessage() + ". Check that the server is running and reachable.", e);
    }

    /** The error the user must act on behind a server error, or null when reconnecting may help. */
    private CaptureException fatal(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() == null ? "" : e.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        if (state.equals("28P01") || state.equals("28000")) {
            return new CaptureException(Reason.AUTHENTICATION, "PostgreSQL rejected user " + config.username() + ": " + message
                    + ". Check the user name and password (and pg_hba.conf: replication connections need their own line).", e);
        }
        if (state.equals("42501") || lower.contains("must be superuser or replication role")
                || lower.contains("permission denied to start WAL sender".toLowerCase(Locale.ROOT))) {
            return new CaptureException(Reason.PRIVILEGES, "User " + config.username() + " may not stream changes: " + message
                    + ". Run ALTER ROLE " + PgIdentifiers.quote(config.username()) + " WITH REPLICATION;", e);
        }
        if (lower.contains("replication slot") && lower.contains("does not exist")) {
            return new CaptureException(Reason.POSITION_UNAVAILABLE, "Replication slot " + config.slotName() + " no longer exists"
                    + " (the server says: " + message + "), so the changes since " + decoder.resumePoint() + " cannot be read."
                    + " Clear the processor state and start again with a snapshot, or choose Snapshot Mode when_needed.", e);
        }
        if (lower.contains("can no longer get changes") || lower.contains("has been invalidated")) {
            return new CaptureException(Reason.POSITION_UNAVAILABLE, "Replication slot " + config.slotName() + " was invalidated"
                    + " (the server says: " + message + "): the WAL it needs is gone. Drop the slot, clear the processor state and"
                    + " start again with a snapshot, or choose Snapshot Mode when_needed.", e);
        }
        if (lower.contains("is active for pid")) {
            return new CaptureException(Reason.CONFIGURATION, "Replication slot " + config.slotName() + " is used by another"
                    + " connection (the server says: " + message + "). A slot streams to one client at a time: stop the other"
                    + " client or give this processor its own Slot Name.", e);
        }
        if (lower.contains("publication") && lower.contains("does not exist")) {
            return new CaptureException(Reason.CONFIGURATION, "Publication " + config.publicationName() + " is unknown at a"
                    + " position the slot has to stream (the server says: " + message + "). The publication must exist before"
                    + " the slot's position: drop the slot, clear the processor state and start again.", e);
        }
        if (lower.contains("wal_level")) {
            return new CaptureException(Reason.SERVER_SETTINGS, message + ". Set wal_level = logical and restart the server.", e);
        }
        return null;
    }
}
