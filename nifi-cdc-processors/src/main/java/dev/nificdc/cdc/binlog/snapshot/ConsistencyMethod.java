package dev.nificdc.cdc.binlog.snapshot;

/**
 * How the snapshot ties its consistent read view to a binlog position.
 *
 * <ul>
 *   <li>{@link #GLOBAL_READ_LOCK}: {@code FLUSH TABLES WITH READ LOCK}, {@code START TRANSACTION WITH CONSISTENT SNAPSHOT},
 *   {@code SHOW MASTER STATUS}, {@code UNLOCK TABLES}. Writes wait for the (short) lock. Needs RELOAD. MySQL and MariaDB.</li>
 *   <li>{@link #SNAPSHOT_STATUS}: MariaDB only. {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} alone, then the status
 *   variables {@code binlog_snapshot_file} and {@code binlog_snapshot_position}, which MariaDB sets to the binlog position
 *   matching exactly the read view of that transaction (the server takes the binlog commit lock while creating the view).
 *   No table lock at all; consistent for transactional (InnoDB) tables.</li>
 *   <li>{@link #AUTO}: {@code SNAPSHOT_STATUS} on MariaDB, {@code GLOBAL_READ_LOCK} on MySQL.</li>
 * </ul>
 */
public enum ConsistencyMethod {
    AUTO, GLOBAL_READ_LOCK, SNAPSHOT_STATUS
}
