package dev.nificdc.cdc.binlog.schema;

import java.util.List;

/**
 * Supplies table definitions when the binlog does not (servers without {@code binlog_row_metadata=FULL}).
 * The answer describes the table as it is now, so replaying binlog written before a DDL change can mislabel columns.
 */
@FunctionalInterface
public interface SchemaSource {
    /** The columns of a table in ordinal order, or an empty list when unknown. */
    List<SourceColumn> columns(String database, String table);

    /** A source that knows no table: columns get positional names {@code col_1}, {@code col_2}, ... */
    static SchemaSource none() {
        return (database, table) -> List.of();
    }
}
