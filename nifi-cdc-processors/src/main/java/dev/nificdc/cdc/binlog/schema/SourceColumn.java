package dev.nificdc.cdc.binlog.schema;

/**
 * A column as {@code information_schema.COLUMNS} describes it; used when TABLE_MAP events carry no column metadata.
 *
 * @param name            column name
 * @param columnType      the declared type, e.g. {@code int(10) unsigned} or {@code enum('a','b')}
 * @param charsetName     MySQL charset name of a text column ({@code utf8mb4}, {@code latin1}, ...), null otherwise
 * @param primaryKeyOrder 1-based position in the primary key, 0 when not part of it
 */
public record SourceColumn(String name, String columnType, String charsetName, int primaryKeyOrder) {
}
