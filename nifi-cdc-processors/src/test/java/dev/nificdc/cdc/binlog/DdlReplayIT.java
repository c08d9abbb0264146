package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.ValueKind;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replaying the binlog from the start after several ALTER TABLEs: each row carries the columns the table had when the
 * row was written (binlog_row_metadata=FULL); without FULL metadata the information_schema fallback is used, with a warning.
 */
class DdlReplayIT {

    @Test
    void rowsKeepTheColumnsTheyWereWrittenWith() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("ddl");
            String t = db + ".t";
            server.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, a VARCHAR(10))",
                    "INSERT INTO " + t + " VALUES (1, 'x')",
                    "ALTER TABLE " + t + " ADD COLUMN b INT",
                    "INSERT INTO " + t + " VALUES (2, 'y', 20)",
                    "ALTER TABLE " + t + " DROP COLUMN a",
                    "INSERT INTO " + t + " VALUES (3, 30)",
                    "ALTER TABLE " + t + " MODIFY b BIGINT UNSIGNED",
                    "INSERT INTO " + t + " VALUES (4, 40)",
                    "ALTER TABLE " + t + " RENAME COLUMN b TO c",
                    "INSERT INTO " + t + " VALUES (5, 50)",
                    "UPDATE " + t + " SET c = 10 WHERE c IS NULL",
                    "ALTER TABLE " + t + " DROP PRIMARY KEY, ADD PRIMARY KEY (c, id)",
                    "INSERT INTO " + t + " VALUES (6, 60)");
            // read everything from the oldest binlog, after all the DDL already happened
            try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.earliest()).build()) {
                reader.start();
                List<CapturedChange<BinlogOffset>> changes = BinlogTestSupport.poll(reader, 7);
                BinlogTestSupport.assertNoMore(reader, 300);
                assertRow(changes.get(0).event(), List.of("id", "a"), List.of(1, "x"));
                assertRow(changes.get(1).event(), List.of("id", "a", "b"), List.of(2, "y", 20));
                assertRow(changes.get(2).event(), List.of("id", "b"), List.of(3, 30));
                assertRow(changes.get(3).event(), List.of("id", "b"), List.of(4, new java.math.BigDecimal(40)));
                assertEquals(ValueKind.DECIMAL, changes.get(3).event().schema().columns().get(1).kind());
                assertRow(changes.get(4).event(), List.of("id", "c"), List.of(5, new java.math.BigDecimal(50)));
                assertEquals(List.of("id"), changes.get(4).event().schema().primaryKey());
                assertEquals(List.of(1, new java.math.BigDecimal(10)), Arrays.asList(changes.get(5).event().after()));
                assertRow(changes.get(6).event(), List.of("id", "c"), List.of(6, new java.math.BigDecimal(60)));
                assertEquals(List.of("c", "id"), changes.get(6).event().schema().primaryKey());
            }
        }
    }

    @Test
    void withoutFullMetadataNamesComeFromInformationSchemaWithAWarning() throws Exception {
        try (MariaDbServer server = MariaDbServer.start(new MariaDbServer.Options().rowMetadata("MINIMAL"))) {
            String db = server.createDatabase("nometa");
            String t = db + ".t";
            server.execute("CREATE TABLE " + t + " (id INT UNSIGNED PRIMARY KEY, e ENUM('low','high'), s VARCHAR(10) CHARACTER SET latin1, b VARBINARY(4))",
                    "INSERT INTO " + t + " VALUES (4294967295, 'high', 'çà', x'00FF')");
            List<String> warnings = new ArrayList<>();
            try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.earliest())
                    .logger(recording(warnings)).build()) {
                reader.start();
                ChangeEvent e = BinlogTestSupport.poll(reader, 1).get(0).event();
                assertEquals(List.of("id", "e", "s", "b"), e.schema().columns().stream().map(ColumnSchema::name).toList());
                assertEquals(List.of("id"), e.schema().primaryKey());
                assertEquals(4294967295L, e.after()[0]);
                assertEquals("high", e.after()[1]);
                assertEquals("çà", e.after()[2]);
                assertTrue(Arrays.equals(new byte[]{0, (byte) 0xFF}, (byte[]) e.after()[3]));
            }
            assertTrue(warnings.stream().anyMatch(w -> w.contains("binlog_row_metadata")), warnings.toString());
            assertTrue(warnings.stream().anyMatch(w -> w.contains("information_schema") && w.contains(t)), warnings.toString());
        }
    }

    private static void assertRow(ChangeEvent event, List<String> names, List<Object> values) {
        assertEquals(names, event.schema().columns().stream().map(ColumnSchema::name).toList());
        assertEquals(values, Arrays.asList(event.after()));
    }

    static CaptureLogger recording(List<String> warnings) {
        return new CaptureLogger() {
            @Override
            public void info(String message) {
            }

            @Override
            public void warn(String message) {
                warnings.add(message);
            }

            @Override
            public void warn(String message, Throwable cause) {
                warnings.add(message);
            }

            @Override
            public void debug(String message) {
            }
        };
    }
}
