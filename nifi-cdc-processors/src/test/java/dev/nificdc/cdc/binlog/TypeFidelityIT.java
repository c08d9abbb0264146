package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.ValueKind;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every MariaDB column type, at its limits and NULL: each captured value equals what the server itself reports for
 * the same row, converted to the canonical form with an independent, obvious conversion. Subclasses run the same
 * statements through other binlog encodings: MariaDB's compressed events ({@link CompressedBinlogTypeFidelityIT}) and
 * MySQL 8 compressed transactions ({@link TransactionPayloadTypeFidelityIT}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TypeFidelityIT {
    protected MariaDbServer server;
    protected String db;

    private static final String TABLE = """
            CREATE TABLE %s.all_types (
              id INT NOT NULL PRIMARY KEY,
              y YEAR,
              ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
              i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
              dec65 DECIMAL(65,30), dec52u DECIMAL(5,2) UNSIGNED, f FLOAT, d DOUBLE,
              dt6 DATETIME(6), ts6 TIMESTAMP(6) NULL DEFAULT NULL, t6 TIME(6), t0 TIME, t3 TIME(3), dte DATE, dt0 DATETIME,
              b1 BIT(1), b64 BIT(64), b10 BIT(10),
              e ENUM('small','médium','large'), st SET('a','b','c','d'),
              j JSON,
              c_utf CHAR(10) CHARACTER SET utf8mb4, v_utf VARCHAR(100) CHARACTER SET utf8mb4, t_utf TEXT CHARACTER SET utf8mb4,
              c_lat CHAR(10) CHARACTER SET latin1, v_lat VARCHAR(100) CHARACTER SET latin1, t_lat TEXT CHARACTER SET latin1,
              bin BINARY(8), vbin VARBINARY(300), blb BLOB,
              g GEOMETRY,
              nn VARCHAR(5) NOT NULL DEFAULT 'x'
            ) DEFAULT CHARSET utf8mb4""";

    /** The server settings of this run. */
    protected MariaDbServer.Options serverOptions() {
        return new MariaDbServer.Options();
    }

    /** Where the changes are read: a reader streaming from the server's current end of binlog. */
    protected ChangeStream openStream() throws Exception {
        BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.latest()).build();
        reader.start();
        return new ChangeStream() {
            @Override
            public List<CapturedChange<BinlogOffset>> next(int count) throws InterruptedException {
                return BinlogTestSupport.poll(reader, count);
            }

            @Override
            public void assertNoMore() throws InterruptedException {
                BinlogTestSupport.assertNoMore(reader, 300);
            }

            @Override
            public void close() {
                reader.close();
            }
        };
    }

    /** The changes the test reads, in binlog order. */
    protected interface ChangeStream extends AutoCloseable {
        /** The next {@code count} changes; fails when fewer arrive. */
        List<CapturedChange<BinlogOffset>> next(int count) throws Exception;

        void assertNoMore() throws Exception;

        @Override
        void close();
    }

    @BeforeAll
    void startServer() {
        server = MariaDbServer.start(serverOptions());
        db = server.createDatabase("types");
        server.execute(TABLE.formatted(db));
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static String allBytesHex() {
        StringBuilder s = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            s.append(String.format("%02X", b));
        }
        return s.toString();
    }

    @Test
    void everyTypeMatchesTheServer() throws Exception {
        try (ChangeStream changes = openStream()) {
            String t = db + ".all_types";
            String bytes = allBytesHex();
            server.execute("SET time_zone = '+00:00'",
                    "INSERT INTO " + t + " VALUES (1, 2155, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,"
                            + " 9223372036854775807, 18446744073709551615,"
                            + " 99999999999999999999999999999999999.999999999999999999999999999999, 999.99, 1.5e10, 1.7976931348623157E308,"
                            + " '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '838:59:59.999999', '-838:59:59', '-00:00:00.500',"
                            + " '9999-12-31', '2024-02-29 12:34:56',"
                            + " b'1', x'8000000000000001', b'1000000001', 'médium', 'a,c,d',"
                            + " '{\"a\": [1, 2.5, {\"b\": null}], \"c\": \"ünï\", \"d\": true}',"
                            + " 'ü€😀', 'héllo wörld 😀 ✓', REPEAT('Ω≈ç√∫', 1000), 'çà', 'Ærø ¿ € ‰ ÿ', 'Œuvre ß',"
                            + " x'00FF0001', x'" + bytes + "', x'" + bytes + bytes + "',"
                            + " ST_GeomFromText('LINESTRING(0 0,1 1,2 1)', 4326), 'abc')",
                    "INSERT INTO " + t + " VALUES (2, 1901, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0,"
                            + " -9223372036854775808, 0,"
                            + " -99999999999999999999999999999999999.999999999999999999999999999999, 0, -123.25, -2.5E-300,"
                            + " '1000-01-01 00:00:00.000001', '1970-01-01 00:00:01.000001', '-838:59:59.999999', '00:00:00', '-12:34:56.001',"
                            + " '1000-01-01', '1582-10-04 23:59:59',"
                            + " b'0', x'0000000000000000', b'0000000000', 'small', '',"
                            + " '[]', '', '', '', 'a', '', '', x'', x'', x'',"
                            + " ST_GeomFromText('POINT(0 0)'), '')",
                    "INSERT INTO " + t + " VALUES (3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,"
                            + " 0.000000000000000000000000000001, 0.01, 0, 0,"
                            + " '2024-06-01 10:00:00.5', '2024-06-01 10:00:00', '-00:00:01.000001', '-00:00:01', '00:00:00.001',"
                            + " '0001-01-01', '0001-01-01 00:00:00',"
                            + " b'1', x'00000000000000FF', b'0000000001', 'large', 'b',"
                            + " '{\"n\": -1.5e-7, \"s\": \"\\\\u0000 tab\\\\t quote\\\\\"\"}', 'a  ', ' b ', 'c', 'é', 'ê', 'ë',"
                            + " x'0000000000000000', x'00', x'FF',"
                            + " ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))'), 'z')",
                    "INSERT INTO " + t + " (id) VALUES (4)");
            Map<Integer, Map<String, Object>> expected = new LinkedHashMap<>();
            for (int id = 1; id <= 4; id++) {
                expected.put(id, expectedRow(id));
            }
            List<CapturedChange<BinlogOffset>> inserts = changes.next(4);

            Map<String, Object> beforeUpdate = expected.get(1);
            server.execute("UPDATE " + t + " SET v_utf = 'changed', ti = -1 WHERE id = 1", "DELETE FROM " + t + " WHERE id = 2");
            Map<String, Object> afterUpdate = expectedRow(1);
            List<CapturedChange<BinlogOffset>> later = changes.next(2);
            changes.assertNoMore();

            ChangeEvent first = inserts.get(0).event();
            assertSchema(first);
            for (int k = 0; k < 4; k++) {
                ChangeEvent event = inserts.get(k).event();
                assertEquals(Operation.CREATE, event.op());
                int id = (Integer) event.after()[0];
                assertRow(expected.get(id), event, event.after(), "insert id=" + id);
            }
            ChangeEvent update = later.get(0).event();
            assertEquals(Operation.UPDATE, update.op());
            assertRow(beforeUpdate, update, update.before(), "update before");
            assertRow(afterUpdate, update, update.after(), "update after");
            ChangeEvent delete = later.get(1).event();
            assertEquals(Operation.DELETE, delete.op());
            assertRow(expected.get(2), delete, delete.before(), "delete before");
            assertEquals(null, delete.after());
            assertEquals("mariadb", delete.source().connector());
            assertEquals(db, delete.source().db());
            assertEquals("all_types", delete.source().table());
            assertTrue(BinlogSourceInfo.of(delete).file().startsWith("mysql-bin."));
            assertTrue(BinlogSourceInfo.of(delete).pos() > 4);
            assertEquals(List.of("id"), first.schema().primaryKey());
        }
    }

    private static void assertSchema(ChangeEvent event) {
        Map<String, ColumnSchema> columns = new LinkedHashMap<>();
        event.schema().columns().forEach(c -> columns.put(c.name(), c));
        assertEquals(ValueKind.INT, columns.get("id").kind());
        assertFalse(columns.get("id").nullable());
        assertFalse(columns.get("nn").nullable());
        assertTrue(columns.get("ti").nullable());
        assertEquals(ValueKind.INT, columns.get("miu").kind());
        assertEquals(ValueKind.LONG, columns.get("iu").kind());
        assertEquals(ValueKind.LONG, columns.get("bi").kind());
        assertEquals(ValueKind.DECIMAL, columns.get("biu").kind());
        assertEquals(20, columns.get("biu").precision());
        assertEquals(65, columns.get("dec65").precision());
        assertEquals(30, columns.get("dec65").scale());
        assertEquals(ValueKind.LOCAL_TIMESTAMP_MICROS, columns.get("dt6").kind());
        assertEquals(ValueKind.TIMESTAMP_MICROS, columns.get("ts6").kind());
        assertEquals(ValueKind.TIME_MICROS, columns.get("t6").kind());
        assertEquals(ValueKind.DATE, columns.get("dte").kind());
        assertEquals(ValueKind.BOOLEAN, columns.get("b1").kind());
        assertEquals(ValueKind.BYTES, columns.get("b64").kind());
        assertEquals(ValueKind.STRING, columns.get("e").kind());
        assertEquals(ValueKind.STRING, columns.get("j").kind());
        assertEquals(ValueKind.STRING, columns.get("t_lat").kind());
        assertEquals(ValueKind.BYTES, columns.get("bin").kind());
        assertEquals(ValueKind.BYTES, columns.get("blb").kind());
        assertEquals(ValueKind.BYTES, columns.get("g").kind());
    }

    private static void assertRow(Map<String, Object> expected, ChangeEvent event, Object[] row, String what) {
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < event.schema().columns().size(); i++) {
            String name = event.schema().columns().get(i).name();
            Object want = expected.get(name);
            Object got = row[i];
            boolean same = want instanceof byte[] w && got instanceof byte[] g ? java.util.Arrays.equals(w, g) : Objects.equals(want, got);
            if (!same) {
                mismatches.add(name + ": expected " + show(want) + " got " + show(got));
            }
        }
        assertEquals(expected.size(), event.schema().columns().size(), what + ": column count");
        assertTrue(mismatches.isEmpty(), what + ": " + String.join("\n", mismatches));
    }

    private static String show(Object value) {
        if (value instanceof byte[] b) {
            return "0x" + HexFormat.of().formatHex(b);
        }
        return value == null ? "null" : value + " (" + value.getClass().getSimpleName() + ")";
    }

    /** The row as the server reports it, converted to canonical values with plain, independent conversions. */
    private Map<String, Object> expectedRow(int id) throws Exception {
        String sql = "SELECT id, y + 0 y, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, dec65, dec52u, f, d,"
                + " DATE_FORMAT(dt6, '%Y-%m-%d %H:%i:%s.%f') dt6, UNIX_TIMESTAMP(ts6) ts6, CAST(t6 AS CHAR) t6, CAST(t0 AS CHAR) t0,"
                + " CAST(t3 AS CHAR) t3, CAST(dte AS CHAR) dte, DATE_FORMAT(dt0, '%Y-%m-%d %H:%i:%s') dt0,"
                + " b1 + 0 b1, HEX(b64) b64, HEX(b10) b10, e, st, j, c_utf, v_utf, t_utf, c_lat, v_lat, t_lat, bin, vbin, blb,"
                + " ST_AsWKB(g) g, nn FROM " + db + ".all_types WHERE id = " + id;
        Map<String, Object> row = new LinkedHashMap<>();
        try (Connection c = server.adminConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            row.put("id", rs.getInt("id"));
            row.put("y", intOrNull(rs, "y"));
            for (String col : List.of("ti", "tiu", "si", "siu", "mi", "miu", "i")) {
                row.put(col, intOrNull(rs, col));
            }
            row.put("iu", rs.getObject("iu") == null ? null : rs.getLong("iu"));
            row.put("bi", rs.getObject("bi") == null ? null : rs.getLong("bi"));
            row.put("biu", rs.getBigDecimal("biu") == null ? null : new BigDecimal(rs.getString("biu")));
            row.put("dec65", rs.getString("dec65") == null ? null : new BigDecimal(rs.getString("dec65")));
            row.put("dec52u", rs.getString("dec52u") == null ? null : new BigDecimal(rs.getString("dec52u")));
            row.put("f", rs.getObject("f") == null ? null : rs.getFloat("f"));
            row.put("d", rs.getObject("d") == null ? null : rs.getDouble("d"));
            String dt6 = rs.getString("dt6");
            row.put("dt6", dt6 == null ? null : localMicros(LocalDateTime.parse(dt6.replace(' ', 'T'))));
            String ts6 = rs.getString("ts6");
            row.put("ts6", ts6 == null ? null : new BigDecimal(ts6).movePointRight(6).longValueExact());
            row.put("t6", timeMicros(rs.getString("t6")));
            row.put("t0", timeMicros(rs.getString("t0")));
            row.put("t3", timeMicros(rs.getString("t3")));
            String dte = rs.getString("dte");
            row.put("dte", dte == null ? null : (int) LocalDate.parse(dte).toEpochDay());
            String dt0 = rs.getString("dt0");
            row.put("dt0", dt0 == null ? null : localMicros(LocalDateTime.parse(dt0.replace(' ', 'T'))));
            row.put("b1", rs.getObject("b1") == null ? null : rs.getInt("b1") == 1);
            row.put("b64", hexBytes(rs.getString("b64"), 8));
            row.put("b10", hexBytes(rs.getString("b10"), 2));
            for (String col : List.of("e", "st", "j", "c_utf", "v_utf", "t_utf", "c_lat", "v_lat", "t_lat")) {
                row.put(col, rs.getString(col));
            }
            for (String col : List.of("bin", "vbin", "blb", "g")) {
                row.put(col, rs.getBytes(col));
            }
            row.put("nn", rs.getString("nn"));
        }
        return row;
    }

    private static Integer intOrNull(ResultSet rs, String col) throws java.sql.SQLException {
        return rs.getObject(col) == null ? null : rs.getInt(col);
    }

    private static long localMicros(LocalDateTime t) {
        return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + t.getNano() / 1000;
    }

    /** "-838:59:59.999999" -> signed microseconds. */
    private static Long timeMicros(String text) {
        if (text == null) {
            return null;
        }
        boolean negative = text.startsWith("-");
        String[] parts = (negative ? text.substring(1) : text).split(":");
        String[] sec = parts[2].split("\\.");
        long micros = (Long.parseLong(parts[0]) * 3600 + Long.parseLong(parts[1]) * 60 + Long.parseLong(sec[0])) * 1_000_000L;
        if (sec.length > 1) {
            micros += Long.parseLong((sec[1] + "000000").substring(0, 6));
        }
        return negative ? -micros : micros;
    }

    private static byte[] hexBytes(String hex, int length) {
        if (hex == null) {
            return null;
        }
        String padded = "0".repeat(Math.max(0, length * 2 - hex.length())) + hex;
        return HexFormat.of().parseHex(padded);
    }
}
