package dev.nificdc.cdc.record;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TemporalTextTest {
    private static long micros(String isoLocal) {
        return ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), LocalDateTime.parse(isoLocal));
    }

    @Test
    void dateTimesKeepMicrosecondsAndOmitAZeroFraction() {
        assertEquals("2024-03-10 02:30:00.000001", TemporalText.format(ValueKind.LOCAL_TIMESTAMP_MICROS, micros("2024-03-10T02:30:00.000001")));
        assertEquals("1999-12-31 23:59:59", TemporalText.format(ValueKind.LOCAL_TIMESTAMP_MICROS, micros("1999-12-31T23:59:59")));
        assertEquals("1000-01-01 00:00:00.500000", TemporalText.format(ValueKind.LOCAL_TIMESTAMP_MICROS, micros("1000-01-01T00:00:00.5")));
        assertEquals("1969-12-31 23:59:59.999999", TemporalText.format(ValueKind.TIMESTAMP_MICROS, -1));
        assertEquals("2038-01-19 03:14:07.999999", TemporalText.format(ValueKind.TIMESTAMP_MICROS,
                LocalDateTime.of(2038, 1, 19, 3, 14, 7, 999_999_000).toEpochSecond(ZoneOffset.UTC) * 1_000_000 + 999_999));
        assertEquals("0099-01-02 03:04:05.000060", TemporalText.format(ValueKind.LOCAL_TIMESTAMP_MICROS, micros("0099-01-02T03:04:05.00006")));
        assertEquals("9999-12-31 23:59:59.100000", TemporalText.format(ValueKind.LOCAL_TIMESTAMP_MICROS, micros("9999-12-31T23:59:59.1")));
    }

    @Test
    void timesAreSignedDurationsBeyondADay() {
        assertEquals("-838:59:59.999999", TemporalText.format(ValueKind.TIME_MICROS, -((838L * 3600 + 59 * 60 + 59) * 1_000_000 + 999_999)));
        assertEquals("12:00:00", TemporalText.format(ValueKind.TIME_MICROS, 12L * 3600 * 1_000_000));
        assertEquals("-00:00:00.500000", TemporalText.format(ValueKind.TIME_MICROS, -500_000));
        assertEquals("05:06:07.000008", TemporalText.format(ValueKind.TIME_MICROS, ((5L * 3600 + 6 * 60 + 7) * 1_000_000 + 8)));
        assertEquals("100:00:00", TemporalText.format(ValueKind.TIME_MICROS, 100L * 3600 * 1_000_000));
    }
}
