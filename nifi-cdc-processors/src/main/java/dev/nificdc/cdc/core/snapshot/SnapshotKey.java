package dev.nificdc.cdc.core.snapshot;

import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.TableSchema;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The primary-key value of a row of a {@link ReadView#pageable pageable} table (integer and DECIMAL columns),
 * as exact decimals, ordered column by column as the database orders them.
 */
public record SnapshotKey(List<BigDecimal> values) implements Comparable<SnapshotKey> {
    public SnapshotKey {
        values = List.copyOf(values);
    }

    /** The key of a row of {@code schema}; null when a key column is missing or not numeric. */
    public static SnapshotKey of(TableSchema schema, Object[] row) {
        if (row == null || schema.primaryKey().isEmpty()) {
            return null;
        }
        List<BigDecimal> values = new ArrayList<>();
        for (String column : schema.primaryKey()) {
            int i = schema.indexOf(column);
            if (i < 0 || i >= row.length) {
                return null;
            }
            Object value = row[i];
            if (value instanceof BigDecimal d) {
                values.add(d);
            } else if (value instanceof Integer || value instanceof Long) {
                values.add(BigDecimal.valueOf(((Number) value).longValue()));
            } else {
                return null;
            }
        }
        return new SnapshotKey(values);
    }

    /** The key of the row a change is about (the after image, or the before image of a delete). */
    public static SnapshotKey of(ChangeEvent change) {
        return of(change.schema(), change.after() != null ? change.after() : change.before());
    }

    /** Comma-separated plain decimals, for the state. */
    public String encode() {
        return values.stream().map(BigDecimal::toPlainString).collect(Collectors.joining(","));
    }

    public static SnapshotKey decode(String text) {
        return new SnapshotKey(Arrays.stream(text.split(",")).map(BigDecimal::new).toList());
    }

    @Override
    public int compareTo(SnapshotKey other) {
        for (int i = 0; i < Math.min(values.size(), other.values.size()); i++) {
            int c = values.get(i).compareTo(other.values.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(values.size(), other.values.size());
    }

    @Override
    public String toString() {
        return "(" + encode() + ")";
    }
}
