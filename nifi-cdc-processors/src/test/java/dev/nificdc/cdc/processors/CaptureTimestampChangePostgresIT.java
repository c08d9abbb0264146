package dev.nificdc.cdc.processors;

import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** CaptureTimestampChange against a private PostgreSQL, with the BEFORE UPDATE trigger recipe. */
class CaptureTimestampChangePostgresIT extends CaptureTimestampChangeITSupport {
    @RegisterExtension
    static final PostgresTimestampDatabase DATABASE = new PostgresTimestampDatabase();

    @Override
    TimestampTestDatabase database() {
        return DATABASE;
    }

    @Test
    void jvmAndSessionTimeZonesDoNotShiftValuesOrWatermarks() {
        TimeZone original = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
        try {
            String table = newTable("tz");
            sql("CREATE TABLE " + quote(table) + " (id BIGINT PRIMARY KEY, name VARCHAR(20), updated_at timestamp(6) NOT NULL, changed_at timestamptz(6) NOT NULL)",
                    "INSERT INTO " + quote(table) + " VALUES (1, 'gap', '2024-03-10 02:30:00.123456', '2024-03-10 02:30:00.123456+00'), "
                            + "(2, 'fold', '2024-11-03 01:30:00.654321', '2024-11-03 01:30:00.654321-04')");
            Instant gap = Instant.parse("2024-03-10T02:30:00.123456Z");
            Instant fold = Instant.parse("2024-11-03T05:30:00.654321Z");

            TestRunner local = runner(table, setSessionZone());
            List<GenericRecord> records = runOnce(local);
            assertEquals(List.of(micros(LocalDateTime.parse("2024-03-10T02:30:00.123456")), micros(LocalDateTime.parse("2024-11-03T01:30:00.654321"))),
                    records.stream().map(r -> micros(r, "updated_at")).toList());
            assertEquals(List.of(ChronoUnit.MICROS.between(Instant.EPOCH, gap), ChronoUnit.MICROS.between(Instant.EPOCH, fold)),
                    records.stream().map(r -> micros(r, "changed_at")).toList());
            assertEquals("2024-11-03T01:30:00.654321", watermark(local, table, "timestamp"));

            TestRunner zoned = runner(table, setSessionZone());
            zoned.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "changed_at");
            assertEquals(2, runOnce(zoned).size());
            assertEquals(fold, OffsetDateTime.parse(watermark(zoned, table, "timestamp")).toInstant(), "the zoned watermark is the exact instant");

            sql("INSERT INTO " + quote(table) + " VALUES (3, 'tie', '2024-11-03 01:30:00.654321', '2024-11-03 05:30:00.654321+00'), "
                    + "(0, 'behind', '2024-11-03 01:30:00.654321', '2024-11-03 07:30:00.654321+02')");
            TestRunner restarted = restart(zoned, table, Map.<PropertyDescriptor, String>of(TimestampCaptureProperties.TIMESTAMP_COLUMN, "changed_at"));
            assertEquals(List.of("tie"), runOnce(restarted).stream().map(r -> string(r, "name")).toList(),
                    "the same instant written with another offset is the same tie; only the higher id is new");

            String gapTable = newTable("gap");
            sql("CREATE TABLE " + quote(gapTable) + " (id BIGINT PRIMARY KEY, name VARCHAR(20), updated_at timestamp(6) NOT NULL)",
                    "INSERT INTO " + quote(gapTable) + " VALUES (1, 'gap', '2024-03-10 02:30:00.123456')");
            TestRunner gapRunner = runner(gapTable, setSessionZone());
            assertEquals(1, runOnce(gapRunner).size());
            assertEquals("2024-03-10T02:30:00.123456", watermark(gapRunner, gapTable, "timestamp"));
            sql("INSERT INTO " + quote(gapTable) + " VALUES (2, 'gap-tie', '2024-03-10 02:30:00.123456'), (0, 'gap-behind', '2024-03-10 02:30:00.123456')");
            assertEquals(List.of("gap-tie"), runOnce(gapRunner).stream().map(r -> string(r, "name")).toList(),
                    "a watermark inside the JVM zone's daylight-saving gap is bound unchanged");
        } finally {
            TimeZone.setDefault(original);
        }
    }
}
