package dev.nificdc.cdc.binlog;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.network.AuthenticationException;
import com.github.shyiko.mysql.binlog.network.SSLMode;
import com.github.shyiko.mysql.binlog.network.ServerException;
import dev.nificdc.cdc.binlog.convert.MySqlCharsets;
import dev.nificdc.cdc.binlog.schema.SchemaSource;
import dev.nificdc.cdc.binlog.schema.TableSchemaResolver;
import dev.nificdc.cdc.core.CaptureException.Reason;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CaptureMetrics;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.JdbcConnector;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.engine.ChangeStream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.SocketException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Streams changes from a MySQL/MariaDB server's binlog.
 *
 * <p>A network thread runs the library's {@link BinaryLogClient}, turns events into {@link CapturedChange}s and puts
 * them into a bounded queue; when the queue is full it waits (back-pressure). {@link #poll(Duration)} takes the next
 * change. When the connection drops the thread reconnects with exponential back-off and resumes at the offset after the
 * last change it queued, so nothing is lost or repeated. Errors the user must fix (credentials, privileges, purged
 * position, server settings) stop the reader; {@code poll} then throws a {@link BinlogCaptureException} after the
 * queued changes are drained.
 *
 * <p>Typical use: build, {@link #start()}, call {@code poll} repeatedly, store {@code offsetAfter} of the last change
 * committed downstream, {@link #close()}. After a restart, build a new reader with that offset. A reader is started
 * once; after a fatal error build a new one. Errors the server reports only once streaming has begun (a purged
 * position, a missing REPLICATION SLAVE grant when no JDBC access was given) surface from {@code start()} or from the
 * next {@code poll}, depending on timing.
 *
 * <p>Connection drops (server restart, network) are retried with back-off; {@link CaptureMetrics#reconnects()} counts
 * them. When the host stays unreachable for longer than the connection config's fail-over timeout the reader stops with
 * {@link #hostLost()} true, so that its owner can resume on another host ({@link #resumeOffset()}). A connection silent
 * for three heartbeat intervals is dropped and re-established.
 *
 * <p>The reader knows which server it reads from (with JDBC access): a stored offset read from another server is resumed
 * by GTID ({@link ResumePlan}), and so is a reconnection that finds another server behind the same address.
 * {@link #position()} tells how far the binlog has been read at a transaction boundary once every change up to there
 * was taken, so that an idle capture can store its position without output.
 */
public final class BinlogReader implements ChangeStream<BinlogOffset> {
    /** MariaDB's ER_SLAVE_SAME_ID: another replica registered with this server id (MySQL says so in an error 1236). */
    private static final int SAME_SERVER_ID = 4052;

    private final BinlogConnectionConfig config;
    private final TableFilter filter;
    private final BinlogOffset resumeFrom;
    private final StartPosition startPosition;
    private final JdbcConnector jdbc;
    private final SchemaSource schemaSource;
    private final ServerIdentity requiredServer;
    private final CaptureLogger logger;
    private final DdlOutput ddlOutput;
    private final BlockingQueue<CapturedChange<BinlogOffset>> queue;
    /** The queue's byte budget in KB (of {@link CapturedChange#estimatedBytes()}), so wide rows cannot fill the heap. */
    private final Semaphore queuedBytes;
    private final CaptureMetrics metrics;
    private final AtomicReference<BinlogCaptureException> failure = new AtomicReference<>();
    private final CountDownLatch firstConnect = new CountDownLatch(1);
    /** Where the network thread last was between transactions, and how many changes it had queued by then. */
    private final AtomicReference<Boundary> boundary = new AtomicReference<>();
    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong taken = new AtomicLong();

    private volatile boolean running;
    private volatile boolean hostLost;
    /** When the connection was lost and not yet re-established (epoch ms), else 0. */
    private volatile long lostSinceMillis;
    /** The server read from (null without JDBC access). */
    private volatile ServerIdentity server;
    private volatile BinaryLogClient client;
    private volatile long lastEventMillis;
    private Thread thread;
    private Thread watchdog;
    private BinlogEventProcessor processor;
    private boolean gtidMode;

    private BinlogReader(Builder b) {
        this.config = b.config;
        this.filter = b.filter == null ? TableFilter.all() : b.filter;
        this.resumeFrom = b.resumeFrom;
        this.startPosition = b.startPosition == null ? StartPosition.latest() : b.startPosition;
        this.jdbc = b.jdbc;
        this.logger = b.logger == null ? CaptureLogger.slf4j(BinlogReader.class) : b.logger;
        this.ddlOutput = b.ddlOutput == null ? DdlOutput.DEFAULT : b.ddlOutput;
        this.schemaSource = b.schemaSource != null ? b.schemaSource : jdbc != null ? new InformationSchemaSource(jdbc) : SchemaSource.none();
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.queuedBytes = new Semaphore(config.queueKilobytes());
        this.metrics = b.metrics == null ? new CaptureMetrics() : b.metrics;
        this.requiredServer = b.requiredServer;
    }

    private record Boundary(BinlogOffset offset, long enqueued) {
    }

    public static Builder builder(BinlogConnectionConfig config) {
        return new Builder(config);
    }

    /** Reader options; only the connection config is required. */
    public static final class Builder {
        private final BinlogConnectionConfig config;
        private TableFilter filter;
        private BinlogOffset resumeFrom;
        private StartPosition startPosition;
        private JdbcConnector jdbc;
        private SchemaSource schemaSource;
        private CaptureLogger logger;
        private CaptureMetrics metrics;
        private ServerIdentity requiredServer;
        private DdlOutput ddlOutput = DdlOutput.DEFAULT;

        private Builder(BinlogConnectionConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        public Builder filter(TableFilter value) {
            this.filter = value;
            return this;
        }

        /** The stored offset to resume from; when set, {@link #startPosition} is ignored. */
        public Builder resumeFrom(BinlogOffset value) {
            this.resumeFrom = value;
            return this;
        }

        /** Where to start without a stored offset; default {@link StartPosition.Latest}. */
        public Builder startPosition(StartPosition value) {
            this.startPosition = value;
            return this;
        }

        /**
         * JDBC access to the same server, used for the server checks at start, the collation table, GTID-mode
         * LATEST starts and the information_schema fallback. Optional but recommended.
         */
        public Builder jdbc(JdbcConnector value) {
            this.jdbc = value;
            return this;
        }

        /** Overrides where table definitions come from when the binlog lacks column metadata. */
        public Builder schemaSource(SchemaSource value) {
            this.schemaSource = value;
            return this;
        }

        public Builder logger(CaptureLogger value) {
            this.logger = value;
            return this;
        }

        /**
         * Streams only from this server (with JDBC access): another server behind the host is refused with
         * POSITION_UNAVAILABLE. Null (the default): any server, by GTID when it is not the offset's.
         */
        public Builder requireServer(ServerIdentity value) {
            this.requiredServer = value;
            return this;
        }

        /** Counters to keep in (shared by the readers that follow one another across hosts); default: the reader's own. */
        public Builder metrics(CaptureMetrics value) {
            this.metrics = value;
            return this;
        }

        /** Whether truncates and schema changes are captured; default {@link DdlOutput#DEFAULT}. */
        public Builder ddlOutput(DdlOutput value) {
            this.ddlOutput = value;
            return this;
        }

        public BinlogReader build() {
            return new BinlogReader(this);
        }
    }

    /**
     * Checks the server (when JDBC access was given), connects and starts streaming. Returns once the first
     * connection is established.
     *
     * @throws BinlogCaptureException when the server settings, credentials, privileges or position rule capture out,
     *                                or the server cannot be reached within the connect timeout
     */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("Reader already started");
        }
        MySqlCharsets charsets = MySqlCharsets.builtIn();
        ServerFlavor flavor = null;
        ResumePlan plan;
        gtidMode = resumeFrom != null ? resumeFrom.gtidMode() : startPosition instanceof StartPosition.Gtid;
        if (jdbc != null) {
            try (Connection connection = jdbc.open()) {
                MySqlServer server = new MySqlServer(connection);
                ServerIdentity here = server.identity();
                refuseIfNotRequired(here);
                if (here.serverId() == config.serverId()) {
                    throw new BinlogCaptureException(Reason.CONFIGURATION, "Server ID " + config.serverId() + " is the server_id of "
                            + hostPort() + " itself. Pick another Server ID: it must differ from the server's own id and from"
                            + " every other replica or capture of that server.");
                }
                List<ServerRequirements.CheckResult> results = ServerRequirements.check(server);
                List<ServerRequirements.CheckResult> failed = results.stream()
                        .filter(r -> r.status() == ServerRequirements.Status.FAIL).toList();
                if (!failed.isEmpty()) {
                    boolean onlyPrivileges = failed.stream().allMatch(r -> r.name().equals("privileges") || r.name().equals("binlog position"))
                            && "ON".equalsIgnoreCase(server.variable("log_bin"));
                    throw new BinlogCaptureException(onlyPrivileges ? Reason.PRIVILEGES : Reason.SERVER_SETTINGS, "The server at " + config.host() + ":" + config.port()
                            + " cannot be captured: " + failed.stream().map(Object::toString).reduce((a, b) -> a + "; " + b).orElse(""));
                }
                results.stream().filter(r -> r.status() == ServerRequirements.Status.WARN).forEach(r -> logger.warn(r.toString()));
                ServerRequirements.CheckResult tables = ServerRequirements.checkTables(connection, filter);
                if (tables.status() != ServerRequirements.Status.OK) {
                    logger.warn(tables.toString());
                }
                charsets = MySqlCharsets.withServerCollations(collations(server));
                flavor = server.flavor();
                plan = ResumePlan.resolve(resumeFrom, startPosition, server, here, hostPort());
            } catch (SQLException e) {
                throw classifySql(e);
            }
        } else {
            plan = resolveWithoutServer();
        }
        server = plan.server();
        if (plan.foreign()) {
            logger.info("The stored position was read from " + plan.offset().server() + "; " + hostPort() + " is " + server
                    + ": resuming there by GTID after " + plan.offset().gtidSet());
        }
        TableSchemaResolver resolver = new TableSchemaResolver(filter, schemaSource, charsets, logger);
        processor = new BinlogEventProcessor(plan.offset(), gtidMode, flavor, config.logicalName(), resolver, logger, this::enqueue,
                ddlOutput);
        if (plan.gtidsKnown()) {
            processor.startGtids(plan.offset().gtidSet());
        }
        processor.setServer(server);
        running = true;
        thread = new Thread(this::run, "binlog-reader-" + config.host() + ":" + config.port());
        thread.setDaemon(true);
        thread.start();
        watchdog = new Thread(this::watchdog, "binlog-watchdog-" + config.host() + ":" + config.port());
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            if (!firstConnect.await(config.connectTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                close();
                throw new BinlogCaptureException(Reason.CONNECTION, "Could not connect to the binlog of " + hostPort()
                        + " within " + config.connectTimeout().toSeconds() + " s. Check the host and port, and that no firewall"
                        + " drops connections from NiFi.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new BinlogCaptureException(Reason.CONNECTION, "Interrupted while connecting", e);
        }
        BinlogCaptureException error = failure.get();
        if (error != null) {
            close();
            throw error;
        }
    }

    /**
     * The next change, waiting at most {@code timeout}; null when none arrived in time.
     *
     * @throws BinlogCaptureException when the reader stopped on an error and every queued change has been taken
     */
    @Override
    public CapturedChange<BinlogOffset> poll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long remaining = deadline - System.nanoTime();
            CapturedChange<BinlogOffset> change = queue.poll(Math.max(0, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100))), TimeUnit.NANOSECONDS);
            if (change != null) {
                queuedBytes.release(queuedKilobytes(change));
                taken.incrementAndGet();
                if (change.event() != null) {
                    metrics.recordChange(change.event().op(), change.event().source().tsMs());
                }
                return change;
            }
            BinlogCaptureException error = failure.get();
            if (error != null && queue.isEmpty()) {
                throw error;
            }
            if (deadline - System.nanoTime() <= 0) {
                return null;
            }
        }
    }

    @Override
    public CaptureMetrics metrics() {
        return metrics;
    }

    /**
     * How far the binlog has been read, at a transaction boundary, once every change read before it has been taken by
     * {@code poll}: storing it skips nothing. Null while changes read before the last boundary wait in the queue.
     */
    @Override
    public BinlogOffset position() {
        Boundary last = boundary.get();
        return last != null && last.enqueued() == taken.get() ? last.offset() : null;
    }

    /** True when the reader stopped because its host stayed unreachable for longer than the fail-over timeout. */
    public boolean hostLost() {
        return hostLost;
    }

    /**
     * After the reader has stopped and every queued change was taken: the offset after the last change taken (with the
     * GTIDs before it), from which another reader continues without loss or repeat.
     */
    public BinlogOffset resumeOffset() {
        if (thread != null && thread.isAlive()) {
            throw new IllegalStateException("The reader is still running");
        }
        processor.prepareReconnect();
        return processor.currentOffset();
    }

    /** The server the reader reads from, null until known (or without JDBC access). */
    public ServerIdentity server() {
        return server;
    }

    /**
     * Changes read from the server and not yet taken by {@code poll}: equal to the queue's capacity while the network
     * thread is held back (back-pressure).
     */
    public int queuedChanges() {
        return queue.size();
    }

    @Override
    public void close() {
        running = false;
        BinaryLogClient c = client;
        if (c != null) {
            disconnectQuietly(c);
        }
        if (watchdog != null) {
            watchdog.interrupt();
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void enqueue(CapturedChange<BinlogOffset> change) throws InterruptedException {
        int kilobytes = queuedKilobytes(change);
        while (running) {
            if (queuedBytes.tryAcquire(kilobytes, 200, TimeUnit.MILLISECONDS)) {
                break;
            }
        }
        while (running) {
            if (queue.offer(change, 200, TimeUnit.MILLISECONDS)) {
                enqueued.incrementAndGet();
                return;
            }
        }
        throw new InterruptedException("reader closed");
    }

    /** What a change counts against the queue's byte budget, in KB; one change always fits, however large. */
    private int queuedKilobytes(CapturedChange<?> change) {
        return (int) Math.min(config.queueKilobytes(), 1 + change.estimatedBytes() / 1024);
    }

    private void run() {
        long backoff = config.reconnectBackoff().toMillis();
        boolean connectedBefore = false;
        while (running) {
            AtomicReference<Exception> streamFailure = new AtomicReference<>();
            BinaryLogClient c = newClient(processor.currentOffset(), streamFailure);
            client = c;
            boolean connected = false;
            try {
                c.connect();
                connected = true;
            } catch (Exception e) {
                streamFailure.compareAndSet(null, e);
            }
            Exception problem = streamFailure.get();
            if (!running) {
                break;
            }
            long now = System.currentTimeMillis();
            if (connected || (connectedBefore && lostSinceMillis == 0)) {
                lostSinceMillis = now;
            }
            if (problem != null) {
                BinlogCaptureException fatal = classify(problem);
                if (fatal != null) {
                    fail(fatal);
                    break;
                }
                if (!connectedBefore && !c.isConnected() && !connected) {
                    fail(new BinlogCaptureException(Reason.CONNECTION, ConnectionProblems.describe(hostPort(), problem), problem));
                    break;
                }
            }
            connectedBefore |= connected;
            long lostFor = lostSinceMillis == 0 ? 0 : now - lostSinceMillis;
            if (lostFor > 0 && config.failoverTimeout().toMillis() > 0 && lostFor >= config.failoverTimeout().toMillis()) {
                hostLost = true;
                fail(new BinlogCaptureException(Reason.CONNECTION, "The binlog connection to " + hostPort() + " has been lost for "
                        + (lostFor / 1000) + " s, longer than the Failover Timeout"
                        + (problem == null ? "" : ": " + ConnectionProblems.describe(hostPort(), problem)), problem));
                break;
            }
            if (problem != null) {
                logger.warn("Binlog connection to " + hostPort() + " lost (" + problem.getMessage() + "); reconnecting in "
                        + backoff + " ms from " + processor.currentOffset());
            } else if (connected) {
                logger.warn("Binlog connection to " + hostPort() + " closed; reconnecting in " + backoff + " ms from "
                        + processor.currentOffset());
            }
            if (lastEventMillis > 0 && now - lastEventMillis < 60_000 && connected) {
                backoff = config.reconnectBackoff().toMillis();
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                break;
            }
            backoff = Math.min(backoff * 2, config.maxReconnectBackoff().toMillis());
            processor.prepareReconnect();
            metrics.recordReconnect();
            if (!checkServerBeforeReconnect()) {
                break;
            }
        }
        running = false;
        firstConnect.countDown();
    }

    /**
     * Before a reconnection: asks which server now answers at the address (a virtual IP or DNS name may have moved to
     * another server); from another server the reader continues by GTID, or stops when there are none.
     *
     * @return false when the reader stopped
     */
    private boolean checkServerBeforeReconnect() {
        if (jdbc == null || server == null) {
            return true;
        }
        ServerIdentity now;
        try (Connection connection = jdbc.open()) {
            now = new MySqlServer(connection).identity();
        } catch (SQLException e) {
            return true; // unreachable: the binlog connection attempt will say so
        }
        if (now.equals(server)) {
            return true;
        }
        try {
            refuseIfNotRequired(now);
        } catch (BinlogCaptureException e) {
            fail(e);
            return false;
        }
        logger.warn(hostPort() + " is now " + now + ", no longer " + server + ": continuing there by GTID");
        server = now;
        processor.setServer(now);
        BinlogOffset offset = processor.currentOffset();
        if (ResumePlan.isForeign(offset, now) && offset.gtidSet().isEmpty()) {
            fail(new BinlogCaptureException(Reason.POSITION_UNAVAILABLE, hostPort() + " is now " + now + ", no longer "
                    + offset.server() + " where the position " + offset.file() + ":" + offset.position() + " was read, and"
                    + " without GTIDs that position cannot be found there. Clear the processor state and start over, e.g."
                    + " with a snapshot."));
            return false;
        }
        return true;
    }

    /** Drops a connection that has been silent for three heartbeat intervals, so the run loop reconnects. */
    private void watchdog() {
        long interval = Math.max(1_000, config.heartbeatInterval().toMillis());
        while (running) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            BinaryLogClient c = client;
            if (running && c != null && c.isConnected() && System.currentTimeMillis() - lastEventMillis > 3 * interval) {
                logger.warn("No binlog event or heartbeat from " + config.host() + ":" + config.port() + " for "
                        + (3 * interval) + " ms; reconnecting");
                lastEventMillis = System.currentTimeMillis();
                disconnectQuietly(c);
            }
        }
    }

    private void fail(BinlogCaptureException error) {
        failure.compareAndSet(null, error);
        logger.warn(error.getMessage());
        firstConnect.countDown();
    }

    private BinaryLogClient newClient(BinlogOffset offset, AtomicReference<Exception> streamFailure) {
        BinaryLogClient c = new BinaryLogClient(config.host(), config.port(), config.user(), config.password());
        c.setServerId(config.serverId());
        c.setKeepAlive(false);
        c.setConnectTimeout(config.connectTimeout().toMillis());
        c.setHeartbeatInterval(config.heartbeatInterval().toMillis());
        c.setEventDeserializer(EventDeserializers.create());
        SSLContext sslContext = config.sslContext();
        // With our own context the host name is checked by the JDK against the host as configured (below), not by the
        // library, which would compare the certificate with a reverse DNS lookup of the address.
        boolean checkHostName = config.sslMode() == BinlogConnectionConfig.SslMode.VERIFY_IDENTITY;
        c.setSSLMode(sslContext != null && checkHostName ? SSLMode.VERIFY_CA : SSLMode.valueOf(config.sslMode().name()));
        if (sslContext != null) {
            c.setSslSocketFactory(socket -> {
                try {
                    SSLSocket tls = (SSLSocket) sslContext.getSocketFactory().createSocket(socket, config.host(), socket.getPort(), true);
                    if (checkHostName) {
                        // the JDK checks the certificate's names against the host as configured, during the handshake
                        SSLParameters parameters = tls.getSSLParameters();
                        parameters.setEndpointIdentificationAlgorithm("HTTPS");
                        tls.setSSLParameters(parameters);
                    }
                    return tls;
                } catch (IOException e) {
                    SocketException se = new SocketException("TLS setup failed: " + e.getMessage());
                    se.initCause(e);
                    throw se;
                }
            });
        }
        // in GTID mode connect by GTID once GTIDs are known; before the first transaction a file position is as good.
        // An offset read from another server is always asked for by GTID (the start checked that it has GTIDs).
        boolean byGtid = ResumePlan.isForeign(offset, server)
                || gtidMode && (offset == null || !offset.gtidSet().isEmpty() || offset.file() == null);
        if (byGtid) {
            c.setGtidSet(offset == null ? "" : offset.gtidSet());
            c.setBinlogFilename("");
            c.setBinlogPosition(4);
        } else if (offset != null && offset.file() != null) {
            c.setBinlogFilename(offset.file());
            c.setBinlogPosition(Math.max(4, offset.position()));
        } else if (startPosition instanceof StartPosition.Earliest) {
            c.setBinlogFilename("");
            c.setBinlogPosition(4);
        } else {
            c.setBinlogFilename(null); // LATEST: the library asks SHOW MASTER STATUS
        }
        c.registerEventListener(event -> onEvent(c, event));
        c.registerLifecycleListener(new BinaryLogClient.AbstractLifecycleListener() {
            @Override
            public void onConnect(BinaryLogClient client) {
                lastEventMillis = System.currentTimeMillis();
                lostSinceMillis = 0;
                metrics.recordConnected(true);
                if (processor.flavor() == null) {
                    processor.setFlavor(Boolean.TRUE.equals(client.getMariaDB()) ? ServerFlavor.MARIADB : ServerFlavor.MYSQL);
                }
                firstConnect.countDown();
            }

            @Override
            public void onDisconnect(BinaryLogClient client) {
                metrics.recordConnected(false);
            }

            @Override
            public void onCommunicationFailure(BinaryLogClient client, Exception ex) {
                streamFailure.compareAndSet(null, ex);
            }

            @Override
            public void onEventDeserializationFailure(BinaryLogClient client, Exception ex) {
                streamFailure.compareAndSet(null, EventDeserializers.notDecodable(client.getBinlogFilename(), ex));
                disconnectQuietly(client);
            }
        });
        return c;
    }

    private void onEvent(BinaryLogClient c, Event event) {
        if (!running || failure.get() != null) {
            return;
        }
        lastEventMillis = System.currentTimeMillis();
        EventHeaderV4 header = event.getHeader();
        try {
            processor.accept(event);
            if (processor.atTransactionBoundary() && processor.currentOffset() != null) {
                boundary.set(new Boundary(processor.currentOffset(), enqueued.get()));
            }
            // lag: an event read while nothing waits to be taken is captured as it is read; a heartbeat then means caught up
            // (the counters, not the queue's size, which would take the queue's lock for every event)
            if (enqueued.get() == taken.get()) {
                if (header.getEventType() == EventType.HEARTBEAT) {
                    if (processor.atTransactionBoundary()) {
                        metrics.recordCaughtUp();
                    }
                } else {
                    metrics.recordEvent(header.getTimestamp());
                }
            }
        } catch (InterruptedException e) {
            disconnectAsync(c);
        } catch (BinlogCaptureException e) {
            fail(e);
            disconnectAsync(c);
        } catch (RuntimeException e) {
            fail(new BinlogCaptureException(Reason.DECODING, "Binlog event " + header.getEventType() + " at "
                    + c.getBinlogFilename() + ":" + header.getPosition() + " could not be processed: " + e.getMessage(), e));
            disconnectAsync(c);
        }
    }

    private static void disconnectAsync(BinaryLogClient c) {
        Thread t = new Thread(() -> disconnectQuietly(c), "binlog-disconnect");
        t.setDaemon(true);
        t.start();
    }

    private static void disconnectQuietly(BinaryLogClient c) {
        try {
            c.disconnect();
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        }
    }

    /** A fatal, user-facing error for the problem, or null when reconnecting may help. */
    private BinlogCaptureException classify(Exception problem) {
        if (problem instanceof BinlogCaptureException e) {
            return e;
        }
        if (failure.get() != null) {
            return failure.get();
        }
        if (problem instanceof AuthenticationException) {
            return new BinlogCaptureException(Reason.AUTHENTICATION, "The server " + config.host() + ":" + config.port()
                    + " rejected user '" + config.user() + "': " + problem.getMessage() + ". Check the user name and password.", problem);
        }
        if (problem instanceof ServerException se) {
            int code = se.getErrorCode();
            String message = se.getMessage() == null ? "" : se.getMessage();
            if (code == 1045) {
                return new BinlogCaptureException(Reason.AUTHENTICATION, "The server " + config.host() + ":" + config.port()
                        + " rejected user '" + config.user() + "': " + message + ". Check the user name and password.", se);
            }
            if (code == 1227 || code == 1044 || code == 1142) {
                return new BinlogCaptureException(Reason.PRIVILEGES, "User '" + config.user() + "' lacks a privilege for"
                        + " reading the binlog: " + message + ". Run GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO the user.", se);
            }
            String lower = message.toLowerCase(java.util.Locale.ROOT);
            if (code == SAME_SERVER_ID || code == 1236 && (lower.contains("server_id") || lower.contains("server_uuid")
                    || lower.contains("server id"))) {
                return new BinlogCaptureException(Reason.CONFIGURATION, "Another replica or capture connected to " + hostPort()
                        + " with Server ID " + config.serverId() + ", and the server disconnected this one (error " + code + ": "
                        + message + "). Pick another Server ID: every replica and every capture of a server needs its own.", se);
            }
            if (code == 1236) {
                return new BinlogCaptureException(Reason.POSITION_UNAVAILABLE, "The binlog position " + processor.currentOffset()
                        + " is no longer available on " + config.host() + ":" + config.port() + " (the server says: " + message
                        + "). The binlog was purged or the position never existed, so the changes since then cannot be read."
                        + " Clear the processor state and start over, e.g. with a snapshot of the tables.", se);
            }
            return new BinlogCaptureException(Reason.CONNECTION, "The server " + config.host() + ":" + config.port()
                    + " refused binlog streaming: " + message + " (error " + code + ")", se);
        }
        return null;
    }

    private BinlogCaptureException classifySql(SQLException e) {
        int code = e.getErrorCode();
        if (ConnectionProblems.unreachable(e) || ConnectionProblems.tls(e)) {
            return new BinlogCaptureException(Reason.CONNECTION, ConnectionProblems.describe(hostPort(), e), e);
        }
        if (code == 1045) {
            return new BinlogCaptureException(Reason.AUTHENTICATION, "The server " + config.host() + ":" + config.port()
                    + " rejected the JDBC login: " + e.getMessage() + ". Check the user name and password"
                    + (config.sslContext() == null ? "; if the server requires TLS (require_secure_transport=ON, or the user"
                    + " was created with REQUIRE SSL), configure an SSL Context Service." : "."), e);
        }
        return new BinlogCaptureException(Reason.CONNECTION, "Could not query the server " + config.host() + ":" + config.port()
                + " over JDBC: " + e.getMessage(), e);
    }

    private void refuseIfNotRequired(ServerIdentity here) {
        if (requiredServer != null && !requiredServer.equals(here)) {
            throw new BinlogCaptureException(Reason.POSITION_UNAVAILABLE, "Capture is still catching up with a snapshot that"
                    + " was read in several read views on " + requiredServer + ", and until streaming has passed the last of"
                    + " them it can continue only on that server: " + hostPort() + " is " + here + ". Make that server"
                    + " reachable again, or clear the processor state and start over with a new snapshot.");
        }
    }

    private String hostPort() {
        return config.host() + ":" + config.port();
    }

    /** Without JDBC access nothing is asked: the stored offset as it is, else the start position (LATEST: on connect). */
    private ResumePlan resolveWithoutServer() {
        try {
            return ResumePlan.resolve(resumeFrom, startPosition, null, null, hostPort());
        } catch (SQLException e) {
            throw new IllegalStateException("No server was asked", e);
        }
    }

    private static Map<Integer, String> collations(MySqlServer server) {
        try {
            return server.collations();
        } catch (SQLException e) {
            return Map.of(); // the built-in table is used
        }
    }
}
