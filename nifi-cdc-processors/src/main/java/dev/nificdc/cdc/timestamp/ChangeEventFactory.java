package dev.nificdc.cdc.timestamp;

import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;

import java.math.BigDecimal;
import java.time.temporal.Temporal;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Turns a fetched row into a {@link ChangeEvent}: op "d" when the soft-delete column is set, else "c" when the creation
 * timestamp equals the update timestamp and "u" when it does not, or "r" when no creation column is configured
 * (a polled row does not say whether it is new). {@code source.connector} is "jdbc" and {@code source.ts_ms} the
 * row's update timestamp.
 */
public final class ChangeEventFactory {
    private final ResolvedTable table;
    private final String sourceName;
    private final LongSupplier clock;

    public ChangeEventFactory(ResolvedTable table, String sourceName, LongSupplier clock) {
        this.table = table;
        this.sourceName = sourceName;
        this.clock = clock;
    }

    public ChangeEvent create(Object[] row, Temporal updated) {
        Operation op = operation(row);
        JdbcSourceInfo source = new JdbcSourceInfo(sourceName, table.timestampType().epochMillis(updated), "false",
                table.schema().database(), table.schema().table());
        return op == Operation.DELETE
                ? new ChangeEvent(op, table.schema(), row, null, source, clock.getAsLong(), null)
                : new ChangeEvent(op, table.schema(), null, row, source, clock.getAsLong(), null);
    }

    Operation operation(Object[] row) {
        if (table.softDeleteIndex() >= 0 && isTrue(row[table.softDeleteIndex()])) {
            return Operation.DELETE;
        }
        if (table.creationIndex() < 0) {
            return Operation.READ;
        }
        Object created = row[table.creationIndex()];
        return created != null && Objects.equals(created, row[table.timestampIndex()]) ? Operation.CREATE : Operation.UPDATE;
    }

    /** Whether a soft-delete flag value means "deleted": true, a non-zero number, or text such as Y, YES, T, TRUE, 1. */
    static boolean isTrue(Object value) {
        return switch (value) {
            case null -> false;
            case Boolean b -> b;
            case Integer i -> i != 0;
            case Long l -> l != 0;
            case BigDecimal d -> d.signum() != 0;
            case String s -> switch (s.trim().toUpperCase(Locale.ROOT)) {
                case "Y", "YES", "T", "TRUE", "1" -> true;
                default -> false;
            };
            case byte[] bytes -> bytes.length > 0 && bytes[0] != 0;
            default -> false;
        };
    }
}
