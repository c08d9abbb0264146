package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.SchemaChange;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DDL statements on captured tables: TRUNCATE TABLE becomes a change with op {@code t} (no before, no after, the
 * source block), on by default; with schema changes asked for, each DDL statement that names a captured table becomes
 * a schema change with the statement and the tables' columns after it. Both in binlog order with the row changes.
 */
class DdlOutputIT {
    private static MariaDbServer server;

    @BeforeAll
    static void startServer() {
        server = MariaDbServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void truncateIsAChangeWithOpTInBinlogOrder() throws Exception {
        String db = server.createDatabase("truncate");
        String t = db + ".t";
        server.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, v VARCHAR(10))", "CREATE TABLE " + db + ".other (id INT PRIMARY KEY)");
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.latest()).build()) {
            reader.start();
            server.execute("INSERT INTO " + t + " VALUES (1, 'a'), (2, 'b')", "TRUNCATE TABLE " + t, "INSERT INTO " + t + " VALUES (3, 'c')");
            List<CapturedChange<BinlogOffset>> changes = BinlogTestSupport.poll(reader, 4);
            BinlogTestSupport.assertNoMore(reader, 300);
            assertEquals(List.of(Operation.CREATE, Operation.CREATE, Operation.TRUNCATE, Operation.CREATE),
                    changes.stream().map(c -> c.event().op()).toList());
            ChangeEvent truncate = changes.get(2).event();
            assertNull(truncate.before());
            assertNull(truncate.after());
            assertEquals(List.of("id", "v"), truncate.schema().columns().stream().map(ColumnSchema::name).toList(),
                    "the table's schema, so the truncate goes with the table's records");
            assertEquals(changes.get(0).event().schema(), truncate.schema());
            BinlogSourceInfo source = BinlogSourceInfo.of(truncate);
            assertEquals(db, source.db());
            assertEquals("t", source.table());
            assertEquals(queryPosition(server, "TRUNCATE"), source.pos(), "the position of the TRUNCATE statement");
            assertTrue(source.gtid() != null && source.thread() != null);
            assertTrue(changes.get(2).endsTransaction(), "a TRUNCATE commits on its own");
            assertTrue(changes.get(2).offsetAfter().compareTo(changes.get(1).offsetAfter()) > 0);

            // resuming right after it does not repeat it; resuming before it does
            try (BinlogReader after = BinlogTestSupport.reader(server, db).resumeFrom(changes.get(2).offsetAfter()).build()) {
                after.start();
                assertEquals(Operation.CREATE, BinlogTestSupport.poll(after, 1).get(0).event().op());
                BinlogTestSupport.assertNoMore(after, 300);
            }
            try (BinlogReader before = BinlogTestSupport.reader(server, db).resumeFrom(changes.get(1).offsetAfter()).build()) {
                before.start();
                assertEquals(List.of(Operation.TRUNCATE, Operation.CREATE), BinlogTestSupport.poll(before, 2).stream().map(c -> c.event().op()).toList());
            }
        }
    }

    @Test
    void truncatesAreSkippedWhenNotWantedAndOtherTablesGiveNone() throws Exception {
        String db = server.createDatabase("skip");
        server.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY)", "CREATE DATABASE IF NOT EXISTS " + db + "_x",
                "CREATE TABLE " + db + "_x.outside (id INT PRIMARY KEY)");
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.latest())
                .ddlOutput(new DdlOutput(false, false)).build()) {
            reader.start();
            server.execute("INSERT INTO " + db + ".t VALUES (1)", "TRUNCATE TABLE " + db + ".t", "TRUNCATE TABLE " + db + "_x.outside",
                    "INSERT INTO " + db + ".t VALUES (2)");
            assertEquals(List.of(1, 2), BinlogTestSupport.poll(reader, 2).stream().map(c -> c.event().after()[0]).toList());
            BinlogTestSupport.assertNoMore(reader, 300);
        }
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.latest()).build()) {
            reader.start();
            server.execute("TRUNCATE TABLE " + db + "_x.outside", "INSERT INTO " + db + ".t VALUES (3)");
            assertEquals(Operation.CREATE, BinlogTestSupport.poll(reader, 1).get(0).event().op(), "no change for a table not captured");
            BinlogTestSupport.assertNoMore(reader, 300);
        }
    }

    @Test
    void aCompressedTruncateIsCapturedToo() throws Exception {
        try (MariaDbServer compressing = MariaDbServer.start(new MariaDbServer.Options().arg("--log-bin-compress=ON")
                .arg("--log-bin-compress-min-len=10"))) {
            String db = compressing.createDatabase("ctrunc");
            compressing.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY)");
            RawBinlog.Current start = RawBinlog.current(compressing);
            try (BinlogReader reader = BinlogTestSupport.reader(compressing, db).startPosition(StartPosition.latest()).build()) {
                reader.start();
                compressing.execute("INSERT INTO " + db + ".t VALUES (1)", "TRUNCATE TABLE " + db + ".t");
                assertEquals(List.of(Operation.CREATE, Operation.TRUNCATE),
                        BinlogTestSupport.poll(reader, 2).stream().map(c -> c.event().op()).toList());
            }
            assertTrue(RawBinlog.read(start.file()).typeCodesFrom(start.end()).contains(RawBinlog.QUERY_COMPRESSED),
                    "the TRUNCATE was written as QUERY_COMPRESSED_EVENT");
        }
    }

    @Test
    void schemaChangesComeInOrderWithTheColumnsAfterThem() throws Exception {
        String db = server.createDatabase("schema");
        String t = db + ".t";
        server.execute("CREATE DATABASE IF NOT EXISTS " + db + "_x");
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.latest())
                .ddlOutput(new DdlOutput(true, true)).build()) {
            reader.start();
            // each statement waits for the last one to arrive: capture has caught up at each DDL statement
            server.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL)");
            List<CapturedChange<BinlogOffset>> first = new ArrayList<>(BinlogTestSupport.poll(reader, 1));
            server.execute("INSERT INTO " + t + " VALUES (1, 'a')");
            first.addAll(BinlogTestSupport.poll(reader, 1));
            server.execute("CREATE TABLE " + db + "_x.outside (id INT)", "ALTER TABLE " + db + "_x.outside ADD COLUMN z INT");
            server.execute("ALTER TABLE " + t + " ADD COLUMN price DECIMAL(10,2) UNSIGNED NULL");
            List<CapturedChange<BinlogOffset>> second = BinlogTestSupport.poll(reader, 1);
            server.execute("RENAME TABLE " + t + " TO " + db + ".t2");
            List<CapturedChange<BinlogOffset>> third = BinlogTestSupport.poll(reader, 1);
            server.execute("DROP TABLE " + db + ".t2");
            List<CapturedChange<BinlogOffset>> fourth = BinlogTestSupport.poll(reader, 1);
            BinlogTestSupport.assertNoMore(reader, 300);

            SchemaChange create = first.get(0).schemaChange();
            assertEquals("CREATE TABLE", create.type());
            assertEquals("CREATE TABLE " + t + " (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL)", create.ddl());
            assertEquals(List.of(t), create.tables().stream().map(SchemaChange.TableChange::id).toList());
            assertEquals(List.of(new SchemaChange.Column("id", "int(11)", false), new SchemaChange.Column("v", "varchar(10)", false)),
                    create.tables().get(0).columns());
            assertEquals(List.of("id"), create.tables().get(0).primaryKey());
            assertTrue(first.get(0).endsTransaction());
            assertEquals(Operation.CREATE, first.get(1).event().op(), "the row after the CREATE, in order");
            assertTrue(first.get(1).offsetAfter().compareTo(first.get(0).offsetAfter()) > 0);
            BinlogSourceInfo source = (BinlogSourceInfo) create.source();
            assertEquals(db, source.db());
            assertEquals("t", source.table());
            assertTrue(source.pos() > 0 && source.file().startsWith("mysql-bin."));

            SchemaChange alter = second.get(0).schemaChange();
            assertEquals("ALTER TABLE", alter.type());
            assertEquals(new SchemaChange.Column("price", "decimal(10,2) unsigned", true), alter.tables().get(0).columns().get(2));

            SchemaChange rename = third.get(0).schemaChange();
            assertEquals("RENAME TABLE", rename.type());
            assertEquals(List.of(t, db + ".t2"), rename.tables().stream().map(SchemaChange.TableChange::id).toList());
            assertNull(rename.tables().get(0).columns(), "the old name is gone");
            assertEquals(3, rename.tables().get(1).columns().size());

            SchemaChange drop = fourth.get(0).schemaChange();
            assertEquals("DROP TABLE", drop.type());
            assertNull(drop.tables().get(0).columns());
        }
    }

    @Test
    void schemaChangesAreNotProducedByDefault() throws Exception {
        String db = server.createDatabase("noschema");
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.latest()).build()) {
            reader.start();
            server.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY)", "ALTER TABLE " + db + ".t ADD COLUMN v INT",
                    "INSERT INTO " + db + ".t VALUES (1, 2)");
            List<CapturedChange<BinlogOffset>> changes = BinlogTestSupport.poll(reader, 1);
            assertEquals(List.of(1, 2), List.of(changes.get(0).event().after()));
            BinlogTestSupport.assertNoMore(reader, 300);
        }
    }

    /** The position of the last QUERY event whose statement starts with {@code prefix}. */
    private static long queryPosition(MariaDbServer on, String prefix) throws Exception {
        List<Long> found = new ArrayList<>();
        try (Connection c = on.adminConnection(); Statement s = c.createStatement(); ResultSet files = s.executeQuery("SHOW MASTER STATUS")) {
            files.next();
            try (Statement e = c.createStatement(); ResultSet rs = e.executeQuery("SHOW BINLOG EVENTS IN '" + files.getString(1) + "'")) {
                while (rs.next()) {
                    if (rs.getString("Event_type").startsWith("Query") && rs.getString("Info").toUpperCase().startsWith(prefix)) {
                        found.add(rs.getLong("Pos"));
                    }
                }
            }
        }
        return found.get(found.size() - 1);
    }
}
