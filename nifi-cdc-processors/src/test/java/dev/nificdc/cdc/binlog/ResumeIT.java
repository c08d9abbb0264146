package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restarting from the offset after any change (also inside a multi-row transaction, across a binlog rotation, and in
 * GTID mode) yields exactly the changes after it: none lost, none repeated.
 */
class ResumeIT {
    private static MariaDbServer server;
    private static String db;
    private static String startFile;
    private static long startPos;
    private static String startGtid;
    private static final int TOTAL = 12;

    @BeforeAll
    static void setUp() throws Exception {
        server = MariaDbServer.start();
        db = server.createDatabase("resume");
        server.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY, v VARCHAR(20))",
                "CREATE TABLE " + db + ".other (id INT PRIMARY KEY)");
        try (Connection c = server.adminConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
                rs.next();
                startFile = rs.getString(1);
                startPos = rs.getLong(2);
            }
            try (ResultSet rs = s.executeQuery("SELECT @@gtid_binlog_pos")) {
                rs.next();
                startGtid = rs.getString(1);
            }
        }
        String t = db + ".t";
        server.execute(
                "INSERT INTO " + t + " VALUES (1, 'one')",                                          // 1 change
                "BEGIN",
                "INSERT INTO " + t + " VALUES (2, 'two'), (3, 'three'), (4, 'four')",                // 3 changes, one event
                "INSERT INTO " + db + ".other VALUES (1)",                                           // 1 change (other table)
                "UPDATE " + t + " SET v = 'uno' WHERE id = 1",                                       // 1 change
                "COMMIT",
                "UPDATE " + t + " SET id = 20 WHERE id = 2",                                         // delete + create
                "FLUSH BINARY LOGS",
                "UPDATE " + t + " SET v = concat(v, '!') WHERE id IN (3, 4)",                        // 2 changes
                "DELETE FROM " + t + " WHERE id = 20",                                               // 1 change
                "INSERT INTO " + t + " VALUES (5, 'five')");                                         // 1 change
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void resumesExactlyAfterEveryOffsetByFilePosition() throws Exception {
        List<CapturedChange<BinlogOffset>> all = readAll(StartPosition.filePosition(startFile, startPos));
        assertShape(all);
        assertFalse(all.get(5).offsetAfter().gtidMode());
        assertResumesExactly(all);
    }

    @Test
    void resumesExactlyAfterEveryOffsetByGtid() throws Exception {
        List<CapturedChange<BinlogOffset>> all = readAll(StartPosition.gtid(startGtid));
        assertShape(all);
        assertTrue(all.get(5).offsetAfter().gtidMode());
        assertTrue(all.get(5).offsetAfter().gtidSet().matches("\\d+-\\d+-\\d+"), all.get(5).offsetAfter().gtidSet());
        assertResumesExactly(all);
    }

    private static List<CapturedChange<BinlogOffset>> readAll(StartPosition start) throws Exception {
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(start).build()) {
            reader.start();
            List<CapturedChange<BinlogOffset>> all = BinlogTestSupport.poll(reader, TOTAL);
            BinlogTestSupport.assertNoMore(reader, 300);
            return all;
        }
    }

    private static void assertShape(List<CapturedChange<BinlogOffset>> all) {
        List<Operation> ops = all.stream().map(c -> c.event().op()).toList();
        assertEquals(List.of(Operation.CREATE, Operation.CREATE, Operation.CREATE, Operation.CREATE, Operation.CREATE,
                Operation.UPDATE, Operation.DELETE, Operation.CREATE, Operation.UPDATE, Operation.UPDATE, Operation.DELETE,
                Operation.CREATE), ops);
        List<Boolean> ends = all.stream().map(CapturedChange::endsTransaction).toList();
        assertEquals(List.of(true, false, false, false, false, true, false, true, false, true, true, true), ends);
        // inside the multi-row transaction the offset points at its start and counts the emitted changes
        BinlogOffset inside = all.get(2).offsetAfter();
        assertEquals(2, inside.changesToSkip());
        assertEquals(all.get(1).offsetAfter().position(), inside.position());
        assertEquals(0, all.get(5).offsetAfter().changesToSkip());
        // the rotation moved the offsets to the next file
        assertTrue(all.get(11).offsetAfter().file().compareTo(all.get(7).offsetAfter().file()) > 0,
                all.get(7).offsetAfter() + " then " + all.get(11).offsetAfter());
        // the primary-key change became delete(2) + create(20) in one transaction
        assertEquals(2, all.get(6).event().before()[0]);
        assertEquals(20, all.get(7).event().after()[0]);
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i).offsetAfter().compareTo(all.get(i - 1).offsetAfter()) > 0,
                    "offsets increase: " + all.get(i - 1).offsetAfter() + " then " + all.get(i).offsetAfter());
        }
    }

    private static void assertResumesExactly(List<CapturedChange<BinlogOffset>> all) throws Exception {
        for (int k = 0; k < all.size(); k++) {
            BinlogOffset offset = BinlogOffset.fromStateMap(all.get(k).offsetAfter().toStateMap());
            try (BinlogReader reader = BinlogTestSupport.reader(server, db).resumeFrom(offset).build()) {
                reader.start();
                List<CapturedChange<BinlogOffset>> rest = BinlogTestSupport.poll(reader, all.size() - k - 1);
                BinlogTestSupport.assertNoMore(reader, 300);
                for (int i = 0; i < rest.size(); i++) {
                    assertEquals(signature(all.get(k + 1 + i).event()), signature(rest.get(i).event()),
                            "resumed after change " + k + " from " + offset + ", change " + i);
                    assertEquals(all.get(k + 1 + i).offsetAfter(), rest.get(i).offsetAfter(), "same offsets after resume");
                }
            }
        }
    }

    private static String signature(ChangeEvent e) {
        return e.op() + " " + e.schema().table() + " " + Arrays.toString(e.before()) + " -> " + Arrays.toString(e.after());
    }
}
