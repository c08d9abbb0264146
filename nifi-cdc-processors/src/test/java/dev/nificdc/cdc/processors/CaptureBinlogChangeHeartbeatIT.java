package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.testsupport.MariaDbServer;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An idle capture while the server is busy elsewhere: the stored position keeps up with the binlog through heartbeats
 * (state-only commits), so purging the binlog behind it does no harm; the lag of an idle capture is 0; a dropped or silent
 * connection is re-established, counted, and loses nothing.
 */
class CaptureBinlogChangeHeartbeatIT {

    @Test
    void anIdleCaptureFollowsTheBinlogSoThatAPurgeBehindItDoesNoHarm() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String captured = server.createDatabase("idle");
            String busy = server.createDatabase("busy");
            server.execute("CREATE TABLE `" + captured + "`.items (id INT PRIMARY KEY, name VARCHAR(20))",
                    "INSERT INTO `" + captured + "`.items VALUES (1, 'before')",
                    "CREATE TABLE `" + busy + "`.log (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20))");
            TestRunner runner = BinlogCaptureRunners.newRunner(server, captured);
            runner.setProperty(BinlogCaptureProperties.SERVER_ID, "5801");
            runner.setProperty(BinlogCaptureProperties.HEARTBEAT_INTERVAL, "1 sec");

            assertEquals(List.of("r"), ops(drain(runner, 1)), "the snapshot of the captured table");
            String snapshotFile = state(runner).get(BinlogOffset.KEY_FILE);

            // the captured table stays idle while another database is busy through several binlog rotations
            for (int rotation = 0; rotation < 4; rotation++) {
                for (int i = 0; i < 20; i++) {
                    server.execute("INSERT INTO `" + busy + "`.log (v) VALUES ('busy')");
                }
                server.execute("FLUSH BINARY LOGS");
                runner.run(1, false, false);
            }
            String current = currentFile(server);
            long deadline = System.currentTimeMillis() + 30_000;
            while (!current.equals(state(runner).get(BinlogOffset.KEY_FILE)) && System.currentTimeMillis() < deadline) {
                runner.run(1, false, false);
            }
            assertEquals(current, state(runner).get(BinlogOffset.KEY_FILE), "the stored position followed the binlog from "
                    + snapshotFile + " without any captured change");
            assertEquals(1, runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS).size(), "heartbeats write no FlowFile");
            assertFalse(state(runner).get(BinlogOffset.KEY_GTID_SET).isBlank(), "and carry the GTID position");

            runner.run(1, true, false); // stop
            purgeBefore(server, current);
            runner.clearTransferState();
            server.execute("INSERT INTO `" + captured + "`.items VALUES (2, 'after purge')");

            List<GenericRecord> records = drain(runner, 1);
            assertEquals(List.of("c"), ops(records), "resumed without an error and without a new snapshot");
            assertEquals(2, ((GenericRecord) records.get(0).get("after")).get("id"));
            for (int i = 0; i < 3; i++) {
                runner.run(1, false, false);
            }
            assertEquals(1, AvroFlowFiles.records(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS)).size(),
                    "the change after the restart is captured exactly once");
            runner.run(1, true, false);
        }
    }

    @Test
    void theLagOfAnIdleCaptureIsZero() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("lag");
            TestRunner runner = streamingWithOneChange(server, db, "5802");

            // idle for well over the heartbeat interval: caught up, so no lag however long ago the last change was
            long idleUntil = System.currentTimeMillis() + 4_000;
            while (System.currentTimeMillis() < idleUntil) {
                runner.run(1, false, false);
            }
            assertEquals(0L, runner.getCounterValue(CaptureBinlogChange.COUNTER_LAG), "lag while caught up");
            assertEquals(1, AvroFlowFiles.records(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS)).size());
            runner.run(1, true, false);
        }
    }

    @Test
    void aDroppedConnectionIsCountedAndReEstablishedWithoutLossOrRepeat() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("dropped");
            TestRunner runner = streamingWithOneChange(server, db, "5803");
            assertEquals(0L, counter(runner, CaptureBinlogChange.COUNTER_RECONNECTS), "no reconnection yet");

            killBinlogConnections(server);
            capturesTheNextChangeOnce(runner, server, db);
            assertEquals(1L, counter(runner, CaptureBinlogChange.COUNTER_CONNECTED), "connected again");
            assertEquals(0L, counter(runner, CaptureBinlogChange.COUNTER_FAILOVERS), "the same host, no fail-over");
            runner.run(1, true, false);
        }
    }

    /**
     * A server that hangs keeps the connection open and sends nothing, not even heartbeats: after three Heartbeat
     * Intervals of silence the connection is dropped and re-established, and nothing is lost or read twice.
     */
    @Test
    void aConnectionThatFallsSilentIsReEstablished() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("silent");
            TestRunner runner = streamingWithOneChange(server, db, "5804");

            server.freeze();
            try {
                long deadline = System.currentTimeMillis() + 30_000;
                while (!warned(runner, "No binlog event or heartbeat") && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                }
            } finally {
                server.thaw();
            }
            assertTrue(warned(runner, "No binlog event or heartbeat"), "the silent connection was given up: "
                    + runner.getLogger().getWarnMessages());
            capturesTheNextChangeOnce(runner, server, db);
            runner.run(1, true, false);
        }
    }

    /** A runner streaming a new table {@code db}.items from the binlog's end, its first change (id 1) captured. */
    private static TestRunner streamingWithOneChange(MariaDbServer server, String db, String serverId) throws Exception {
        server.execute("CREATE TABLE `" + db + "`.items (id INT PRIMARY KEY)");
        TestRunner runner = BinlogCaptureRunners.newRunner(server, db);
        runner.setProperty(BinlogCaptureProperties.SERVER_ID, serverId);
        runner.setProperty(BinlogCaptureProperties.HEARTBEAT_INTERVAL, "1 sec");
        runner.setProperty(BinlogCaptureProperties.CONNECT_TIMEOUT, "2 sec");
        BinlogCaptureRunners.streamFromCurrentEnd(runner, server);
        server.execute("INSERT INTO `" + db + "`.items VALUES (1)");
        drain(runner, 1);
        assertEquals(1L, counter(runner, CaptureBinlogChange.COUNTER_CONNECTED), "connected");
        return runner;
    }

    /** After a connection problem: the next change (id 2) is captured once, after id 1, and the reconnection counted. */
    private static void capturesTheNextChangeOnce(TestRunner runner, MariaDbServer server, String db) {
        server.execute("INSERT INTO `" + db + "`.items VALUES (2)");
        drain(runner, 2, false);
        for (int i = 0; i < 3; i++) {
            runner.run(1, false, false);
        }
        List<GenericRecord> records = AvroFlowFiles.records(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS));
        assertEquals(List.of(1, 2), records.stream().map(r -> ((GenericRecord) r.get("after")).get("id")).toList(),
                "the change made after the connection problem, once");
        assertTrue(counter(runner, CaptureBinlogChange.COUNTER_RECONNECTS) >= 1, "the reconnection is counted");
    }

    private static boolean warned(TestRunner runner, String text) {
        return runner.getLogger().getWarnMessages().stream().anyMatch(m -> String.valueOf(m.getMsg()).contains(text));
    }

    /** A counter's value; a gauge that never moved from 0 has never been adjusted. */
    private static long counter(TestRunner runner, String name) {
        Long value = runner.getCounterValue(name);
        return value == null ? 0 : value;
    }

    /** Kills the server side of every binlog connection (as a network cut or a DBA's KILL would end it). */
    private static void killBinlogConnections(MariaDbServer server) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection c = server.adminConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            assertFalse(ids.isEmpty(), "a binlog connection to kill");
            for (long id : ids) {
                s.execute("KILL CONNECTION " + id);
            }
        }
    }

    /** Starts the processor and runs it until {@code count} records arrived (or 30 s passed); returns them in order. */
    private static List<GenericRecord> drain(TestRunner runner, int count) {
        return drain(runner, count, true);
    }

    /** Runs the processor (started first when {@code start}) until {@code count} records arrived, or 30 s passed. */
    private static List<GenericRecord> drain(TestRunner runner, int count, boolean start) {
        List<GenericRecord> records = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        boolean first = start;
        while (records.size() < count && System.currentTimeMillis() < deadline) {
            runner.run(1, false, first);
            first = false;
            records = AvroFlowFiles.records(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS));
        }
        assertEquals(count, records.size(), "records captured");
        return records;
    }

    private static List<String> ops(List<GenericRecord> records) {
        return records.stream().map(r -> r.get("op").toString()).toList();
    }

    private static Map<String, String> state(TestRunner runner) throws java.io.IOException {
        return runner.getStateManager().getState(Scope.CLUSTER).toMap();
    }

    private static String currentFile(MariaDbServer server) throws SQLException {
        try (Connection c = server.adminConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** PURGE BINARY LOGS TO {@code file}, retried until the older files are gone (MariaDB waits for its binlog checkpoint). */
    private static void purgeBefore(MariaDbServer server, String file) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            List<String> files = new ArrayList<>();
            try (Connection c = server.adminConnection(); Statement s = c.createStatement()) {
                s.execute("PURGE BINARY LOGS TO '" + file + "'");
                try (ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
                    while (rs.next()) {
                        files.add(rs.getString(1));
                    }
                }
            }
            if (files.equals(List.of(file))) {
                return;
            }
            assertTrue(System.currentTimeMillis() < deadline, "could not purge the binlogs before " + file + ": " + files);
            Thread.sleep(200);
        }
    }
}
