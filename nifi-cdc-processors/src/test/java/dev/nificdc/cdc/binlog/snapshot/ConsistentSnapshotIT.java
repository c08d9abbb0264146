package dev.nificdc.cdc.binlog.snapshot;

import dev.nificdc.cdc.binlog.BinlogConnectionConfig;
import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.cdc.binlog.BinlogReader;
import dev.nificdc.cdc.binlog.BinlogSourceInfo;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.TableSchema;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The snapshot engine against a private MariaDB: schema/value identity with the binlog, and consistency under writes. */
class ConsistentSnapshotIT {
    private static final AtomicLong SERVER_IDS = new AtomicLong(7000);
    private static MariaDbServer server;

    @BeforeAll
    static void startServer() {
        server = MariaDbServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void snapshotRowsHaveTheSchemaAndValuesOfStreamedRowsOfTheSameData() throws Exception {
        java.util.TimeZone jvmZone = java.util.TimeZone.getDefault();
        // a JVM zone with an odd offset and daylight saving time must not shift any value
        java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("America/St_Johns"));
        try {
            compareSnapshotAndStreamedRows();
        } finally {
            java.util.TimeZone.setDefault(jvmZone);
        }
    }

    private void compareSnapshotAndStreamedRows() throws Exception {
        String db = server.createDatabase("identity");
        server.execute("CREATE TABLE `" + db + "`.types (id INT PRIMARY KEY, ti TINYINT, su SMALLINT UNSIGNED NOT NULL,"
                        + " mi MEDIUMINT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, de DECIMAL(12,3), fl FLOAT, dbl DOUBLE,"
                        + " d DATE, t TIME(3), dt DATETIME(6), ts TIMESTAMP(6) NULL, y YEAR, b1 BIT(1), b10 BIT(10),"
                        + " c CHAR(5) CHARACTER SET latin1, vc VARCHAR(30) CHARACTER SET utf8mb4, tx TEXT, bin BINARY(4),"
                        + " vb VARBINARY(8), bl BLOB, e ENUM('a','B c'), st SET('x','y','z'), js JSON, g GEOMETRY,"
                        + " u8 VARCHAR(10) CHARACTER SET utf8mb3 NOT NULL DEFAULT '')",
                "INSERT INTO `" + db + "`.types VALUES (1, -5, 65535, -8388608, 4294967295, -9223372036854775808,"
                        + " 18446744073709551615, -123456789.125, 1.5, 2.25, '2024-02-29', '-838:59:58.125',"
                        + " '2024-03-10 02:30:00.123456', '2038-01-19 03:14:07.999999', 2155, b'1', b'1000000001',"
                        + " 'Grüß', 'héllo 😀', 'long text', x'01020000', x'00ff', x'cafebabe', 'B c', 'x,z',"
                        + " '{\"k\": [1, 2]}', ST_GeomFromText('POINT(1 2)'), 'äö')",
                "INSERT INTO `" + db + "`.types (id, su) VALUES (2, 0)");
        TableFilter filter = filter(db);
        List<ChangeEvent> snapshot = new ArrayList<>();
        BinlogOffset position;
        try (ConsistentSnapshot view = ConsistentSnapshot.open(server::cdcConnection, ConsistencyMethod.AUTO, filter, "test", logger())) {
            position = view.position();
            SnapshotTable table = new SnapshotTable(db, "types");
            assertEquals(List.of(table), view.tables(filter));
            assertEquals(2, view.readTable(table, 10, true, snapshot::addAll));
        }
        assertEquals(Operation.READ, snapshot.get(0).op());
        assertEquals("true", snapshot.get(0).source().snapshot());
        assertEquals("last", snapshot.get(1).source().snapshot());
        assertEquals(position.file(), BinlogSourceInfo.of(snapshot.get(0)).file());

        server.execute("DELETE FROM `" + db + "`.types ORDER BY id");
        try (BinlogReader reader = reader(db, position)) {
            reader.start();
            List<CapturedChange<BinlogOffset>> deletes = poll(reader, 2);
            for (int i = 0; i < 2; i++) {
                ChangeEvent read = snapshot.get(i);
                ChangeEvent deleted = deletes.get(i).event();
                assertEquals(Operation.DELETE, deleted.op());
                assertEquals(deleted.schema(), read.schema(), "the snapshot derives the schema the binlog engine derives");
                for (int c = 0; c < read.after().length; c++) {
                    Object expected = deleted.before()[c];
                    Object actual = read.after()[c];
                    String column = read.schema().columns().get(c).name();
                    assertTrue(java.util.Objects.deepEquals(expected, actual), "column " + column + " of row " + (i + 1)
                            + ": streamed " + show(expected) + ", snapshot " + show(actual));
                }
            }
        }
        TableSchema schema = snapshot.get(0).schema();
        assertEquals(List.of("id"), schema.primaryKey());
        assertFalse(schema.columns().get(schema.indexOf("su")).nullable());
        assertNull(snapshot.get(1).after()[schema.indexOf("js")]);
    }

    @ParameterizedTest
    @EnumSource(value = ConsistencyMethod.class, names = {"GLOBAL_READ_LOCK", "SNAPSHOT_STATUS"})
    void writesDuringTheSnapshotAreNeitherLostNorDoubled(ConsistencyMethod method) throws Exception {
        snapshotUnderWrites(method, server::cdcConnection, logger());
    }

    /**
     * Amazon RDS and Aurora grant no user RELOAD, so FLUSH TABLES WITH READ LOCK is denied there: the captured tables are
     * locked with LOCK TABLES ... READ while the view opens instead, and the snapshot is as consistent.
     */
    @Test
    void withoutReloadTheCapturedTablesAreLockedInsteadAndTheSnapshotStaysConsistent() throws Exception {
        server.execute("CREATE USER IF NOT EXISTS 'noreload'@'%' IDENTIFIED BY 'noreload-Pw-1'",
                "GRANT SELECT, LOCK TABLES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'noreload'@'%'");
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        snapshotUnderWrites(ConsistencyMethod.GLOBAL_READ_LOCK,
                () -> java.sql.DriverManager.getConnection(server.jdbcUrl(null), "noreload", "noreload-Pw-1"),
                recording(warnings));
        assertTrue(warnings.stream().anyMatch(w -> w.contains("FLUSH TABLES WITH READ LOCK was denied")
                && w.contains("LOCK TABLES ... READ")), warnings.toString());
    }

    /**
     * Reads a snapshot while another connection writes, then streams from the snapshot's position twice, by file
     * position and by the snapshot's GTIDs: applying either stream to the snapshot rows gives the table.
     */
    private void snapshotUnderWrites(ConsistencyMethod method, dev.nificdc.cdc.core.JdbcConnector jdbc, CaptureLogger logger)
            throws Exception {
        String db = server.createDatabase("consistent");
        String table = "`" + db + "`.rows";
        server.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(20))",
                "CREATE TABLE `" + db + "`.marker (id INT PRIMARY KEY)",
                "INSERT INTO " + table + " SELECT seq, seq, concat('row ', seq) FROM `" + db + "`.seq_1_to_3000");
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger writes = new AtomicInteger();
        Thread writer = new Thread(() -> write(table, writing, writes));
        writer.start();
        Map<Integer, Object[]> snapshot = new TreeMap<>();
        BinlogOffset position;
        try {
            Thread.sleep(100);
            try (ConsistentSnapshot view = ConsistentSnapshot.open(jdbc, method, filter(db), "test", logger)) {
                position = view.position();
                int before = writes.get();
                view.readTable(new SnapshotTable(db, "rows"), 100, false, chunk -> {
                    chunk.forEach(e -> assertNull(snapshot.put((Integer) e.after()[0], e.after()), "row read twice"));
                    Thread.sleep(5);
                });
                assertTrue(writes.get() > before + 10, "the writer kept writing while the snapshot was read: " + (writes.get() - before));
            }
            Thread.sleep(100);
        } finally {
            writing.set(false);
            writer.join();
        }
        server.execute("INSERT INTO `" + db + "`.marker VALUES (1)");
        assertFalse(position.gtidSet().isEmpty(), "the snapshot's position carries the GTIDs before it: " + position);
        List<ChangeEvent> byFile = streamToMarker(db, position);
        List<ChangeEvent> byGtid = streamToMarker(db, BinlogOffset.atGtid(position.gtidSet()));
        assertEquals(describe(byFile), describe(byGtid), "the view's GTIDs name exactly its binlog position");
        Map<Integer, Object[]> copy = new TreeMap<>(snapshot);
        byFile.forEach(e -> apply(copy, e));
        assertSameRows(tableRows(table), copy.values().stream().map(Arrays::asList).toList());
    }

    private static List<ChangeEvent> streamToMarker(String db, BinlogOffset start) throws Exception {
        List<ChangeEvent> changes = new ArrayList<>();
        try (BinlogReader reader = reader(db, start)) {
            reader.start();
            while (true) {
                CapturedChange<BinlogOffset> change = reader.poll(Duration.ofSeconds(30));
                assertNotNull(change, "the stream reaches the marker");
                if (change.event().schema().table().equals("marker")) {
                    return changes;
                }
                changes.add(change.event());
            }
        }
    }

    private static List<String> describe(List<ChangeEvent> changes) {
        return changes.stream().map(e -> e.op() + " " + Arrays.toString(e.before()) + " " + Arrays.toString(e.after())).toList();
    }

    /** Applies a change to the copy, failing on a create of an existing key or a change of a missing/different row. */
    static void apply(Map<Integer, Object[]> copy, ChangeEvent e) {
        switch (e.op()) {
            case CREATE, READ -> assertNull(copy.put((Integer) e.after()[0], e.after()), "duplicate create of " + e.after()[0]);
            case UPDATE -> {
                Object[] old = copy.put((Integer) e.after()[0], e.after());
                assertNotNull(old, "update of missing row " + e.after()[0]);
                assertEquals(Arrays.asList(old), Arrays.asList(e.before()), "update's before image matches the copy");
            }
            case DELETE -> assertNotNull(copy.remove((Integer) e.before()[0]), "delete of missing row " + e.before()[0]);
        }
    }

    private static void write(String table, AtomicBoolean writing, AtomicInteger writes) {
        try (Connection c = server.adminConnection(); Statement s = c.createStatement()) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (writing.get()) {
                int id = random.nextInt(1, 4000);
                switch (random.nextInt(4)) {
                    case 0 -> s.execute("INSERT INTO " + table + " VALUES (" + id + ", 0, 'new') ON DUPLICATE KEY UPDATE v = v + 1");
                    case 1 -> s.execute("UPDATE " + table + " SET v = v + 1, s = 'updated' WHERE id = " + id);
                    case 2 -> s.execute("DELETE FROM " + table + " WHERE id = " + id);
                    default -> {
                        s.execute("BEGIN");
                        s.execute("UPDATE " + table + " SET v = v - 1 WHERE id BETWEEN " + id + " AND " + (id + 5));
                        s.execute("DELETE FROM " + table + " WHERE id = " + (id + 7));
                        s.execute("COMMIT");
                    }
                }
                writes.incrementAndGet();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<List<Object>> tableRows(String table) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (Connection c = server.adminConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, v, s FROM " + table + " ORDER BY id")) {
            while (rs.next()) {
                rows.add(Arrays.asList(rs.getInt(1), rs.getInt(2), rs.getString(3)));
            }
        }
        return rows;
    }

    /** Compares row lists, reporting the first difference rather than both lists. */
    static void assertSameRows(List<List<Object>> expected, List<List<Object>> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(expected.get(i), actual.get(i), "row " + i + " of the copy differs from the source table");
        }
        assertEquals(expected.size(), actual.size(), "rows in the copy");
    }

    private static String show(Object value) {
        return value instanceof byte[] b ? Arrays.toString(b) : value == null ? "null" : value + " (" + value.getClass().getSimpleName() + ")";
    }

    private static TableFilter filter(String db) {
        return TableFilter.of(List.of(Pattern.quote(db)), List.of(), List.of(), List.of(), List.of());
    }

    private static BinlogReader reader(String db, BinlogOffset start) {
        BinlogConnectionConfig config = BinlogConnectionConfig.builder(server.host(), server.port(), MariaDbServer.CDC_USER,
                MariaDbServer.CDC_PASSWORD).serverId(SERVER_IDS.incrementAndGet()).connectTimeout(Duration.ofSeconds(10)).logicalName("test").build();
        return BinlogReader.builder(config).jdbc(server::cdcConnection).filter(filter(db)).resumeFrom(start).build();
    }

    private static List<CapturedChange<BinlogOffset>> poll(BinlogReader reader, int count) throws InterruptedException {
        List<CapturedChange<BinlogOffset>> changes = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (changes.size() < count && System.currentTimeMillis() < deadline) {
            CapturedChange<BinlogOffset> c = reader.poll(Duration.ofMillis(200));
            if (c != null) {
                changes.add(c);
            }
        }
        assertEquals(count, changes.size(), "changes streamed");
        return changes;
    }

    private static CaptureLogger recording(List<String> warnings) {
        CaptureLogger slf4j = logger();
        return new CaptureLogger() {
            @Override
            public void info(String message) {
                slf4j.info(message);
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

    private static CaptureLogger logger() {
        return CaptureLogger.slf4j(ConsistentSnapshotIT.class);
    }
}
