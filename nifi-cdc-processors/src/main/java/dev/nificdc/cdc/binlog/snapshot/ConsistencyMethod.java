package dev.nificdc.cdc.binlog.snapshot;

import dev.nificdc.cdc.binlog.ServerFlavor;

import java.sql.SQLException;

/**
 * How the snapshot ties its consistent read view to a binlog position.
 *
 * <ul>
 *   <li>{@link #GLOBAL_READ_LOCK}: {@code FLUSH TABLES WITH READ LOCK}, {@code START TRANSACTION WITH CONSISTENT SNAPSHOT},
 *   {@code SHOW MASTER STATUS}, {@code UNLOCK TABLES}. Writes wait for the (short) lock. Needs RELOAD; where it is denied
 *   (Amazon RDS, Aurora) {@code LOCK TABLES ... READ} of the captured tables takes its place ({@link ViewPosition}), which
 *   needs LOCK TABLES. MySQL and MariaDB.</li>
 *   <li>{@link #SNAPSHOT_STATUS}: MariaDB only. {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} alone, then the status
 *   variables {@code binlog_snapshot_file} and {@code binlog_snapshot_position}, which MariaDB sets to the binlog position
 *   matching exactly the read view of that transaction (the server takes the binlog commit lock while creating the view).
 *   No table lock at all; consistent for transactional (InnoDB) tables.</li>
 *   <li>{@link #AUTO}: {@code SNAPSHOT_STATUS} on MariaDB, {@code GLOBAL_READ_LOCK} on MySQL.</li>
 * </ul>
 */
public enum ConsistencyMethod {
    AUTO, GLOBAL_READ_LOCK, SNAPSHOT_STATUS;

    /** The method used on a server reporting {@code version}: AUTO resolved by flavour. */
    ConsistencyMethod effectiveFor(String version) throws SQLException {
        boolean mariaDb = ServerFlavor.ofVersion(version) == ServerFlavor.MARIADB;
        ConsistencyMethod effective = this == AUTO ? (mariaDb ? SNAPSHOT_STATUS : GLOBAL_READ_LOCK) : this;
        if (effective == SNAPSHOT_STATUS && !mariaDb) {
            throw new SQLException("The binlog_snapshot_file/binlog_snapshot_position status variables exist only on MariaDB;"
                    + " this server is " + version + ". Use the global read lock.");
        }
        return effective;
    }
}
