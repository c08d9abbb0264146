package dev.nificdc.cdc.record;

import java.util.Objects;

/**
 * One column of a captured table as the change record sees it.
 *
 * @param name       the column name as in the database (sanitised only when it becomes an Avro field name)
 * @param kind       how values are represented (see {@link ValueKind})
 * @param nullable   whether the column accepts NULL (nullable columns become {@code ["null", T]} unions)
 * @param precision  DECIMAL precision, else 0
 * @param scale      DECIMAL scale, else 0
 * @param sourceType the database type as declared, e.g. {@code "decimal(65,30)"} or {@code "int unsigned"}, for docs and schema props
 */
public record ColumnSchema(String name, ValueKind kind, boolean nullable, int precision, int scale, String sourceType) {
    public ColumnSchema {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        sourceType = sourceType == null ? "" : sourceType;
    }

    public static ColumnSchema of(String name, ValueKind kind, boolean nullable, String sourceType) {
        return new ColumnSchema(name, kind, nullable, 0, 0, sourceType);
    }

    public static ColumnSchema decimal(String name, int precision, int scale, boolean nullable, String sourceType) {
        return new ColumnSchema(name, ValueKind.DECIMAL, nullable, precision, scale, sourceType);
    }
}
