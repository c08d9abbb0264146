package dev.nificdc.cdc.binlog.schema;

/**
 * A TABLE_MAP event without column names does not describe the table information_schema describes: the rows were
 * written before a change of the table (or the table is gone), so they cannot be labelled.
 */
public final class TableDefinitionMismatch extends RuntimeException {
    private final String table;

    TableDefinitionMismatch(String table, String difference) {
        super(difference);
        this.table = table;
    }

    /** The table, {@code db.table}. */
    public String table() {
        return table;
    }
}
