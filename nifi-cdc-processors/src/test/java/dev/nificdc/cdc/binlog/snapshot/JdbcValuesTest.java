package dev.nificdc.cdc.binlog.snapshot;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class JdbcValuesTest {
    @Test
    void parsesTemporalTextWithoutAnyTimeZone() {
        assertEquals(-(838L * 3600 + 59 * 60 + 58) * 1_000_000L - 125_000L, JdbcValues.time("-838:59:58.125"));
        assertEquals(1_000_001L, JdbcValues.time("00:00:01.000001"));
        assertEquals(0L, JdbcValues.time("00:00:00"));
        assertEquals(19_782, JdbcValues.date("2024-02-29"));
        assertEquals(java.time.LocalDateTime.of(1969, 7, 20, 20, 17, 40).toEpochSecond(java.time.ZoneOffset.UTC) * 1_000_000L + 123_456,
                JdbcValues.dateTime("1969-07-20 20:17:40.123456"));
        assertEquals(1_500_000L, JdbcValues.dateTime("1970-01-01 00:00:01.5"));
        assertEquals(2_147_483_647_999_999L, JdbcValues.dateTime("2038-01-19 03:14:07.999999"));
        assertEquals(-1L, JdbcValues.dateTime("1969-12-31 23:59:59.999999"));
        assertNull(JdbcValues.date("0000-00-00"));
        assertNull(JdbcValues.dateTime("2024-00-10 00:00:00"));
    }
}
