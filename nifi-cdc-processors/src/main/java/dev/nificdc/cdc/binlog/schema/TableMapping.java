package dev.nificdc.cdc.binlog.schema;

import dev.nificdc.cdc.binlog.convert.ValueConverter;
import dev.nificdc.cdc.record.TableSchema;

import java.io.Serializable;
import java.util.BitSet;

/**
 * A captured table as one TABLE_MAP event describes it: the {@link TableSchema} of the change records, which binlog
 * column feeds each schema column (excluded columns are left out) and how its raw value is converted.
 */
public final class TableMapping {
    private final TableSchema schema;
    private final int[] binlogColumn;
    private final ValueConverter[] converters;
    private final int binlogColumnCount;

    TableMapping(TableSchema schema, int[] binlogColumn, ValueConverter[] converters, int binlogColumnCount) {
        this.schema = schema;
        this.binlogColumnCount = binlogColumnCount;
        this.binlogColumn = binlogColumn;
        this.converters = converters;
    }

    public TableSchema schema() {
        return schema;
    }

    /**
     * Converts one row image. {@code raw} holds the values of the columns set in {@code includedColumns}, in order
     * (the library's layout); columns missing from the image (binlog_row_image other than FULL) become null.
     */
    public Object[] convertRow(Serializable[] raw, BitSet includedColumns) {
        Object[] row = new Object[binlogColumn.length];
        boolean fullImage = includedColumns.cardinality() == binlogColumnCount;
        for (int i = 0; i < binlogColumn.length; i++) {
            int column = binlogColumn[i];
            if (!includedColumns.get(column)) {
                continue;
            }
            int index = fullImage ? column : includedColumns.get(0, column).cardinality();
            Serializable value = index < raw.length ? raw[index] : null;
            if (value == null) {
                row[i] = zeroDateOfNotNullColumn(i);
            } else {
                try {
                    row[i] = converters[i].convert(value);
                } catch (RuntimeException e) {
                    throw new IllegalStateException("Column " + schema.qualifiedName() + "." + schema.columns().get(i).name()
                            + " (" + schema.columns().get(i).sourceType() + "): value of type "
                            + value.getClass().getSimpleName() + " could not be converted: " + e.getMessage(), e);
                }
            }
        }
        return row;
    }

    /**
     * The library returns null for MySQL's zero dates ({@code 0000-00-00}); in a NOT NULL column that null can only be
     * a zero date, and it becomes the epoch (day 0 / micros 0) as Debezium does, so non-null schemas stay valid.
     */
    private Object zeroDateOfNotNullColumn(int i) {
        var column = schema.columns().get(i);
        if (column.nullable()) {
            return null;
        }
        return switch (column.kind()) {
            case DATE -> 0;
            case LOCAL_TIMESTAMP_MICROS, TIMESTAMP_MICROS -> 0L;
            default -> null;
        };
    }
}
