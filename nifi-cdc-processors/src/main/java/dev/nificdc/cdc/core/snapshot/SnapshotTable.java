package dev.nificdc.cdc.core.snapshot;

import java.util.Objects;

/**
 * A table the snapshot reads: its database (the schema, for sources whose tables live in schemas) and name as the server
 * spells them. How they are quoted in SQL is the source's business.
 */
public record SnapshotTable(String database, String table) implements Comparable<SnapshotTable> {
    public SnapshotTable {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(table, "table");
    }

    /** {@code db.table}, the key used in the snapshot progress. */
    public String qualifiedName() {
        return database + "." + table;
    }

    /** The table {@link #qualifiedName()} names (the database ends at the first dot). */
    public static SnapshotTable parse(String qualifiedName) {
        int dot = qualifiedName.indexOf('.');
        if (dot < 0) {
            throw new IllegalArgumentException("Not a qualified table name: " + qualifiedName);
        }
        return new SnapshotTable(qualifiedName.substring(0, dot), qualifiedName.substring(dot + 1));
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
