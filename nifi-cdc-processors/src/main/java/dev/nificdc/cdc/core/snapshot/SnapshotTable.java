package dev.nificdc.cdc.core.snapshot;

import java.util.Objects;

/** A table the snapshot reads: database and table name as the server spells them. */
public record SnapshotTable(String database, String table) implements Comparable<SnapshotTable> {
    public SnapshotTable {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(table, "table");
    }

    /** {@code db.table}, the key used in the snapshot progress. */
    public String qualifiedName() {
        return database + "." + table;
    }

    /** {@code `db`.`table`} for SQL. */
    public String quoted() {
        return quote(database) + "." + quote(table);
    }

    public static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    @Override
    public int compareTo(SnapshotTable other) {
        int c = database.compareTo(other.database);
        return c != 0 ? c : table.compareTo(other.table);
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
