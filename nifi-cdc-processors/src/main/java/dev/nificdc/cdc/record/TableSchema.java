package dev.nificdc.cdc.record;

import java.util.List;
import java.util.Objects;

/**
 * The columns of one table at one moment of its history (a schema change yields a new TableSchema).
 *
 * @param database   database (MySQL) or schema (PostgreSQL) name
 * @param table      table name
 * @param columns    columns in table order; row arrays of a {@link ChangeEvent} follow this order
 * @param primaryKey primary-key column names in key order; empty when the table has none
 */
public record TableSchema(String database, String table, List<ColumnSchema> columns, List<String> primaryKey) {
    public TableSchema {
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    public int indexOf(String columnName) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(columnName)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code db.table}, or just the table when there is no database. */
    public String qualifiedName() {
        return database == null || database.isEmpty() ? table : database + "." + table;
    }
}
