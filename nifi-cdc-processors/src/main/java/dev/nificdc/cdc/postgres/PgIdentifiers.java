package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.snapshot.SnapshotTable;

/** PostgreSQL identifier quoting: {@code "name"}, with embedded quotes doubled. */
public final class PgIdentifiers {
    private PgIdentifiers() {
    }

    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** {@code "schema"."table"}. */
    public static String quote(SnapshotTable table) {
        return quote(table.database()) + "." + quote(table.table());
    }
}
