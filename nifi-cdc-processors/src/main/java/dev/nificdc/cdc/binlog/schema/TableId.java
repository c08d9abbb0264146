package dev.nificdc.cdc.binlog.schema;

/**
 * A table a statement names.
 *
 * @param database its database; null when the statement does not qualify it and has no default database
 * @param name     the table name
 */
public record TableId(String database, String name) {
    @Override
    public String toString() {
        return database == null ? name : database + "." + name;
    }
}
