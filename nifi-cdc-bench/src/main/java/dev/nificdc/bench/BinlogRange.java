package dev.nificdc.bench;

/**
 * A stretch of binlog written by the workload, and how to read it: every capture candidate reads exactly from
 * {@code start} to {@code end} and must count exactly {@code expected} row changes of {@code database}.
 */
record BinlogRange(String host, int port, String user, String password, String database, String table,
                   String startFile, long startPosition, String endFile, long endPosition, OrdersWorkload.Counts expected) {
}
