package dev.nificdc.cdc.timestamp;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.temporal.Temporal;

/**
 * The oldest open write transaction of the database, as the server itself lists its sessions, read in the timestamp
 * column's terms (its type, and the same session time zone as the clock the upper bound is computed from).
 *
 * <ul>
 *   <li>PostgreSQL: {@code pg_stat_activity.xact_start} of the sessions of the current database that hold a
 *       transaction id ({@code backend_xid}), i.e. that have written (or locked rows). {@code xact_start} is exactly
 *       the value {@code now()} returns in that transaction. Other roles' sessions show their {@code xact_start} only to
 *       superusers and members of {@code pg_read_all_stats}; their transaction ids stay visible, so they are counted as
 *       hidden.</li>
 *   <li>MySQL / MariaDB: {@code information_schema.INNODB_TRX.trx_started} of the transactions that changed or locked
 *       something ({@code trx_rows_modified > 0 OR trx_lock_structs > 0}), read-only ones are left out. The table needs
 *       the PROCESS privilege; InnoDB refreshes it at most every 0.1 s; {@code trx_started} has whole seconds and is
 *       in the server's system time zone, converted here to the session's.</li>
 *   <li>Other databases: not read ({@link Visibility#NONE}).</li>
 * </ul>
 * The processor's own session is left out.
 */
public final class OpenTransactions {
    /** Which write transactions of the database the connection can see. */
    public enum Visibility {
        /** All sessions' transactions. */
        ALL,
        /** Only the transactions of the connection's own role (PostgreSQL without pg_read_all_stats). */
        OWN_ROLE,
        /** None: the bound is the Commit Lag alone. */
        NONE
    }

    /**
     * What one look at the server's sessions found.
     *
     * @param visibility  which transactions could be seen
     * @param oldestStart start of the oldest visible open write transaction, as a value of the clock type; null when none
     * @param oldest      who holds that transaction (e.g. {@code pid 4242 of app, idle in transaction}); null when none
     * @param hidden      open write transactions whose start could not be read (other roles' on PostgreSQL)
     * @param limitation  why not every transaction is visible and what to grant; null with {@link Visibility#ALL}
     */
    public record Snapshot(Visibility visibility, Temporal oldestStart, String oldest, int hidden, String limitation) {
        static Snapshot none(String limitation) {
            return new Snapshot(Visibility.NONE, null, null, 0, limitation);
        }
    }

    /** MySQL's error for a missing privilege ("Access denied; you need (at least one of) the PROCESS privilege(s)"). */
    private static final int MYSQL_SPECIFIC_ACCESS_DENIED = 1227;

    private OpenTransactions() {
    }

    /**
     * Reads the oldest open write transaction. A query the server refuses (a missing privilege, no InnoDB) gives
     * {@link Visibility#NONE} with the reason; the connection stays usable.
     *
     * @param type the timestamp column's type: the start is read as its clock type, in the session's time zone
     */
    public static Snapshot read(Connection connection, SqlDialect dialect, TimestampType type) throws SQLException {
        return switch (dialect) {
            case POSTGRESQL -> postgres(connection, type);
            case MYSQL -> mysql(connection, type);
            default -> Snapshot.none("open transactions are read on PostgreSQL and MySQL/MariaDB only, not on " + dialect.displayName());
        };
    }

    private static Snapshot postgres(Connection connection, TimestampType type) throws SQLException {
        String cast = type == TimestampType.OFFSET_DATE_TIME ? "timestamptz" : "timestamp";
        String sql = "SELECT pg_is_in_recovery(), "
                + "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role('pg_read_all_stats', 'USAGE'), "
                + "CAST(a.xact_start AS " + cast + "), a.pid, a.usename, a.state, a.backend_xid IS NOT NULL "
                + "FROM (SELECT 1) AS one LEFT JOIN pg_stat_activity AS a ON a.backend_xid IS NOT NULL "
                + "AND a.pid <> pg_backend_pid() AND a.datname = current_database()";
        Temporal oldestStart = null;
        String oldest = null;
        int hidden = 0;
        boolean standby = false;
        boolean allSessions = false;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                standby = rs.getBoolean(1);
                allSessions = rs.getBoolean(2);
                if (!rs.getBoolean(7)) {
                    continue; // the LEFT JOIN's row when no session holds a transaction id
                }
                Temporal start = SqlDialect.POSTGRESQL.readTemporal(rs, 3, type.clockType());
                if (start == null) {
                    hidden++;
                } else if (oldestStart == null || type.compare(start, oldestStart) < 0) {
                    oldestStart = start;
                    oldest = "pid " + rs.getInt(4) + " of " + rs.getString(5) + ", " + rs.getString(6);
                }
            }
        } catch (SQLException e) {
            rollbackQuietly(connection);
            return Snapshot.none("pg_stat_activity could not be read (" + e.getMessage() + ")");
        }
        if (standby) {
            return Snapshot.none("the server is a standby (in recovery): the primary's transactions are not visible here; "
                    + "point the connection at the primary");
        }
        if (allSessions) {
            return new Snapshot(Visibility.ALL, oldestStart, oldest, hidden, null);
        }
        return new Snapshot(Visibility.OWN_ROLE, oldestStart, oldest, hidden, "the user sees the start of its own role's transactions "
                + "only; GRANT pg_read_all_stats TO <user> (or a superuser) lets it see every role's");
    }

    private static Snapshot mysql(Connection connection, TimestampType type) throws SQLException {
        // trx_started is the server's system-zone wall clock; the clock and the rows are read in the session's zone
        String sql = "SELECT CAST(CONVERT_TZ(trx_started, 'SYSTEM', @@session.time_zone) AS CHAR), trx_mysql_thread_id, "
                + "trx_state, trx_rows_modified FROM information_schema.INNODB_TRX "
                + "WHERE trx_mysql_thread_id <> CONNECTION_ID() AND (trx_rows_modified > 0 OR trx_lock_structs > 0)";
        Temporal oldestStart = null;
        String oldest = null;
        int hidden = 0;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Temporal start = SqlDialect.MYSQL.readTemporal(rs, 1, type.clockType());
                if (start == null) {
                    hidden++;
                } else if (oldestStart == null || type.compare(start, oldestStart) < 0) {
                    oldestStart = start;
                    oldest = "thread " + rs.getLong(2) + ", " + rs.getString(3) + ", " + rs.getLong(4) + " rows changed";
                }
            }
        } catch (SQLException e) {
            rollbackQuietly(connection);
            if (e.getErrorCode() == MYSQL_SPECIFIC_ACCESS_DENIED) {
                return Snapshot.none("information_schema.INNODB_TRX needs the PROCESS privilege: GRANT PROCESS ON *.* TO <user>");
            }
            return Snapshot.none("information_schema.INNODB_TRX could not be read (" + e.getMessage() + ")");
        }
        return new Snapshot(Visibility.ALL, oldestStart, oldest, hidden, null);
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback(); // PostgreSQL refuses every statement of a transaction after an error
            }
        } catch (SQLException ignored) {
            // the next statement reports a broken connection
        }
    }
}
