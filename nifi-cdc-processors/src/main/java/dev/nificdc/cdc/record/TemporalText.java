package dev.nificdc.cdc.record;

import java.nio.charset.StandardCharsets;
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
        int year = time.getYear();
        if (year < 0 || year > 9999) {
            String text = String.format("%04d-%02d-%02d %02d:%02d:%02d", year, time.getMonthValue(), time.getDayOfMonth(),
                    time.getHour(), time.getMinute(), time.getSecond());
            return fraction == 0 ? text : text + String.format(".%06d", fraction);
        }
        // One row can hold several date-times and a capture writes millions of rows: no Formatter, no StringBuilder.
        byte[] text = new byte[fraction == 0 ? 19 : 26];
        digits(text, 0, year, 4);
        text[4] = '-';
        digits(text, 5, time.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, time.getDayOfMonth(), 2);
        text[10] = ' ';
        digits(text, 11, time.getHour(), 2);
        text[13] = ':';
        digits(text, 14, time.getMinute(), 2);
        text[16] = ':';
        digits(text, 17, time.getSecond(), 2);
        if (fraction != 0) {
            text[19] = '.';
            digits(text, 20, fraction, 6);
        }
        return new String(text, StandardCharsets.ISO_8859_1);
    }

    private static String duration(long micros) {
        long magnitude = Math.abs(micros);
        long seconds = magnitude / 1_000_000L;
        int fraction = (int) (magnitude % 1_000_000L);
        StringBuilder text = new StringBuilder(18);
        if (micros < 0) {
            text.append('-');
        }
        long hours = seconds / 3600;
        if (hours < 10) {
            text.append('0');
        }
        text.append(hours).append(':');
        digits(text, (int) ((seconds / 60) % 60), 2).append(':');
        digits(text, (int) (seconds % 60), 2);
        if (fraction != 0) {
            digits(text.append('.'), fraction, 6);
        }
        return text.toString();
    }

    /** Writes a non-negative {@code value} below 10^width as {@code width} ASCII digits at {@code offset}. */
    private static void digits(byte[] text, int offset, int value, int width) {
        for (int i = offset + width - 1; i >= offset; i--) {
            text[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /** Appends a non-negative {@code value} zero-padded to {@code width} digits. */
    private static StringBuilder digits(StringBuilder text, int value, int width) {
        for (int limit = 10, i = 1; i < width; i++, limit *= 10) {
            if (value < limit) {
                text.append('0');
            }
        }
        return text.append(value);
    }
}
