package dev.nificdc.cdc.binlog.schema;

/**
 * Supplies table definitions when the binlog does not (TABLE_MAP events without column names: servers with
 * {@code binlog_row_metadata} MINIMAL or NO_LOG, or too old to have it). The answer describes the table as it is now;
 * the {@link TableSchemaResolver} checks every TABLE_MAP event against it.
 */
public interface SchemaSource {
    /** The table as it is now, or null when the source does not know it (dropped, or not visible to the user). */
    TableDefinition describe(String database, String table);

    /**
     * The table as it was when the binlog ended at {@code file:position}: read now, and returned only when nothing has
     * been written to the binlog after that position yet (so the reading saw the state right after the event that ends
     * there); null otherwise or when the source cannot tell.
     */
    default TableDefinition describeAt(String database, String table, String file, long position) {
        return null;
    }

    /** False for {@link #none()}: then columns get positional names. */
    default boolean available() {
        return true;
    }

    /** A source that knows no table: columns get positional names {@code col_1}, {@code col_2}, ... */
    static SchemaSource none() {
        return new SchemaSource() {
            @Override
            public TableDefinition describe(String database, String table) {
                return null;
            }

            @Override
            public boolean available() {
                return false;
            }
        };
    }
}
