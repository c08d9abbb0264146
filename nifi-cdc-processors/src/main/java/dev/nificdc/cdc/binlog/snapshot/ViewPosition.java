package dev.nificdc.cdc.binlog.snapshot;

import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.cdc.binlog.MySqlServer;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.JdbcConnector;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Opens the consistent read view on a connection and finds the binlog position (with its GTIDs) that matches it
 * exactly, by one of the {@link ConsistencyMethod}s:
 *
 * <ul>
 *   <li>MariaDB's status variables: no lock at all.</li>
 *   <li>The global read lock: {@code FLUSH TABLES WITH READ LOCK}, the view, the position, {@code UNLOCK TABLES}.</li>
 *   <li>Where the global read lock is denied (Amazon RDS and Aurora give no user the RELOAD privilege it needs, as
 *   Debezium's connector meets too): {@code LOCK TABLES ... READ} of the captured tables on a second connection, the
 *   view and the position on the first, {@code UNLOCK TABLES}. No write to a captured table can commit while the
 *   view is opened and the position read, so the view holds exactly the captured tables' changes before that position;
 *   changes of other tables do not matter. Writes to the captured tables wait for those few milliseconds, writes to
 *   other tables do not.</li>
 * </ul>
 */
final class ViewPosition {
    /** The server refused a privilege: ER_DBACCESS_DENIED_ERROR, ER_ACCESS_DENIED_ERROR (RDS), ER_SPECIFIC_ACCESS_DENIED_ERROR. */
    private static final Set<Integer> ACCESS_DENIED = Set.of(1044, 1045, 1227);

    /**
     * The position of the read view and how it was found, for the log.
     *
     * @param position the binlog position (with GTIDs) the view matches
     * @param how      the statements that fixed it, e.g. "MariaDB binlog_snapshot_position"
     */
    record Opened(BinlogOffset position, String how) {
    }

    private ViewPosition() {
    }

    /**
     * Starts {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} on {@code view} (auto-commit off, REPEATABLE READ already
     * set) and returns the binlog position it matches.
     *
     * @param jdbc opens the second connection that holds the table locks, when the global read lock is denied
     */
    static Opened open(Connection view, MySqlServer server, ConsistencyMethod method, JdbcConnector jdbc, TableFilter filter,
                       CaptureLogger logger) throws SQLException {
        if (method == ConsistencyMethod.SNAPSHOT_STATUS) {
            execute(view, "START TRANSACTION WITH CONSISTENT SNAPSHOT");
            return new Opened(server.snapshotBinlogPosition(), "MariaDB binlog_snapshot_position, no lock");
        }
        try {
            execute(view, "FLUSH TABLES WITH READ LOCK");
        } catch (SQLException e) {
            if (!ACCESS_DENIED.contains(e.getErrorCode())) {
                throw e;
            }
            return withTableLocks(view, server, jdbc, filter, logger, e);
        }
        try {
            execute(view, "START TRANSACTION WITH CONSISTENT SNAPSHOT");
            return new Opened(currentPosition(server), "FLUSH TABLES WITH READ LOCK");
        } finally {
            execute(view, "UNLOCK TABLES");
        }
    }

    private static Opened withTableLocks(Connection view, MySqlServer server, JdbcConnector jdbc, TableFilter filter,
                                         CaptureLogger logger, SQLException denied) throws SQLException {
        try (Connection locker = jdbc.open()) {
            List<SnapshotTable> tables = ConsistentSnapshot.baseTables(locker, filter);
            logger.warn("FLUSH TABLES WITH READ LOCK was denied (" + denied.getMessage() + "); locking the " + tables.size()
                    + " captured tables with LOCK TABLES ... READ while the read view opens instead");
            if (!tables.isEmpty()) {
                execute(locker, "LOCK TABLES " + tables.stream().map(t -> MySqlIdentifiers.quote(t) + " READ")
                        .collect(Collectors.joining(", ")));
            }
            try {
                execute(view, "START TRANSACTION WITH CONSISTENT SNAPSHOT");
                return new Opened(currentPosition(server), "LOCK TABLES ... READ of " + tables.size()
                        + " tables (FLUSH TABLES WITH READ LOCK was denied)");
            } finally {
                if (!tables.isEmpty()) {
                    execute(locker, "UNLOCK TABLES");
                }
            }
        } catch (SQLException e) {
            e.addSuppressed(denied);
            throw e;
        }
    }

    private static BinlogOffset currentPosition(MySqlServer server) throws SQLException {
        return server.binlogPosition().orElseThrow(() ->
                new SQLException("SHOW MASTER STATUS returned nothing: is the binlog enabled (log_bin)?"));
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }
}
