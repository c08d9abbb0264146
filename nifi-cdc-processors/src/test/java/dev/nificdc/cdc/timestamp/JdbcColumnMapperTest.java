package dev.nificdc.cdc.timestamp;

import dev.nificdc.cdc.record.ValueKind;
import org.junit.jupiter.api.Test;

import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JdbcColumnMapperTest {
    @Test
    void mapsJdbcTypesToValueKinds() {
        assertEquals(ValueKind.LOCAL_TIMESTAMP_MICROS, kind(Types.TIMESTAMP, "DATETIME", 26, 6, true));
        assertEquals(ValueKind.TIMESTAMP_MICROS, kind(Types.TIMESTAMP, "timestamptz", 35, 6, true));
        assertEquals(ValueKind.TIMESTAMP_MICROS, kind(Types.TIMESTAMP_WITH_TIMEZONE, "TIMESTAMP WITH TIME ZONE", 35, 6, true));
        assertEquals(ValueKind.DATE, kind(Types.DATE, "DATE", 10, 0, true));
        assertEquals(ValueKind.INT, kind(Types.DATE, "YEAR", 4, 0, true));
        assertEquals(ValueKind.DECIMAL, kind(Types.NUMERIC, "numeric", 12, 4, true));
        assertEquals(ValueKind.STRING, kind(Types.NUMERIC, "numeric", 0, 0, true));
        assertEquals(ValueKind.INT, kind(Types.INTEGER, "INTEGER", 10, 0, true));
        assertEquals(ValueKind.LONG, kind(Types.INTEGER, "INTEGER UNSIGNED", 10, 0, false));
        assertEquals(ValueKind.DECIMAL, kind(Types.BIGINT, "BIGINT UNSIGNED", 20, 0, false));
        assertEquals(ValueKind.LONG, kind(Types.BIGINT, "bigserial", 19, 0, true));
        assertEquals(ValueKind.BOOLEAN, kind(Types.BIT, "bool", 1, 0, true));
        assertEquals(ValueKind.BYTES, kind(Types.BIT, "BIT", 8, 0, true));
        assertEquals(ValueKind.FLOAT, kind(Types.REAL, "float4", 8, 0, true));
        assertEquals(ValueKind.DOUBLE, kind(Types.DOUBLE, "float8", 17, 0, true));
        assertEquals(ValueKind.TIME_MICROS, kind(Types.TIME, "TIME", 10, 0, true));
        assertEquals(ValueKind.BYTES, kind(Types.VARBINARY, "bytea", 0, 0, true));
        assertEquals(ValueKind.STRING, kind(Types.OTHER, "jsonb", 0, 0, true));
    }

    @Test
    void parsesSignedTimeDurationsBeyondOneDay() {
        assertEquals(-((838L * 3600 + 59 * 60 + 59) * 1_000_000 + 999_999), JdbcColumnMapper.parseTimeMicros("-838:59:59.999999"));
        assertEquals((10L * 3600 + 15 * 60 + 30) * 1_000_000 + 120_000, JdbcColumnMapper.parseTimeMicros("10:15:30.12"));
        assertEquals(0, JdbcColumnMapper.parseTimeMicros("00:00:00"));
        assertEquals(3_600_000_000L, JdbcColumnMapper.parseTimeMicros("01:00:00+02"));
    }

    @Test
    void timestampColumnValuesBecomeTheCanonicalValuesOfTheirKind() {
        assertEquals(1_000_001L, JdbcColumnMapper.canonical(LocalDateTime.of(1970, 1, 1, 0, 0, 1, 1_000)));
        assertEquals(-1L, JdbcColumnMapper.canonical(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000)));
        assertEquals(3_600_000_000L, JdbcColumnMapper.canonical(OffsetDateTime.of(1970, 1, 1, 3, 0, 0, 0, ZoneOffset.ofHours(2))));
        assertEquals(10, JdbcColumnMapper.canonical(LocalDate.of(1970, 1, 11)));
        assertEquals(null, JdbcColumnMapper.canonical(null));
    }

    private static ValueKind kind(int type, String name, int precision, int scale, boolean signed) {
        return JdbcColumnMapper.map("c", type, name, precision, scale, signed, true, SqlDialect.GENERIC).schema().kind();
    }
}
