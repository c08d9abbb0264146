package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.timestamp.FetchConfig;
import dev.nificdc.cdc.timestamp.ResolvedTable;
import dev.nificdc.cdc.timestamp.TableInspector;
import dev.nificdc.cdc.timestamp.TableName;
import dev.nificdc.cdc.timestamp.TimestampFetcher;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** CaptureTimestampChange against a private MariaDB 10.11, with the MySQL ON UPDATE CURRENT_TIMESTAMP(6) recipe. */
class CaptureTimestampChangeMariaDbIT extends CaptureTimestampChangeITSupport {
    @RegisterExtension
    static final MariaDbTimestampDatabase DATABASE = new MariaDbTimestampDatabase();

    @Override
    TimestampTestDatabase database() {
        return DATABASE;
    }

    @Test
    void jvmAndSessionTimeZonesDoNotShiftValuesOrWatermarks() throws Exception {
        TimeZone original = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
        try {
            String table = newTable("tz");
            sql("CREATE TABLE " + quote(table) + " (id BIGINT PRIMARY KEY, name VARCHAR(20), updated_at DATETIME(6) NOT NULL, changed_at TIMESTAMP(6) NULL)",
                    "SET time_zone = '+05:45'",
                    "INSERT INTO " + quote(table) + " VALUES (1, 'gap', '2024-03-10 02:30:00.123456', '2024-03-10 08:15:00.123456'), "
                            + "(2, 'fold', '2024-11-03 01:30:00.654321', '2024-11-03 07:15:00.654321')");
            TestRunner runner = runner(table, setSessionZone());
            List<GenericRecord> records = runOnce(runner);
            // 02:30 on 2024-03-10 does not exist in New York, 01:30 on 2024-11-03 exists twice: a JVM zone would shift them
            assertEquals(List.of(micros(LocalDateTime.parse("2024-03-10T02:30:00.123456")), micros(LocalDateTime.parse("2024-11-03T01:30:00.654321"))),
                    records.stream().map(r -> micros(r, "updated_at")).toList());
            assertEquals(List.of(micros(LocalDateTime.parse("2024-03-10T02:30:00.123456")), micros(LocalDateTime.parse("2024-11-03T01:30:00.654321"))),
                    records.stream().map(r -> micros(r, "changed_at")).toList(), "TIMESTAMP columns are UTC instants, whatever the session zone");
            assertEquals("2024-11-03T01:30:00.654321", watermark(runner, table, "timestamp"));
            assertEquals("2", watermark(runner, table, "id"));

            sql("INSERT INTO " + quote(table) + " VALUES (3, 'tie', '2024-11-03 01:30:00.654321', NULL), (0, 'behind', '2024-11-03 01:30:00.654321', NULL)");
            TestRunner restarted = restart(runner, table, Map.<PropertyDescriptor, String>of());
            assertEquals(List.of("tie"), runOnce(restarted).stream().map(r -> string(r, "name")).toList(),
                    "the watermark compares exactly: the tie with a higher id is new, the one with a lower id is behind it");

            TestRunner byTimestampColumn = runner(table, setSessionZone());
            byTimestampColumn.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "changed_at");
            assertEquals(List.of("gap", "fold"), runOnce(byTimestampColumn).stream().map(r -> string(r, "name")).toList());
            assertEquals("2024-11-03T01:30:00.654321", watermark(byTimestampColumn, table, "timestamp"), "a TIMESTAMP watermark is kept in UTC");

            try (Connection c = DriverManager.getConnection(url(), DATABASE.login().user(), DATABASE.login().password()); Statement s = c.createStatement()) {
                s.execute(setSessionZone());
                FetchConfig config = new FetchConfig(TableName.parse(table), "changed_at", "id", null, null, null, List.of(),
                        Duration.ZERO, false, 0, 10, 0, null, "");
                ResolvedTable resolved = TableInspector.resolve(c, config);
                assertEquals(2, new TimestampFetcher(config, resolved).run(c, null, (event, ts) -> { }).rows());
                try (ResultSet rs = s.executeQuery("SELECT @@session.time_zone")) {
                    rs.next();
                    assertEquals("+05:45", rs.getString(1), "the connection's session time zone is restored after the run");
                }
            }

            String gapTable = newTable("gap");
            sql("CREATE TABLE " + quote(gapTable) + " (id BIGINT PRIMARY KEY, name VARCHAR(20), updated_at DATETIME(6) NOT NULL)",
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
