package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without column names in the binlog ({@code binlog_row_metadata} MINIMAL or NO_LOG), rows are named from
 * information_schema only when each TABLE_MAP event matches the table's definition there: replaying binlog written
 * before a DROP/ADD COLUMN stops capture with an error naming the table, the position, the binlog's and the
 * definition's column types and what to do, and emits nothing from there on; DDL made while capture is caught up is
 * followed exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RowMetadataIT {
    private final Map<String, MariaDbServer> servers = new HashMap<>();

    @BeforeAll
    void startServers() {
        for (String metadata : List.of("MINIMAL", "NO_LOG")) {
            servers.put(metadata, MariaDbServer.start(new MariaDbServer.Options().rowMetadata(metadata)));
        }
    }

    @AfterAll
    void stopServers() {
        servers.values().forEach(MariaDbServer::close);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MINIMAL", "NO_LOG"})
    void replayAcrossDropAndAddColumnStopsWithTheTypesAndTheFix(String metadata) throws Exception {
        MariaDbServer server = servers.get(metadata);
        String db = server.createDatabase("replay");
        String t = db + ".t";
        RawBinlog.Current start = RawBinlog.current(server);
        server.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, a VARCHAR(10), b INT)",
                "INSERT INTO " + t + " VALUES (1, 'x', 5)",
                "ALTER TABLE " + t + " DROP COLUMN a, ADD COLUMN z INT",
                "INSERT INTO " + t + " VALUES (2, 6, 7)");
        long tableMap = firstTableMapPosition(server, start);
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.filePosition(start.name(), start.end())).build()) {
            reader.start();
            List<CapturedChange<BinlogOffset>> emitted = new ArrayList<>();
            BinlogCaptureException e = assertThrows(BinlogCaptureException.class, () -> {
                long deadline = System.currentTimeMillis() + 30_000;
                while (System.currentTimeMillis() < deadline) {
                    CapturedChange<BinlogOffset> c = reader.poll(Duration.ofMillis(200));
                    if (c != null) {
                        emitted.add(c);
                    }
                }
            });
            assertEquals(List.of(), emitted, "nothing was emitted: the first row is the one that cannot be named");
            String message = e.getMessage();
            assertTrue(message.contains("TABLE_MAP for " + t + " at " + start.name() + ":" + tableMap), message);
            assertTrue(message.contains("column 2 is varchar(40 bytes) in the binlog but `b` int(11) in information_schema"), message);
            assertTrue(message.contains("binlog: int, varchar(40 bytes), int; information_schema: `id` int(11), `b` int(11), `z` int(11)"), message);
            assertTrue(message.contains("Set binlog_row_metadata=FULL") && message.contains("at a position after the statement that changed " + t),
                    message);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"MINIMAL", "NO_LOG"})
    void replayOfATableDroppedSinceStops(String metadata) throws Exception {
        MariaDbServer server = servers.get(metadata);
        String db = server.createDatabase("dropped");
        RawBinlog.Current start = RawBinlog.current(server);
        server.execute("CREATE TABLE " + db + ".gone (id INT PRIMARY KEY)", "INSERT INTO " + db + ".gone VALUES (1)",
                "DROP TABLE " + db + ".gone");
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.filePosition(start.name(), start.end())).build()) {
            reader.start();
            BinlogCaptureException e = assertThrows(BinlogCaptureException.class, () -> BinlogTestSupport.poll(reader, 1));
            assertTrue(e.getMessage().contains("information_schema lists no column of " + db + ".gone"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"MINIMAL", "NO_LOG"})
    void ddlWhileCaughtUpIsFollowedExactly(String metadata) throws Exception {
        MariaDbServer server = servers.get(metadata);
        String db = server.createDatabase("live");
        String t = db + ".t";
        server.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, a VARCHAR(10), b INT)");
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.latest()).build()) {
            reader.start();
            server.execute("INSERT INTO " + t + " VALUES (1, 'x', 5)");
            assertRow(BinlogTestSupport.poll(reader, 1).get(0).event(), List.of("id", "a", "b"), List.of(1, "x", 5));
            // a rename keeps every type: only reading information_schema again at the statement gets the name right
            server.execute("ALTER TABLE " + t + " RENAME COLUMN a TO c");
            server.execute("INSERT INTO " + t + " VALUES (2, 'y', 6)");
            assertRow(BinlogTestSupport.poll(reader, 1).get(0).event(), List.of("id", "c", "b"), List.of(2, "y", 6));
            server.execute("ALTER TABLE " + t + " DROP COLUMN c, ADD COLUMN z INT UNSIGNED");
            server.execute("INSERT INTO " + t + " VALUES (3, 7, 4294967295)", "UPDATE " + t + " SET b = 8 WHERE id = 1");
            List<CapturedChange<BinlogOffset>> changes = BinlogTestSupport.poll(reader, 2);
            assertRow(changes.get(0).event(), List.of("id", "b", "z"), List.of(3, 7, 4294967295L));
            assertEquals(List.of(1, 8), java.util.Arrays.asList(changes.get(1).event().after()).subList(0, 2));
            assertEquals(List.of("id"), changes.get(1).event().schema().primaryKey());
            BinlogTestSupport.assertNoMore(reader, 300);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"MINIMAL", "NO_LOG"})
    void serverRequirementsExplainWhatHappensWithoutFullMetadata(String metadata) throws Exception {
        try (Connection c = servers.get(metadata).cdcConnection()) {
            ServerRequirements.CheckResult check = ServerRequirements.check(new MySqlServer(c)).stream()
                    .filter(r -> r.name().equals("binlog_row_metadata")).findFirst().orElseThrow();
            assertEquals(ServerRequirements.Status.WARN, check.status());
            assertEquals(metadata, check.actual());
            assertTrue(check.fix().contains("Set binlog_row_metadata=FULL") && check.fix().contains("stops capture with an error")
                    && check.fix().contains("RENAME COLUMN, cannot be detected"), check.fix());
            assertEquals(metadata.equals("NO_LOG"), check.fix().contains("Signedness and charset changes are not detected"), check.fix());
        }
    }

    /** Where the first TABLE_MAP event after {@code start} begins, as the server lists it. */
    private static long firstTableMapPosition(MariaDbServer server, RawBinlog.Current start) throws Exception {
        try (Connection c = server.adminConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW BINLOG EVENTS IN '" + start.name() + "' FROM " + start.end())) {
            while (rs.next()) {
                if (rs.getString("Event_type").equals("Table_map")) {
                    return rs.getLong("Pos");
                }
            }
        }
        throw new AssertionError("no Table_map event after " + start);
    }

    private static void assertRow(ChangeEvent event, List<String> names, List<Object> values) {
        assertEquals(names, event.schema().columns().stream().map(ColumnSchema::name).toList());
        assertEquals(values, java.util.Arrays.asList(event.after()));
    }
}
