package dev.nificdc.cdc.binlog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the binlog engine asks a MySQL or MariaDB server, over a JDBC connection the caller opens and closes (after
 * Debezium's {@code BinlogConnectorConnection}): version and flavour, variables, the binlog position (also on MySQL 8.4+,
 * which removed {@code SHOW MASTER STATUS}), GTIDs, grants, collations, server id. The reader's start checks, the
 * snapshot, Snapshot Mode no_data and Verify all ask through it.
 */
public final class MySqlServer {
    /**
     * The statements that read the binlog end, in the order tried: MySQL 8.4 removed the first (a syntax error there),
     * MariaDB lacks the second.
     */
    static final List<String> BINLOG_STATUS_STATEMENTS = List.of("SHOW MASTER STATUS", "SHOW BINARY LOG STATUS");
    /** ER_PARSE_ERROR: the server does not know the statement. */
    private static final int PARSE_ERROR = 1064;

    private final Connection connection;

    public MySqlServer(Connection connection) {
        this.connection = connection;
    }

    /** The version string ({@code 10.11.5-MariaDB-log}, {@code 8.4.3}), or null when it cannot be read. */
    public String version() {
        return variable("version");
    }

    /** MySQL or MariaDB, from the version string. */
    public ServerFlavor flavor() {
        return ServerFlavor.ofVersion(version());
    }

    /** A global variable's value, or null when the server does not have it or it cannot be read. */
    public String variable(String name) {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL VARIABLES LIKE '" + name.replace("'", "") + "'")) {
            return rs.next() ? rs.getString(2) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    /**
     * Which server this is: its server id and its {@code server_uuid} (MySQL) or {@code hostname:port} (MariaDB, which
     * has no server UUID).
     */
    public ServerIdentity identity() throws SQLException {
        long serverId = serverId();
        String uuid = flavor() == ServerFlavor.MYSQL ? variable("server_uuid") : null;
        if (uuid != null && !uuid.isBlank()) {
            return new ServerIdentity(serverId, uuid);
        }
        String host = variable("hostname");
        String port = variable("port");
        if (host == null || port == null) {
            throw new SQLException("The server's hostname and port variables could not be read");
        }
        return new ServerIdentity(serverId, host + ":" + port);
    }

    /** The server's own id ({@code @@server_id}). */
    public long serverId() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT @@server_id")) {
            if (!rs.next()) {
                throw new SQLException("SELECT @@server_id returned nothing");
            }
            return rs.getLong(1);
        }
    }

    /**
     * The current end of the binlog with the GTIDs written before it (MySQL: the executed GTID set that the same status
     * row reports; MariaDB: {@link #gtidPositionAt}); empty when the server writes no binlog. Asks
     * {@code SHOW MASTER STATUS} and, where the server does not know that statement (MySQL 8.4+),
     * {@code SHOW BINARY LOG STATUS}.
     *
     * @throws SQLException when the server refuses (e.g. the user lacks REPLICATION CLIENT / BINLOG MONITOR)
     */
    public Optional<BinlogOffset> binlogPosition() throws SQLException {
        return binlogPosition(BINLOG_STATUS_STATEMENTS);
    }

    /**
     * Runs the first of {@code statements} the server knows: the next one is tried only when the server rejects a
     * statement as a syntax error; any other error (privileges, connection) is thrown as it is.
     */
    Optional<BinlogOffset> binlogPosition(List<String> statements) throws SQLException {
        SQLException unknown = null;
        for (String sql : statements) {
            BinlogOffset position;
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                position = BinlogOffset.at(rs.getString(1), rs.getLong(2));
                // MySQL's fifth column, Executed_Gtid_Set, is read in the same statement: exactly the GTIDs before the position
                if (rs.getMetaData().getColumnCount() >= 5) {
                    position = position.withGtidSet(compact(rs.getString(5)));
                }
            } catch (SQLException e) {
                if (e.getErrorCode() != PARSE_ERROR) {
                    throw e;
                }
                if (unknown == null) {
                    unknown = e;
                } else {
                    unknown.addSuppressed(e);
                }
                continue;
            }
            return Optional.of(position.gtidSet().isEmpty() ? position.withGtidSet(gtidPositionAt(position)) : position);
        }
        throw unknown;
    }

    /**
     * MariaDB: the GTID position of the transactions written before a binlog file position ({@code BINLOG_GTID_POS}, which
     * reads the file up to there); "" when there are none. Null where it cannot be known: on MySQL, or when the position is
     * not the start of an event.
     */
    public String gtidPositionAt(BinlogOffset position) throws SQLException {
        if (flavor() != ServerFlavor.MARIADB || position.file() == null) {
            return null;
        }
        try (PreparedStatement s = connection.prepareStatement("SELECT BINLOG_GTID_POS(?, ?)")) {
            s.setString(1, position.file());
            s.setLong(2, position.position());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String compact(String gtidSet) {
        return gtidSet == null ? "" : gtidSet.replaceAll("\\s+", "");
    }

    /**
     * MariaDB only: the binlog position matching the read view of the transaction this connection opened with
     * {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} (status variables {@code binlog_snapshot_file} and
     * {@code binlog_snapshot_position}), with the GTID position of exactly that point ({@link #gtidPositionAt}).
     */
    public BinlogOffset snapshotBinlogPosition() throws SQLException {
        Map<String, String> status = new HashMap<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'binlog_snapshot_%'")) {
            while (rs.next()) {
                status.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
            }
        }
        String file = status.get("binlog_snapshot_file");
        if (file == null || file.isBlank()) {
            throw new SQLException("MariaDB reports no binlog_snapshot_file: is the binlog enabled (log_bin)?");
        }
        BinlogOffset position = BinlogOffset.at(file, Long.parseLong(status.get("binlog_snapshot_position")));
        return position.withGtidSet(gtidPositionAt(position));
    }

    /** MySQL's {@code gtid_mode} (OFF, ON, ...), or null on servers without it (MariaDB, MySQL 5.5). */
    public String gtidMode() {
        return variable("gtid_mode");
    }

    /** MariaDB's {@code gtid_binlog_pos}: the GTID position of the last transaction in the binlog; null elsewhere. */
    public String gtidBinlogPosition() {
        return variable("gtid_binlog_pos");
    }

    /** The capture user's grants ({@code SHOW GRANTS}), upper-cased. */
    public List<String> grants() throws SQLException {
        List<String> grants = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SHOW GRANTS")) {
            while (rs.next()) {
                grants.add(rs.getString(1).toUpperCase(Locale.ROOT));
            }
        }
        return grants;
    }

    /** The character set of each collation id, as the server defines them (TABLE_MAP events name columns' collations by id). */
    public Map<Integer, String> collations() throws SQLException {
        Map<Integer, String> map = new HashMap<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT ID, CHARACTER_SET_NAME FROM information_schema.COLLATIONS WHERE ID IS NOT NULL")) {
            while (rs.next()) {
                map.put(rs.getInt(1), rs.getString(2));
            }
        }
        return map;
    }
}
