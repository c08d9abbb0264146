package dev.nificdc.cdc.timestamp;

import java.time.temporal.Temporal;
import java.util.Objects;

/**
 * How far the table has been read: every row ordered at or before this position has been delivered.
 * <ul>
 *   <li>{@link Bound#AFTER_ROW}: delivered every row with {@code (ts, id) <= (timestamp, id)}; the next read asks for
 *       {@code ts > :ts OR (ts = :ts AND id > :id)}.</li>
 *   <li>{@link Bound#AFTER_TIMESTAMP}: delivered every row with {@code ts <= timestamp} (the whole tie group);
 *       the next read asks for {@code ts > :ts}.</li>
 *   <li>{@link Bound#FROM_TIMESTAMP}: an initial position; nothing at {@code timestamp} delivered yet;
 *       the next read asks for {@code ts >= :ts}.</li>
 * </ul>
 * The timestamp is kept as the exact java.time value and stored as ISO-8601 text ({@link WatermarkState}); the id as
 * its text form (converted back to the id column's Java type when bound).
 */
public record Watermark(Bound bound, Temporal timestamp, String id) {
    public enum Bound { AFTER_ROW, AFTER_TIMESTAMP, FROM_TIMESTAMP }

    public Watermark {
        Objects.requireNonNull(bound, "bound");
        Objects.requireNonNull(timestamp, "timestamp");
        if (bound == Bound.AFTER_ROW && id == null) {
            throw new IllegalArgumentException("An AFTER_ROW watermark needs an id");
        }
        if (bound != Bound.AFTER_ROW) {
            id = null;
        }
    }

    public static Watermark afterRow(Temporal timestamp, String id) {
        return new Watermark(Bound.AFTER_ROW, timestamp, id);
    }

    public static Watermark afterTimestamp(Temporal timestamp) {
        return new Watermark(Bound.AFTER_TIMESTAMP, timestamp, null);
    }

    public static Watermark fromTimestamp(Temporal timestamp) {
        return new Watermark(Bound.FROM_TIMESTAMP, timestamp, null);
    }

    public String describe(TimestampType type) {
        return switch (bound) {
            case AFTER_ROW -> "after (" + type.format(timestamp) + ", " + id + ")";
            case AFTER_TIMESTAMP -> "after " + type.format(timestamp);
            case FROM_TIMESTAMP -> "from " + type.format(timestamp);
        };
    }
}
