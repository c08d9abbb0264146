package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every question the PostgreSQL engine asks the server over JDBC (settings, privileges, the replication slot, the
 * publication, the captured tables and their columns), in one place. Wraps a connection the caller owns.
 */
public final class PgServer {
    private final Connection connection;

    public PgServer(Connection connection) {
        this.connection = connection;
    }

    public Connection connection() {
        return connection;
    }

    /** The server's major version, e.g. 14. */
    public int majorVersion() throws SQLException {
        return connection.getMetaData().getDatabaseMajorVersion();
    }

    public String setting(String name) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT current_setting(?)")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    public String database() throws SQLException {
        return single("SELECT current_database()");
    }

    public String user() throws SQLException {
        return single("SELECT current_user");
    }

    /** True when the current user may open replication connections (REPLICATION attribute or superuser). */
    public boolean canReplicate() throws SQLException {
        return Boolean.parseBoolean(single("SELECT (rolreplication OR rolsuper)::text FROM pg_roles WHERE rolname = current_user"));
    }

    /** The end of the WAL written so far. */
    public long currentWalLsn() throws SQLException {
        return PgOffset.parse(single("SELECT pg_current_wal_lsn()::text"));
    }

    /**
     * A replication slot as {@code pg_replication_slots} shows it.
     *
     * @param activePid   the backend streaming from it, or 0
     * @param invalidated why the server gave up the WAL it needs ({@code wal_status = 'lost'} or PostgreSQL 16+'s
     *                    conflicts), else null
     */
    public record Slot(String name, String plugin, String type, String database, int activePid, Long confirmedFlushLsn,
                       String invalidated) {
    }

    /** The slot called {@code name}, or null when there is none. */
    public Slot slot(String name) throws SQLException {
        int major = majorVersion();
        String invalidation = major >= 17 ? "invalidation_reason" : major >= 16 ? "CASE WHEN conflicting THEN 'conflict' END"
                : major >= 13 ? "NULL" : "NULL";
        String lost = major >= 13 ? "wal_status = 'lost'" : "false";
        try (PreparedStatement s = connection.prepareStatement("SELECT plugin, slot_type, database, coalesce(active_pid, 0),"
                + " confirmed_flush_lsn::text, CASE WHEN " + lost + " THEN 'wal_removed' ELSE " + invalidation + " END"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String flush = rs.getString(5);
                return new Slot(name, rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        flush == null ? null : PgOffset.parse(flush), rs.getString(6));
            }
        }
    }

    /** Slots in use and the most the server allows. */
    public int[] slotUsage() throws SQLException {
        return new int[]{Integer.parseInt(single("SELECT count(*)::text FROM pg_replication_slots")),
                Integer.parseInt(setting("max_replication_slots"))};
    }

    public void dropSlot(String name) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            s.setString(1, name);
            s.execute();
        }
    }

    /** A publication: whether it publishes every table, and the tables it publishes (schema.table). */
    public record Publication(String name, boolean allTables, Set<String> tables) {
        public boolean publishes(SnapshotTable table) {
            return allTables || tables.contains(table.qualifiedName());
        }
    }

    /** The publication called {@code name}, or null when there is none. */
    public Publication publication(String name) throws SQLException {
        boolean all;
        try (PreparedStatement s = connection.prepareStatement("SELECT puballtables FROM pg_publication WHERE pubname = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                all = rs.getBoolean(1);
            }
        }
        Set<String> tables = new LinkedHashSet<>();
        try (PreparedStatement s = connection.prepareStatement("SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1) + "." + rs.getString(2));
                }
            }
        }
        return new Publication(name, all, tables);
    }

    /** Creates a publication of exactly {@code tables}. */
    public void createPublication(String name, List<SnapshotTable> tables) throws SQLException {
        StringBuilder sql = new StringBuilder("CREATE PUBLICATION ").append(PgIdentifiers.quote(name));
        for (int i = 0; i < tables.size(); i++) {
            sql.append(i == 0 ? " FOR TABLE " : ", ").append(PgIdentifiers.quote(tables.get(i)));
        }
        try (Statement s = connection.createStatement()) {
            s.execute(sql.toString());
        }
    }

    /**
     * A captured table's replication-relevant facts.
     *
     * @param replicaIdentity 'd' default (primary key), 'n' nothing, 'f' full, 'i' an index
     */
    public record TableInfo(SnapshotTable table, int oid, char replicaIdentity, boolean hasPrimaryKey, boolean hasIdentityIndex) {
        /** Whether updates and deletes can be published with a before-image that identifies the row. */
        public boolean identifiesRows() {
            return replicaIdentity == 'f' || (replicaIdentity == 'd' && hasPrimaryKey) || (replicaIdentity == 'i' && hasIdentityIndex);
        }
    }

    /** The ordinary tables the filter captures, ordered by schema and name. */
    public List<TableInfo> tables(TableFilter filter) throws SQLException {
        List<TableInfo> tables = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT n.nspname, c.relname, c.oid, c.relreplident,
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'r' AND NOT c.relispartition
                ORDER BY n.nspname, c.relname""")) {
            while (rs.next()) {
                if (filter.includesTable(rs.getString(1), rs.getString(2))) {
                    tables.add(new TableInfo(new SnapshotTable(rs.getString(1), rs.getString(2)), rs.getInt(3),
                            rs.getString(4).charAt(0), rs.getBoolean(5), rs.getBoolean(6)));
                }
            }
        }
        return tables;
    }

    /** A column as the catalog has it now. */
    public record CatalogColumn(String name, int typeOid, int typmod, boolean notNull, boolean identityKey, int primaryKeyPosition) {
    }

    /**
     * The columns of table {@code oid} in table order: whether each is part of the replica identity key (every column
     * with REPLICA IDENTITY FULL) and its 1-based position in the primary key (0 when none; int2vector subscripts start
     * at 0, so the position is counted with ordinality rather than taken from array_position).
     */
    public List<CatalogColumn> columns(int oid) throws SQLException {
        List<CatalogColumn> columns = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement("""
                SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull,
                       c.relreplident = 'f' OR EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND a.attnum = ANY(i.indkey)
                           AND ((c.relreplident = 'd' AND i.indisprimary) OR (c.relreplident = 'i' AND i.indisreplident))),
                       coalesce((SELECT k.position FROM pg_index i, unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
                                 WHERE i.indrelid = c.oid AND i.indisprimary AND k.attnum = a.attnum), 0)
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum""")) {
            s.setInt(1, oid);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    columns.add(new CatalogColumn(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getBoolean(4), rs.getBoolean(5), rs.getInt(6)));
                }
            }
        }
        return columns;
    }

    /**
     * A txid above every transaction whose commit record is in the WAL now: one assigned to a transaction of its own, which
     * is rolled back (it writes nothing, and its end lets later snapshots' xmax pass it). The xmax of
     * {@code txid_current_snapshot()} is not such a bound: it is the latest ended transaction's txid + 1, and a transaction
     * whose commit record is written but which has not ended yet (waiting for a synchronous standby) may have a higher one.
     */
    public long txidAboveCommitted() throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            return Long.parseLong(single("SELECT txid_current()"));
        } finally {
            connection.rollback();
            connection.setAutoCommit(autoCommit);
        }
    }

    /** The snapshot of the transaction in progress (in REPEATABLE READ: the one its first statement took). */
    public PgTxidSnapshot txidSnapshot() throws SQLException {
        return PgTxidSnapshot.parse(single("SELECT txid_current_snapshot()::text"));
    }

    private String single(String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
