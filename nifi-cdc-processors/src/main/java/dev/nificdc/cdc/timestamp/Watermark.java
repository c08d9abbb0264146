package dev.nificdc.cdc.timestamp;

import java.time.temporal.Temporal;
import java.util.HashMap;
import java.util.Map;
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
 * The timestamp is kept as the exact java.time value and stored as ISO-8601 text; the id as its text form (converted
 * back to the id column's Java type when bound).
 */
public record Watermark(Bound bound, Temporal timestamp, String id) {
    public static final String KEY_TIMESTAMP = "timestamp";
    public static final String KEY_ID = "id";
    public static final String KEY_BOUND = "bound";
    public static final String KEY_SCOPE = "scope";

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

    /**
     * The state entries for this watermark.
     *
     * @param scope identifies what the watermark belongs to (table and columns), so a changed configuration is detected
     */
    public Map<String, String> toState(TimestampType type, String scope) {
        Map<String, String> state = new HashMap<>();
        state.put(KEY_TIMESTAMP, type.format(timestamp));
        state.put(KEY_BOUND, bound.name());
        state.put(KEY_SCOPE, scope);
        if (id != null) {
            state.put(KEY_ID, id);
        }
        return state;
    }

    /**
     * Reads a watermark from state.
     *
     * @return null when the state holds no watermark
     * @throws IllegalStateException when the state holds a watermark that cannot be parsed as the given type
     */
    public static Watermark fromState(Map<String, String> state, TimestampType type) {
        String ts = state.get(KEY_TIMESTAMP);
        if (ts == null) {
            return null;
        }
        Bound bound = Bound.valueOf(state.getOrDefault(KEY_BOUND, Bound.AFTER_TIMESTAMP.name()));
        try {
            return new Watermark(bound, type.parse(ts), state.get(KEY_ID));
        } catch (RuntimeException e) {
            throw new IllegalStateException("The stored watermark [" + ts + "] is not a " + type
                    + " value (did the Timestamp Column's type change?); clear the processor's state to start again from the Initial Position", e);
        }
    }

    public String describe(TimestampType type) {
        return switch (bound) {
            case AFTER_ROW -> "after (" + type.format(timestamp) + ", " + id + ")";
            case AFTER_TIMESTAMP -> "after " + type.format(timestamp);
            case FROM_TIMESTAMP -> "from " + type.format(timestamp);
        };
    }
}
