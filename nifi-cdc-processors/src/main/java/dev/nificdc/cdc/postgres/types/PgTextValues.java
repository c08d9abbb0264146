package dev.nificdc.cdc.postgres.types;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HexFormat;

/**
 * Parsers of PostgreSQL's text output (under {@link PgSessionSettings}) into canonical values. Each parser is strict:
 * text it does not recognise is an error naming the value, never a guess.
 */
final class PgTextValues {
    /** The canonical value of date {@code infinity}: one past every finite date (the latest is 5874897-12-31, epoch day 2145042905). */
    static final int DATE_INFINITY = Integer.MAX_VALUE;
    /** The canonical value of date {@code -infinity}: one before every finite date (the earliest is 4714-11-24 BC). */
    static final int DATE_MINUS_INFINITY = Integer.MIN_VALUE;

    private PgTextValues() {
    }

    static Boolean bool(String text) {
        return switch (text) {
            case "t" -> Boolean.TRUE;
            case "f" -> Boolean.FALSE;
            default -> throw unexpected("boolean", text);
        };
    }

    /** {@code bit(1)}: "1" or "0". */
    static Boolean bit(String text) {
        return switch (text) {
            case "1" -> Boolean.TRUE;
            case "0" -> Boolean.FALSE;
            default -> throw unexpected("bit(1)", text);
        };
    }

    /** bytea in hex output ({@code bytea_output=hex}): {@code \x0aff}. */
    static byte[] bytea(String text) {
        if (!text.startsWith("\\x")) {
            throw unexpected("bytea (hex output)", text);
        }
        return HexFormat.of().parseHex(text, 2, text.length());
    }

    /**
     * Days since 1970-01-01 of an ISO date ({@code 2024-02-29}, {@code 0044-03-15 BC}, {@code 5874897-12-31});
     * {@code infinity} and {@code -infinity} become {@link #DATE_INFINITY} and {@link #DATE_MINUS_INFINITY}.
     */
    static Integer date(String text) {
        switch (text) {
            case "infinity":
                return DATE_INFINITY;
            case "-infinity":
                return DATE_MINUS_INFINITY;
            default:
                break;
        }
        boolean bc = text.endsWith(" BC");
        String ymd = bc ? text.substring(0, text.length() - 3) : text;
        int dayDash = ymd.lastIndexOf('-');
        int monthDash = ymd.lastIndexOf('-', dayDash - 1);
        if (monthDash <= 0) {
            throw unexpected("date", text);
        }
        try {
            int year = Integer.parseInt(ymd, 0, monthDash, 10);
            int month = Integer.parseInt(ymd, monthDash + 1, dayDash, 10);
            int day = Integer.parseInt(ymd, dayDash + 1, ymd.length(), 10);
            // 1 BC is ISO year 0, 2 BC is -1: PostgreSQL's calendar is the proleptic Gregorian one, as java.time's.
            return Math.toIntExact(LocalDate.of(bc ? 1 - year : year, month, day).toEpochDay());
        } catch (RuntimeException e) {
            throw unexpected("date", text);
        }
    }

    /** Microseconds since midnight of a time of day, {@code 00:00:00} to {@code 24:00:00}, with up to 6 fraction digits. */
    static Long timeOfDay(String text) {
        if (text.length() < 8 || text.charAt(2) != ':' || text.charAt(5) != ':') {
            throw unexpected("time", text);
        }
        try {
            long hours = Integer.parseInt(text, 0, 2, 10);
            long minutes = Integer.parseInt(text, 3, 5, 10);
            long seconds = Integer.parseInt(text, 6, 8, 10);
            long micros = 0;
            if (text.length() > 8) {
                if (text.charAt(8) != '.' || text.length() > 15 || text.length() == 9) {
                    throw unexpected("time", text);
                }
                micros = Integer.parseInt(text, 9, text.length(), 10);
                for (int digits = text.length() - 9; digits < 6; digits++) {
                    micros *= 10;
                }
            }
            return ((hours * 60 + minutes) * 60 + seconds) * 1_000_000L + micros;
        } catch (NumberFormatException e) {
            throw unexpected("time", text);
        }
    }

    /**
     * money: PostgreSQL stores a 64-bit count of the currency's smallest unit and prints it with its lc_monetary's symbol,
     * separators and {@code scale} fraction digits ({@code $1,234.56}, {@code -$0.01}, {@code (1.234,56 €)}). The count is
     * the digits in order; the value is negative when the text holds a minus sign or parentheses.
     */
    static BigDecimal money(String text, int scale) {
        StringBuilder digits = new StringBuilder(21);
        boolean negative = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if (c == '-' || c == '(') {
                negative = true;
            }
        }
        if (digits.isEmpty()) {
            throw unexpected("money", text);
        }
        if (negative) {
            digits.insert(0, '-');
        }
        return BigDecimal.valueOf(Long.parseLong(digits.toString()), scale);
    }

    private static IllegalArgumentException unexpected(String type, String text) {
        return new IllegalArgumentException("Unexpected text output '" + text + "' for PostgreSQL type " + type
                + ": is the session using nifi-cdc's PostgreSQL settings (DateStyle=ISO, bytea_output=hex, ...)?");
    }
}
