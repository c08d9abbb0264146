package dev.nificdc.cdc.binlog.convert;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Decoding of MySQL's binary temporal formats into the canonical numbers of
 * {@link dev.nificdc.cdc.record.ValueKind}, with no JVM time zone involved: wall-clock values (DATE, DATETIME) are
 * counted as if they were UTC, which is what {@code local-timestamp-micros} and Avro {@code date} mean.
 */
public final class MySqlTemporals {
    private static final long TIMEF_INT_OFS = 0x800000L;
    private static final long TIMEF_OFS = 0x800000000000L;
    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private MySqlTemporals() {
    }

    /**
     * Epoch milliseconds of a wall-clock date-time in the proleptic Gregorian calendar (MySQL's calendar, also
     * before 1582), or null for MySQL's zero dates (month or day 0).
     */
    public static Long wallClockMillis(int year, int month, int day, int hour, int minute, int second, int millis) {
        if (month == 0 || day == 0) {
            return null;
        }
        return LocalDateTime.of(year, month, day, hour, minute, second).toEpochSecond(ZoneOffset.UTC) * 1000L + millis;
    }

    /**
     * Signed microseconds of a TIME2 value (MySQL 5.6.4+ and MariaDB's default format).
     *
     * @param packed3 the 3 big-endian integer-part bytes as an unsigned number
     * @param frac    the fractional bytes as an unsigned big-endian number
     * @param fsp     the column's fractional second precision (0..6)
     */
    public static long time2Micros(long packed3, long frac, int fsp) {
        long packed;
        switch ((fsp + 1) / 2) {
            case 0 -> packed = (packed3 - TIMEF_INT_OFS) << 24;
            case 1 -> {
                long intPart = packed3 - TIMEF_INT_OFS;
                long f = frac;
                if (intPart < 0 && f != 0) {
                    intPart++;
                    f -= 0x100;
                }
                packed = (intPart << 24) + f * 10_000;
            }
            case 2 -> {
                long intPart = packed3 - TIMEF_INT_OFS;
                long f = frac;
                if (intPart < 0 && f != 0) {
                    intPart++;
                    f -= 0x10000;
                }
                packed = (intPart << 24) + f * 100;
            }
            default -> packed = ((packed3 << 24) | frac) - TIMEF_OFS;
        }
        boolean negative = packed < 0;
        long abs = Math.abs(packed);
        long hms = abs >> 24;
        long micros = abs % (1L << 24);
        long hour = (hms >> 12) % (1 << 10);
        long minute = (hms >> 6) % (1 << 6);
        long second = hms % (1 << 6);
        long total = ((hour * 60 + minute) * 60 + second) * 1_000_000L + micros;
        return negative ? -total : total;
    }

    /** Signed microseconds of an old-format TIME value (3-byte signed HHMMSS integer). */
    public static long oldTimeMicros(int signed24) {
        int abs = Math.abs(signed24);
        long total = ((abs / 10000) * 3600L + (abs / 100 % 100) * 60L + abs % 100) * 1_000_000L;
        return signed24 < 0 ? -total : total;
    }

    /** Days since 1970-01-01 of a DATE value given as epoch microseconds at midnight (UTC wall clock). */
    public static int epochDay(long epochMicros) {
        return Math.toIntExact(Math.floorDiv(epochMicros, MICROS_PER_DAY));
    }
}
