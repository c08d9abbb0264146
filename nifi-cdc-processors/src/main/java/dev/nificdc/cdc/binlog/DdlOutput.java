package dev.nificdc.cdc.binlog;

/**
 * What capture makes of DDL statements besides following the tables' definitions.
 *
 * @param truncates     a TRUNCATE TABLE of a captured table becomes a change with op {@code t}
 * @param schemaChanges every DDL statement that names a captured table becomes a schema change
 */
public record DdlOutput(boolean truncates, boolean schemaChanges) {
    /** Truncates on, schema changes off. */
    public static final DdlOutput DEFAULT = new DdlOutput(true, false);
}
