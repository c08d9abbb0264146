package dev.nificdc.cdc.binlog.snapshot;

import dev.nificdc.cdc.binlog.Grants;
import dev.nificdc.cdc.binlog.MySqlServer;
import dev.nificdc.cdc.binlog.ServerFlavor;
import dev.nificdc.cdc.binlog.convert.MySqlCharsets;
import dev.nificdc.cdc.binlog.schema.SchemaSource;
import dev.nificdc.cdc.binlog.schema.TableDefinition;
import dev.nificdc.cdc.binlog.schema.TableMapSynthesizer;
import dev.nificdc.cdc.binlog.schema.TableMapping;
import dev.nificdc.cdc.binlog.schema.TableSchemaResolver;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.JdbcConnector;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.snapshot.ReadView;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * What a snapshot would read and how it would fix its position: the tables, how many of them would be read in one pass,
 * and the locking.
 *
 * @param tables        the captured base tables
 * @param onePassTables how many of them have no integer primary key (read in a single run each)
 * @param locking       how the read view would be tied to a binlog position
 */
public record SnapshotPreview(List<SnapshotTable> tables, long onePassTables, Locking locking) {

    /**
     * What opening a read view would do, found without taking any lock (for Verify, which must never hold up a
     * server's writes): a plain consistent-snapshot transaction lists the tables and their keys, and the user's grants
     * tell whether the snapshot's way of fixing its position is allowed.
     */
    public static SnapshotPreview of(JdbcConnector jdbc, ConsistencyMethod method, TableFilter filter, CaptureLogger logger)
            throws SQLException {
        try (Connection connection = jdbc.open()) {
            MySqlServer server = new MySqlServer(connection);
            String version = server.version();
            ConsistencyMethod effective = method.effectiveFor(version);
            TableSchemaResolver resolver = new TableSchemaResolver(filter, SchemaSource.none(),
                    MySqlCharsets.withServerCollations(server.collations()), logger);
            boolean mariaDb = ServerFlavor.ofVersion(version) == ServerFlavor.MARIADB;
            connection.setAutoCommit(false);
            try {
                execute(connection, "START TRANSACTION WITH CONSISTENT SNAPSHOT");
                List<SnapshotTable> tables = ConsistentSnapshot.baseTables(connection, filter);
                long onePass = 0;
                for (SnapshotTable table : tables) {
                    TableDefinition definition = TableMapSynthesizer.describe(connection, table.database(), table.table());
                    TableMapping mapping = definition == null ? null : resolver.resolve(definition.tableMap(), mariaDb);
                    if (mapping != null && !ReadView.pageable(mapping.schema())) {
                        onePass++;
                    }
                }
                return new SnapshotPreview(tables, onePass, locking(effective, new Grants(server.grants()), tables.size()));
            } finally {
                connection.rollback();
            }
        }
    }

    /**
     * How the snapshot would tie its read view to a binlog position.
     *
     * @param description what it would do, in words
     * @param allowed     false when the user lacks the privilege it needs
     */
    public record Locking(String description, boolean allowed) {
    }

    static Locking locking(ConsistencyMethod method, Grants grants, int tables) {
        if (method == ConsistencyMethod.SNAPSHOT_STATUS) {
            return new Locking("MariaDB's binlog_snapshot_position, without any lock", true);
        }
        if (grants.global("RELOAD")) {
            return new Locking("FLUSH TABLES WITH READ LOCK for the moment the read view opens (writes wait for"
                    + " milliseconds; RELOAD is held)", true);
        }
        boolean lockTables = grants.anywhere("LOCK TABLES");
        return new Locking("LOCK TABLES ... READ of the " + tables + " captured tables for the moment the read view opens"
                + " (RELOAD, which FLUSH TABLES WITH READ LOCK needs, is not held, as on Amazon RDS and Aurora; writes to"
                + " those tables wait for milliseconds)" + (lockTables ? "" : ". The user lacks LOCK TABLES too: grant it"
                + " (or RELOAD), or choose Snapshot Mode no_data or never"), lockTables);
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }
}
