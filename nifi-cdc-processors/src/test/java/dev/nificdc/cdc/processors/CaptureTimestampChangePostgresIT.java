package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.PostgresServer;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
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
    private static PostgresServer server;
    private static String database;

    @BeforeAll
    static void start() throws SQLException {
        server = PostgresServer.start();
        database = server.createDatabase("tsfetch");
        try (Connection c = server.connection(database); var s = c.createStatement()) {
            s.execute("""
                    CREATE FUNCTION set_updated_at() RETURNS trigger AS $$
                    BEGIN
                      NEW.updated_at := now();
                      RETURN NEW;
                    END;
                    $$ LANGUAGE plpgsql""");
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    String url() {
        return server.jdbcUrl(database);
    }

    @Override
    String user() {
        return PostgresServer.USER;
    }

    @Override
    String password() {
        return null;
    }

    @Override
    Connection connect() throws SQLException {
        return server.connection(database);
    }

    @Override
    String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    String serialPrimaryKey(String column) {
        return quote(column) + " BIGSERIAL PRIMARY KEY";
    }

    @Override
    String localTimestampType() {
        return "timestamp(6)";
    }

    @Override
    String now() {
        return "now()";
    }

    @Override
    String schemaName() {
        return "public";
    }

    @Override
    void createStandardTable(String table) {
        sql("CREATE TABLE " + quote(table) + " (id BIGSERIAL PRIMARY KEY, name VARCHAR(50), "
                        + "updated_at timestamp(6) NOT NULL DEFAULT now(), created_at timestamp(6) NOT NULL DEFAULT now(), "
                        + "deleted BOOLEAN NOT NULL DEFAULT FALSE)",
                "CREATE TRIGGER " + quote(table + "_updated_at") + " BEFORE UPDATE ON " + quote(table)
                        + " FOR EACH ROW EXECUTE FUNCTION set_updated_at()");
    }

    @Override
    String setSessionZone() {
        return "SET TIME ZONE 'Asia/Kathmandu'";
    }

    @Override
    void insertGenerated(String table, int count, String timestamp) {
        String ts = timestamp != null ? "CAST(" + timestamp + " AS timestamp)" : "timestamp '2024-01-01 00:00:00' + (n % 997) * interval '1 microsecond'";
        sql("INSERT INTO " + quote(table) + " (name, updated_at) SELECT 'r' || n, " + ts + " FROM generate_series(1, " + count + ") n");
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
            assertEquals("2024-11-03T01:30:00.654321", state(local).get("timestamp"));

            TestRunner zoned = runner(table, setSessionZone());
            zoned.setProperty(CaptureTimestampChange.TIMESTAMP_COLUMN, "changed_at");
            assertEquals(2, runOnce(zoned).size());
            assertEquals(fold, OffsetDateTime.parse(state(zoned).get("timestamp")).toInstant(), "the zoned watermark is the exact instant");

            sql("INSERT INTO " + quote(table) + " VALUES (3, 'tie', '2024-11-03 01:30:00.654321', '2024-11-03 05:30:00.654321+00'), "
                    + "(0, 'behind', '2024-11-03 01:30:00.654321', '2024-11-03 07:30:00.654321+02')");
            TestRunner restarted = restart(zoned, table, Map.<PropertyDescriptor, String>of(CaptureTimestampChange.TIMESTAMP_COLUMN, "changed_at"));
            assertEquals(List.of("tie"), runOnce(restarted).stream().map(r -> string(r, "name")).toList(),
                    "the same instant written with another offset is the same tie; only the higher id is new");

            String gapTable = newTable("gap");
            sql("CREATE TABLE " + quote(gapTable) + " (id BIGINT PRIMARY KEY, name VARCHAR(20), updated_at timestamp(6) NOT NULL)",
                    "INSERT INTO " + quote(gapTable) + " VALUES (1, 'gap', '2024-03-10 02:30:00.123456')");
            TestRunner gapRunner = runner(gapTable, setSessionZone());
            assertEquals(1, runOnce(gapRunner).size());
            assertEquals("2024-03-10T02:30:00.123456", state(gapRunner).get("timestamp"));
            sql("INSERT INTO " + quote(gapTable) + " VALUES (2, 'gap-tie', '2024-03-10 02:30:00.123456'), (0, 'gap-behind', '2024-03-10 02:30:00.123456')");
            assertEquals(List.of("gap-tie"), runOnce(gapRunner).stream().map(r -> string(r, "name")).toList(),
                    "a watermark inside the JVM zone's daylight-saving gap is bound unchanged");
        } finally {
            TimeZone.setDefault(original);
        }
    }
}
