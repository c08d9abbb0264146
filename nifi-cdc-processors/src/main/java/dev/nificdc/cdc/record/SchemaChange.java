package dev.nificdc.cdc.record;

import java.util.List;
import java.util.Objects;

/**
 * A DDL statement that names captured tables, for the optional schema-change output (in the spirit of Debezium's schema
 * change topic): the statement as the source logged it, where it was found, and each captured table it names with the
 * table's columns right after it, when those are known.
 *
 * @param type     what the statement does, e.g. {@code ALTER TABLE}
 * @param ddl      the statement
 * @param database the session's default database when it ran; null when none
 * @param tables   the captured tables it names, in the statement's order
 * @param source   where it was found (its {@code db} and {@code table}: the first table's)
 * @param tsMs     when it was captured, in epoch milliseconds
 */
public record SchemaChange(String type, String ddl, String database, List<TableChange> tables, SourceInfo source, long tsMs) {
    public SchemaChange {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(ddl, "ddl");
        Objects.requireNonNull(source, "source");
        tables = List.copyOf(tables);
    }

    /**
     * One table a schema change names.
     *
     * @param database   its database
     * @param table      its name
     * @param columns    its columns right after the statement, or null when they are not known (see the processor docs)
     * @param primaryKey its primary-key columns right after the statement, or null when not known
     */
    public record TableChange(String database, String table, List<Column> columns, List<String> primaryKey) {
        /** {@code db.table}. */
        public String id() {
            return database + "." + table;
        }
    }

    /**
     * A column of a table after a schema change.
     *
     * @param name     the column name
     * @param typeName the type as declared, e.g. {@code decimal(10,2) unsigned}
     * @param optional whether it accepts NULL
     */
    public record Column(String name, String typeName, boolean optional) {
    }
}
