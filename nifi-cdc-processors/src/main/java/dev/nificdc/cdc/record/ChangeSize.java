package dev.nificdc.cdc.record;

import java.math.BigDecimal;

/**
 * A rough, generous estimate of the heap a change holds, so buffers can be bounded by bytes as well as by count: a
 * buffer of 10,000 changes is 15 MB with 1 KB rows but 300 MB with 30 KB rows. Strings count two bytes per character
 * (the JVM stores non-Latin-1 text that way).
 */
public final class ChangeSize {
    /** The budget of each byte-bounded buffer: the reader's queue, the changes of one FlowFile, a snapshot page. */
    public static final long BUFFER_BYTES = 32L << 20;
    /** The event, its source, offset and row arrays, beyond the values themselves. */
    private static final long PER_CHANGE = 256;
    private static final long PER_VALUE = 24;

    private ChangeSize() {
    }

    public static long of(ChangeEvent event) {
        return PER_CHANGE + of(event.before()) + of(event.after());
    }

    /** The statement text and the column lists of a schema change. */
    public static long of(SchemaChange change) {
        long bytes = PER_CHANGE + 40L + 2L * change.ddl().length();
        for (SchemaChange.TableChange table : change.tables()) {
            bytes += PER_VALUE * 4 + (table.columns() == null ? 0 : table.columns().size() * 3L * PER_VALUE * 4);
        }
        return bytes;
    }

    /** The estimated heap of one row array and its values; 0 for null. */
    public static long of(Object[] row) {
        if (row == null) {
            return 0;
        }
        long bytes = 16L + 8L * row.length;
        for (Object value : row) {
            bytes += switch (value) {
                case null -> 0;
                case String s -> 40L + 2L * s.length();
                case byte[] b -> 16L + b.length;
                case BigDecimal d -> 64L + d.unscaledValue().bitLength() / 8;
                default -> PER_VALUE;
            };
        }
        return bytes;
    }
}
