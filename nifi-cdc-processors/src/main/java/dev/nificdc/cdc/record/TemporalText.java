package dev.nificdc.cdc.record;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Temporal values as SQL literal text, for database sinks: {@code 2024-03-01 12:34:56.654321} (DATETIME; TIMESTAMP
 * in UTC) and {@code -838:59:59.000001} (TIME). A database parses these exactly, to the microsecond, whereas NiFi's
 * record conversion would read a microsecond number as milliseconds. The fraction is written only when non-zero.
 */
public final class TemporalText {
    private TemporalText() {
    }

    /** Whether {@code kind} is written as text in the flattened shape. */
    public static boolean isTextual(ValueKind kind) {
        return kind == ValueKind.LOCAL_TIMESTAMP_MICROS || kind == ValueKind.TIMESTAMP_MICROS || kind == ValueKind.TIME_MICROS;
    }

    /** The text of a canonical temporal value ({@link ValueKind} microseconds). */
    public static String format(ValueKind kind, long micros) {
        return switch (kind) {
            case LOCAL_TIMESTAMP_MICROS, TIMESTAMP_MICROS -> dateTime(micros);
            case TIME_MICROS -> duration(micros);
            default -> throw new IllegalArgumentException(kind + " is not written as text");
        };
    }

    private static String dateTime(long micros) {
        long seconds = Math.floorDiv(micros, 1_000_000L);
        int fraction = (int) Math.floorMod(micros, 1_000_000L);
        LocalDateTime time = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        String text = String.format("%04d-%02d-%02d %02d:%02d:%02d", time.getYear(), time.getMonthValue(), time.getDayOfMonth(),
                time.getHour(), time.getMinute(), time.getSecond());
        return fraction == 0 ? text : text + String.format(".%06d", fraction);
    }

    private static String duration(long micros) {
        long magnitude = Math.abs(micros);
        long seconds = magnitude / 1_000_000L;
        int fraction = (int) (magnitude % 1_000_000L);
        String text = String.format("%s%02d:%02d:%02d", micros < 0 ? "-" : "", seconds / 3600, (seconds / 60) % 60, seconds % 60);
        return fraction == 0 ? text : text + String.format(".%06d", fraction);
    }
}
