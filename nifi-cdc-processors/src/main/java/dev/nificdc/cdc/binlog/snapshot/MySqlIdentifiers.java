package dev.nificdc.cdc.binlog.snapshot;

import dev.nificdc.cdc.core.snapshot.SnapshotTable;

/** MySQL/MariaDB identifier quoting for the snapshot's SQL: backticks, with a backtick in a name doubled. */
final class MySqlIdentifiers {
    private MySqlIdentifiers() {
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    /** {@code `db`.`table`}. */
    static String quote(SnapshotTable table) {
        return quote(table.database()) + "." + quote(table.table());
    }
}
