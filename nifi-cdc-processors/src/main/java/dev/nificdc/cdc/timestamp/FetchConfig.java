package dev.nificdc.cdc.timestamp;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What to fetch and how: the immutable configuration of a {@link TimestampFetcher}.
 *
 * @param table              the table, optionally schema-qualified
 * @param timestampColumn    the update-timestamp column
 * @param idColumn           the incrementing (unique per timestamp) column, or null for timestamp-only mode
 * @param creationColumn     the creation-timestamp column (op "c" when it equals the update timestamp, else "u"), or null
 * @param softDeleteColumn   a boolean-like column marking deleted rows (op "d"), or null
 * @param additionalWhere    an extra SQL condition ANDed to the query, or null
 * @param columns            the columns to return, empty for all; the timestamp, id, creation and soft-delete columns are always returned
 * @param commitLag          how far behind the database clock the upper bound stays
 * @param waitForOpenTransactions whether the upper bound also stays before the start of the oldest open write
 *                           transaction (see {@link OpenTransactions}); without it the Commit Lag alone bounds a run
 * @param fetchSize          JDBC fetch size hint (0 = driver default)
 * @param pageSize           rows per query in timestamp+incrementing mode
 * @param maxRowsPerRun      rows per run, 0 for no limit
 * @param dialect            the SQL dialect, or null to detect it from the connection
 * @param sourceName         the logical source name written to the change events' {@code source.name}
 */
public record FetchConfig(TableName table, String timestampColumn, String idColumn, String creationColumn,
                          String softDeleteColumn, String additionalWhere, List<String> columns, Duration commitLag,
                          boolean waitForOpenTransactions, int fetchSize, int pageSize, long maxRowsPerRun, SqlDialect dialect, String sourceName) {
    public FetchConfig {
        Objects.requireNonNull(table, "table");
        Identifiers.requireValid(timestampColumn, "Timestamp Column");
        if (idColumn != null) {
            Identifiers.requireValid(idColumn, "Incrementing Column");
        }
        if (creationColumn != null) {
            Identifiers.requireValid(creationColumn, "Creation Timestamp Column");
        }
        if (softDeleteColumn != null) {
            Identifiers.requireValid(softDeleteColumn, "Soft Delete Column");
        }
        columns = List.copyOf(columns);
        columns.forEach(c -> Identifiers.requireValid(c, "Columns to Return"));
        additionalWhere = additionalWhere == null || additionalWhere.isBlank() ? null : additionalWhere.trim();
        Objects.requireNonNull(commitLag, "commitLag");
        if (commitLag.isNegative()) {
            throw new IllegalArgumentException("Commit Lag must not be negative");
        }
        if (pageSize < 1) {
            throw new IllegalArgumentException("Page size must be at least 1");
        }
        if (maxRowsPerRun < 0) {
            throw new IllegalArgumentException("Max Rows Per Run must not be negative");
        }
        sourceName = sourceName == null ? "" : sourceName;
    }

    /** The ordering columns, {@code timestamp|id}: a stored watermark applies only to the same ones. */
    public String ordering() {
        return timestampColumn + "|" + (idColumn == null ? "" : idColumn);
    }
}
