package dev.nificdc.cdc.binlog.convert;

/**
 * Turns one raw, non-null value as the binlog library decodes it into the canonical value of the column's
 * {@link dev.nificdc.cdc.record.ValueKind}.
 */
@FunctionalInterface
public interface ValueConverter {
    Object convert(Object raw);
}
