package dev.nificdc.cdc.binlog.snapshot;

import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.cdc.binlog.BinlogPositions;
import dev.nificdc.cdc.binlog.BinlogSourceConfig;
import dev.nificdc.cdc.binlog.ConnectionProblems;
import dev.nificdc.cdc.binlog.ServerIdentity;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.JdbcConnector;
import dev.nificdc.cdc.core.snapshot.LogPositions;
import dev.nificdc.cdc.core.snapshot.SnapshotSource;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;

import java.net.ConnectException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Opens {@link ConsistentSnapshot} read views of a MySQL/MariaDB source on the first host that answers; an incremental
 * snapshot's chunk views first on the host the stream reads from.
 */
public final class MySqlSnapshotSource implements SnapshotSource<BinlogOffset> {
    private final BinlogSourceConfig config;
    private final ConsistencyMethod method;
    private final CaptureLogger logger;
    /** Which server answered at each host (index in Hosts) when a chunk's view was last opened there. */
    private final Map<Integer, ServerIdentity> serversSeen = new ConcurrentHashMap<>();

    public MySqlSnapshotSource(BinlogSourceConfig config, ConsistencyMethod method, CaptureLogger logger) {
        this.config = config;
        this.method = method;
        this.logger = logger;
    }

    @Override
    public ConsistentSnapshot openReadView() throws SQLException {
        return onFirstHost(jdbc -> ConsistentSnapshot.open(jdbc, method, config.filter(), config.logicalName(), logger));
    }

    /** A view in which MariaDB's binlog_snapshot_position is exact; on MySQL a CONFIGURATION error that says why not. */
    @Override
    public ConsistentSnapshot openIncrementalView() throws SQLException {
        return onFirstHost(jdbc -> ConsistentSnapshot.openIncremental(jdbc, config.filter(), config.logicalName(), logger));
    }

    /**
     * A chunk's view, first on the host where {@code streamed} was read (the server the stream reads from, as far as the
     * chunks read before have shown which host that is), then on the others in order: after a fail-over the chunks follow
     * the stream to its new host, also when the first host of the list answers again. A view on another server is
     * still compared exactly, by GTID ({@link ConsistentSnapshot#contains}).
     */
    @Override
    public ConsistentSnapshot openIncrementalView(BinlogOffset streamed) throws SQLException {
        ServerIdentity streamedFrom = streamed == null ? null : streamed.server();
        List<Integer> order = new ArrayList<>();
        serversSeen.forEach((host, server) -> {
            if (server.equals(streamedFrom)) {
                order.add(host);
            }
        });
        for (int host = 0; host < config.hosts().size(); host++) {
            if (!order.contains(host)) {
                order.add(host);
            }
        }
        return onHosts(order, (host, jdbc) -> {
            ConsistentSnapshot view = ConsistentSnapshot.openIncremental(jdbc, config.filter(), config.logicalName(), logger);
            ServerIdentity server = view.position().server();
            if (server != null) {
                serversSeen.put(host, server);
            }
            return view;
        });
    }

    /** The captured base tables, from information_schema without a read view (which on MySQL would take a lock). */
    @Override
    public List<SnapshotTable> tables() throws SQLException {
        return onFirstHost(jdbc -> {
            try (Connection connection = jdbc.open()) {
                return ConsistentSnapshot.baseTables(connection, config.filter());
            }
        });
    }

    @FunctionalInterface
    private interface HostCall<T> {
        T call(JdbcConnector jdbc) throws SQLException;
    }

    @FunctionalInterface
    private interface IndexedHostCall<T> {
        T call(int host, JdbcConnector jdbc) throws SQLException;
    }

    /** Runs {@code call} against the first host that accepts a connection. */
    private <T> T onFirstHost(HostCall<T> call) throws SQLException {
        return onHosts(IntStream.range(0, config.hosts().size()).boxed().toList(), (index, jdbc) -> call.call(jdbc));
    }

    /** Runs {@code call} against the first host that accepts a connection, trying the hosts (indexes in Hosts) in {@code order}. */
    private <T> T onHosts(List<Integer> order, IndexedHostCall<T> call) throws SQLException {
        SQLException unreachable = null;
        for (int index : order) {
            BinlogSourceConfig.HostPort host = config.hosts().get(index);
            try {
                return call.call(index, config.jdbc(host));
            } catch (SQLException e) {
                if (!connectionFailed(e)) {
                    throw e;
                }
                String problem = ConnectionProblems.describe(host.toString(), e);
                logger.warn("Could not connect to " + host + " for the snapshot: " + problem);
                if (unreachable == null) {
                    // the snapshot's error message adds its own full stop
                    String sentence = problem.endsWith(".") ? problem.substring(0, problem.length() - 1) : problem;
                    unreachable = new SQLNonTransientConnectionException(sentence, e.getSQLState(), e.getErrorCode(), e);
                }
            }
        }
        throw unreachable;
    }

    private static boolean connectionFailed(SQLException e) {
        return e instanceof SQLNonTransientConnectionException || e.getCause() instanceof ConnectException
                || ConnectionProblems.unreachable(e) || ConnectionProblems.tls(e);
    }

    /** What a snapshot would read and how it would lock, on the first host that answers, without opening a read view. */
    public SnapshotPreview preview() throws SQLException {
        SQLException last = null;
        for (BinlogSourceConfig.HostPort host : config.hosts()) {
            try {
                return SnapshotPreview.of(config.jdbc(host), method, config.filter(), logger);
            } catch (SQLException e) {
                if (!connectionFailed(e)) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    @Override
    public LogPositions<BinlogOffset> positions() {
        return BinlogPositions.INSTANCE;
    }

    @Override
    public String advice(SQLException failure) {
        if (failure instanceof SQLNonTransientConnectionException && failure.getErrorCode() != 1045) {
            return "The snapshot is tried again at the next run.";
        }
        return failure.getErrorCode() == 1045
                ? "Check the Username and Password; if the server requires TLS (require_secure_transport=ON or a user"
                + " created with REQUIRE SSL), configure an SSL Context Service."
                : "It resumes with the tables not yet committed on the next run; check the capture user's privileges"
                + " (SELECT; on MySQL RELOAD, or LOCK TABLES where RELOAD is not granted, as on Amazon RDS) if this repeats.";
    }
}
