package dev.nificdc.cdc.postgres.types;

/**
 * The SQL that reads a column as the text its type's output function writes, which is what pgoutput sends.
 *
 * <p>Not {@code "col"::text}: a cast to text is the output function only for types without a cast of their own, and
 * several have one that prints differently: {@code boolean::text} is {@code true} where the output is {@code t},
 * {@code character(n)::text} drops the padding, {@code inet::text} always adds the netmask. {@code format('%s', v)}
 * calls the output function for every type; it makes NULL an empty string, hence the CASE.
 */
public final class PgTextOutput {
    private PgTextOutput() {
    }

    /** The select-list expression of {@code quotedColumn} (an already quoted identifier) as its output text, NULL kept. */
    public static String selectExpression(String quotedColumn) {
        return "CASE WHEN " + quotedColumn + " IS NULL THEN NULL ELSE pg_catalog.format('%s', " + quotedColumn + ") END";
    }
}
