package dev.nificdc.cdc.timestamp;

import org.junit.jupiter.api.Test;

import java.sql.Types;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatermarkStateTest {
    private static final TableName ORDERS = TableName.parse("shop.orders");

    @Test
    void eachTableKeepsItsOwnWatermarkWithEveryFractionalDigit() {
        WatermarkState state = new WatermarkState(Map.of());
        LocalDateTime ts = LocalDateTime.of(2024, 3, 10, 2, 30, 0, 123_456_789);
        state.put("shop.orders", ORDERS, "updated_at|id", Watermark.afterRow(ts, "42"), TimestampType.LOCAL_DATE_TIME);
        OffsetDateTime zoned = OffsetDateTime.of(2024, 3, 10, 2, 30, 0, 1_000, ZoneOffset.ofHoursMinutes(5, 45));
        state.put("shop.\"odd.name\"", TableName.parse("shop.\"odd.name\""), "changed|", Watermark.afterTimestamp(zoned), TimestampType.OFFSET_DATE_TIME);
        state.setSequence(7);

        Map<String, String> stored = state.toMap();
        assertEquals(Map.of("sequence.id", "7",
                "watermark.shop.orders.timestamp", "2024-03-10T02:30:00.123456789",
                "watermark.shop.orders.bound", "AFTER_ROW",
                "watermark.shop.orders.id", "42",
                "watermark.shop.orders.columns", "updated_at|id",
                "watermark.shop.\"odd.name\".timestamp", "2024-03-10T02:30:00.000001+05:45",
                "watermark.shop.\"odd.name\".bound", "AFTER_TIMESTAMP",
                "watermark.shop.\"odd.name\".columns", "changed|"), stored);

        WatermarkState back = new WatermarkState(stored);
        assertEquals(Watermark.afterRow(ts, "42"), back.watermark("shop.orders", ORDERS, "updated_at|id", TimestampType.LOCAL_DATE_TIME).watermark());
        Watermark zonedBack = back.watermark("shop.\"odd.name\"", ORDERS, "changed|", TimestampType.OFFSET_DATE_TIME).watermark();
        assertEquals(zoned, zonedBack.timestamp());
        assertNull(zonedBack.id());
        assertEquals(7, back.sequence());
        assertNull(back.watermark("shop.customers", TableName.parse("shop.customers"), "updated_at|id", TimestampType.LOCAL_DATE_TIME).watermark());
    }

    @Test
    void anIntentIsStoredBeforeTheCommitAndGoneOnceTheTablesWatermarkIsStored() {
        WatermarkState state = new WatermarkState(Map.of());
        LocalDateTime start = LocalDateTime.of(2024, 3, 10, 2, 0);
        state.put("shop.orders", ORDERS, "updated_at|id", Watermark.afterRow(start, "7"), TimestampType.LOCAL_DATE_TIME);
        state.setSequence(3);
        Watermark end = Watermark.afterRow(LocalDateTime.of(2024, 3, 10, 2, 30, 0, 123_456_000), "42");
        LocalDateTime upper = LocalDateTime.of(2024, 3, 10, 2, 31, 5, 1_000);
        Map<String, String> intent = state.withIntent("shop.orders", new WatermarkState.Intent(end, upper, 9), TimestampType.LOCAL_DATE_TIME);

        WatermarkState stored = new WatermarkState(intent);
        assertEquals(new WatermarkState.Intent(end, upper, 9), stored.intent("shop.orders", TimestampType.LOCAL_DATE_TIME));
        assertEquals(Watermark.afterRow(start, "7"), stored.watermark("shop.orders", ORDERS, "updated_at|id", TimestampType.LOCAL_DATE_TIME).watermark(),
                "the intent keeps the watermark the run started from");
        assertEquals(3, stored.sequence());
        assertNull(stored.intent("shop.customers", TimestampType.LOCAL_DATE_TIME));
        assertNull(state.intent("shop.orders", TimestampType.LOCAL_DATE_TIME), "withIntent leaves the state itself alone");

        stored.put("shop.orders", ORDERS, "updated_at|id", end, TimestampType.LOCAL_DATE_TIME);
        assertNull(stored.intent("shop.orders", TimestampType.LOCAL_DATE_TIME));
        assertFalse(stored.toMap().keySet().stream().anyMatch(k -> k.startsWith("intent.")), stored.toMap().toString());
    }

    @Test
    void aWatermarkOfOtherOrderingColumnsIsIgnoredAndReplaced() {
        WatermarkState state = new WatermarkState(Map.of());
        state.put("shop.orders", ORDERS, "updated_at|id", Watermark.afterRow(LocalDateTime.of(2024, 1, 1, 0, 0), "1"), TimestampType.LOCAL_DATE_TIME);
        WatermarkState.Stored stored = state.watermark("shop.orders", ORDERS, "updated_at|", TimestampType.LOCAL_DATE_TIME);
        assertNull(stored.watermark());
        assertEquals("updated_at|id", stored.otherColumns());
        state.put("shop.orders", ORDERS, "updated_at|", null, TimestampType.LOCAL_DATE_TIME);
        assertEquals(Map.of(), state.toMap(), "starting from the beginning again leaves no stale watermark");
    }

    @Test
    void theSingleTableStateOfEarlierVersionsIsTakenOverByItsTable() {
        Map<String, String> old = Map.of("timestamp", "2024-01-01T00:00:00.000001", "bound", "AFTER_ROW", "id", "250",
                "scope", "shop.orders|updated_at|id", "sequence", "12");
        WatermarkState state = new WatermarkState(old);
        assertEquals(12, state.sequence(), "the sequence moves to sequence.id, the key CaptureBinlogChange uses");
        assertNull(state.watermark("shop.customers", TableName.parse("shop.customers"), "updated_at|id", TimestampType.LOCAL_DATE_TIME).watermark(),
                "another table does not take it");
        WatermarkState.Stored otherColumns = state.watermark("shop.orders", ORDERS, "updated_at|", TimestampType.LOCAL_DATE_TIME);
        assertNull(otherColumns.watermark());
        assertEquals("updated_at|id", otherColumns.otherColumns());

        Watermark taken = state.watermark("shop.orders", ORDERS, "updated_at|id", TimestampType.LOCAL_DATE_TIME).watermark();
        assertEquals(Watermark.afterRow(LocalDateTime.of(2024, 1, 1, 0, 0, 0, 1_000), "250"), taken);

        state.put("shop.orders", ORDERS, "updated_at|id", Watermark.afterRow(LocalDateTime.of(2024, 1, 2, 0, 0), "251"), TimestampType.LOCAL_DATE_TIME);
        state.setSequence(13);
        Map<String, String> stored = state.toMap();
        assertEquals("2024-01-02T00:00:00", stored.get("watermark.shop.orders.timestamp"));
        assertEquals("13", stored.get("sequence.id"));
        for (String oldKey : old.keySet()) {
            assertFalse(stored.containsKey(oldKey), oldKey + " is gone once the table stored its own watermark");
        }
    }

    @Test
    void anOldWatermarkIsFoundUnderTheTableNameItWasConfiguredWith() {
        WatermarkState state = new WatermarkState(Map.of("timestamp", "2024-01-01T00:00:00", "bound", "AFTER_TIMESTAMP", "scope", "orders|ts|"));
        assertNull(state.watermark("shop.orders", ORDERS, "ts|", TimestampType.LOCAL_DATE_TIME).watermark(),
                "configured as orders then, as shop.orders now: not the same entry");
        assertEquals(Watermark.afterTimestamp(LocalDateTime.of(2024, 1, 1, 0, 0)),
                state.watermark("shop.orders", TableName.parse("orders"), "ts|", TimestampType.LOCAL_DATE_TIME).watermark());
    }

    @Test
    void aBadStoredValueSaysHowToRecover() {
        WatermarkState state = new WatermarkState(Map.of("watermark.t.timestamp", "2024-01-01T00:00:00", "watermark.t.columns", "d|"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> state.watermark("t", TableName.parse("t"), "d|", TimestampType.DATE));
        assertTrue(e.getMessage().contains("clear the processor's state"), e.getMessage());
        Map<String, String> withBoth = new HashMap<>(Map.of("sequence", "3", "sequence.id", "5"));
        assertEquals(5, new WatermarkState(withBoth).sequence(), "sequence.id wins over the old key");
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
