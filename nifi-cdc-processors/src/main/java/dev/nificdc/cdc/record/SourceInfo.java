package dev.nificdc.cdc.record;

/**
 * Where a change came from: the envelope's {@code source} block (Debezium-compatible field names). Every source fills
 * the fields Debezium's connectors share; {@link #fields()} declares the rest: the source's own fields (MySQL's binlog
 * file and position, PostgreSQL's LSN, none for a JDBC poll) and the position fields of the flattened row.
 */
public interface SourceInfo {

    /** The layout of this kind of source's fields; the same instance for every change of one kind. */
    SourceFields<?> fields();

    /** The connector: "mysql", "mariadb", "jdbc", ... */
    String connector();

    /** The logical server name (the topic prefix). */
    String name();

    /** When the change was made on the source, in epoch milliseconds. */
    long tsMs();

    /** "true", "last" or "false" (Debezium's values); "false" while streaming. */
    String snapshot();

    /** The database name. */
    String db();

    /** The table name. */
    String table();
}
