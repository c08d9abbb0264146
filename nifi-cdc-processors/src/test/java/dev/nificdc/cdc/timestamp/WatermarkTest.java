package dev.nificdc.cdc.timestamp;

import org.junit.jupiter.api.Test;

import java.sql.Types;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WatermarkTest {
    @Test
    void keepsEveryFractionalDigitThroughState() {
        LocalDateTime ts = LocalDateTime.of(2024, 3, 10, 2, 30, 0, 123_456_789);
        Map<String, String> state = Watermark.afterRow(ts, "42").toState(TimestampType.LOCAL_DATE_TIME, "t|ts|id");
        assertEquals("2024-03-10T02:30:00.123456789", state.get(Watermark.KEY_TIMESTAMP));
        assertEquals("42", state.get(Watermark.KEY_ID));
        assertEquals(Watermark.afterRow(ts, "42"), Watermark.fromState(state, TimestampType.LOCAL_DATE_TIME));

        LocalDateTime whole = LocalDateTime.of(2024, 1, 1, 0, 0);
        assertEquals("2024-01-01T00:00:00", TimestampType.LOCAL_DATE_TIME.format(whole));
        assertEquals(whole, TimestampType.LOCAL_DATE_TIME.parse("2024-01-01T00:00:00"));
    }

    @Test
    void keepsTheOffsetOfZonedValues() {
        OffsetDateTime ts = OffsetDateTime.of(2024, 3, 10, 2, 30, 0, 1_000, ZoneOffset.ofHoursMinutes(5, 45));
        Map<String, String> state = Watermark.afterTimestamp(ts).toState(TimestampType.OFFSET_DATE_TIME, "s");
        assertEquals("2024-03-10T02:30:00.000001+05:45", state.get(Watermark.KEY_TIMESTAMP));
        Watermark back = Watermark.fromState(state, TimestampType.OFFSET_DATE_TIME);
        assertEquals(ts, back.timestamp());
        assertNull(back.id());
        assertEquals(Watermark.Bound.AFTER_TIMESTAMP, back.bound());
    }

    @Test
    void emptyStateHasNoWatermarkAndABadOneSaysHowToRecover() {
        assertNull(Watermark.fromState(Map.of(), TimestampType.DATE));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Watermark.fromState(Map.of(Watermark.KEY_TIMESTAMP, "2024-01-01T00:00:00"), TimestampType.DATE));
        assertEquals(true, e.getMessage().contains("clear the processor's state"));
    }

    @Test
    void typesFromJdbcMetadataAndUserInput() {
        assertEquals(TimestampType.LOCAL_DATE_TIME, TimestampType.of(Types.TIMESTAMP, "DATETIME"));
        assertEquals(TimestampType.OFFSET_DATE_TIME, TimestampType.of(Types.TIMESTAMP, "timestamptz"));
        assertEquals(TimestampType.OFFSET_DATE_TIME, TimestampType.of(Types.TIMESTAMP_WITH_TIMEZONE, "TIMESTAMP WITH TIME ZONE"));
        assertEquals(TimestampType.DATE, TimestampType.of(Types.DATE, "date"));
        assertNull(TimestampType.of(Types.DATE, "YEAR"));
        assertNull(TimestampType.of(Types.VARCHAR, "varchar"));
        assertEquals(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 600_000),
                TimestampType.LOCAL_DATE_TIME.parseUserInput("2024-01-02 03:04:05.0006"));
        assertEquals(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC),
                TimestampType.OFFSET_DATE_TIME.parseUserInput("2024-01-02 03:04:05"));
        assertEquals(LocalDate.of(2024, 1, 1), TimestampType.DATE.minus(LocalDateTime.of(2024, 1, 2, 0, 0, 1), Duration.ofSeconds(5)));
    }
}
