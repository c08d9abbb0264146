package dev.nificdc.cdc.record;

/**
 * Where a change came from: the envelope's {@code source} block (Debezium-compatible field names).
 *
 * @param connector "mysql", "mariadb" or "jdbc"
 * @param name      logical server name (the topic prefix)
 * @param serverId  the originating server id, 0 when unknown
 * @param tsMs      when the change was made on the source (binlog event timestamp), in epoch milliseconds
 * @param snapshot  "true", "last" or "false" (Debezium's values); "false" while streaming
 * @param db        database name
 * @param table     table name
 * @param file      binlog file name, null for JDBC sources
 * @param pos       binlog position of the event, 0 for JDBC sources
 * @param row       index of the row within its binlog event
 * @param gtid      GTID of the transaction, null when GTIDs are not in use
 * @param thread    the session/thread id that made the change, null when unknown
 */
public record SourceInfo(String connector, String name, long serverId, long tsMs, String snapshot, String db,
                         String table, String file, long pos, int row, String gtid, Long thread) {
}
