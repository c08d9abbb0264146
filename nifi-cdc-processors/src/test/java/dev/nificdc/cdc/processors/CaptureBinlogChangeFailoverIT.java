package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.testsupport.MariaDbServer;
import dev.nificdc.testsupport.ReplicationTopology;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fail-over across a real replication topology: a MariaDB primary with two GTID replicas that log what they replicate.
 * The processor captures from replica 1 while a writer changes the primary; replica 1 is killed mid-stream and capture
 * continues from replica 2 by GTID; later it restarts against replica 1 again with a position read on replica 2. Every
 * change is audited against the primary's binlog: each transaction on the captured table after the snapshot is captured
 * exactly once, in order, and the captured rows end equal to the primary's.
 */
class CaptureBinlogChangeFailoverIT {
    private static final int TRANSACTIONS = 300;
    @RegisterExtension
    static final ReplicationTopology TOPOLOGY = new ReplicationTopology();

    @Test
    void captureMovesToTheNextReplicaByGtidWithoutLossOrDuplicate() throws Exception {
        String db = TOPOLOGY.primary().createDatabase("failover");
        String table = "`" + db + "`.accounts";
        TOPOLOGY.primary().execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, balance INT NOT NULL)");
        for (int id = 1; id <= 20; id++) {
            TOPOLOGY.primary().execute("INSERT INTO " + table + " VALUES (" + id + ", 100)");
        }
        TOPOLOGY.awaitReplicas();

        TestRunner runner = BinlogCaptureRunners.newRunner(TOPOLOGY.replica1(), db);
        runner.setProperty(BinlogCaptureProperties.HOSTS, hostPort(TOPOLOGY.replica1()) + "," + hostPort(TOPOLOGY.replica2()));
        runner.setProperty(BinlogCaptureProperties.SERVER_ID, "6001");
        runner.setProperty(BinlogCaptureProperties.FAILOVER_TIMEOUT, "3 sec");
        runner.setProperty(BinlogCaptureProperties.HEARTBEAT_INTERVAL, "1 sec");
        runner.setProperty(BinlogCaptureProperties.CONNECT_TIMEOUT, "5 sec");

        List<GenericRecord> records = new ArrayList<>();
        runUntil(runner, records, () -> records.size() >= 20, "the snapshot of replica 1");
        Map<String, String> afterSnapshot = state(runner);
        String snapshotGtid = afterSnapshot.get(BinlogOffset.KEY_GTID_SET);
        assertTrue(snapshotGtid != null && snapshotGtid.matches("0-1-\\d+"), "the state after a snapshot holds its GTID position: "
                + afterSnapshot);
        assertEquals("2", afterSnapshot.get(BinlogOffset.KEY_SERVER_ID), "read from replica 1");

        AtomicInteger written = new AtomicInteger();
        Thread writer = new Thread(() -> write(table, written));
        writer.start();
        try {
            runUntil(runner, records, () -> written.get() >= TRANSACTIONS / 3 && records.size() >= 20 + TRANSACTIONS / 4,
                    "changes streamed from replica 1");
            TOPOLOGY.replica1().kill();
            writer.join(120_000);
        } finally {
            writer.join();
        }
        String end = TOPOLOGY.primary().gtidBinlogPosition();
        TOPOLOGY.replica2().awaitReplicated(end, Duration.ofSeconds(60));
        runUntil(runner, records, () -> lastGtid(records).equals(end), "every change, from replica 2 after replica 1 died");
        assertEquals(1L, runner.getCounterValue(CaptureBinlogChange.COUNTER_FAILOVERS), "moved to the next host once");
        assertTrue(logged(runner.getLogger().getWarnMessages(), "Moving to the next host in Hosts"), "the fail-over is logged");
        assertTrue(logged(runner.getLogger().getInfoMessages(), "resuming there by GTID"), "replica 2 was asked by GTID");
        runner.run(1, true, false);
        assertEquals("3", state(runner).get(BinlogOffset.KEY_SERVER_ID), "the stored position was read from replica 2");

        // a restart against replica 1 again, with a position read on replica 2: resumed by GTID
        TOPOLOGY.replica1().startAgain();
        for (int i = 0; i < 10; i++) {
            TOPOLOGY.primary().execute("UPDATE " + table + " SET balance = balance + 1 WHERE id = " + (1 + i));
        }
        String later = TOPOLOGY.primary().gtidBinlogPosition();
        TOPOLOGY.replica1().awaitReplicated(later, Duration.ofSeconds(60));
        runner.setProperty(BinlogCaptureProperties.HOSTS, hostPort(TOPOLOGY.replica1()));
        boolean[] first = {true};
        runUntil(runner, records, () -> lastGtid(records).equals(later), "the changes made while stopped, from replica 1", first);
        runner.run(1, true, false);

        audit(db, table, records, snapshotGtid);
    }

    /**
     * With a single host there is nowhere to move: after the Failover Timeout the run fails with an error saying so, and
     * the runs after it connect again once the server is back, continuing after the last committed change.
     */
    @Test
    void aSingleHostLostForLongerThanTheTimeoutFailsTheRunAndIsTriedAgain() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("single");
            server.execute("CREATE TABLE `" + db + "`.items (id INT PRIMARY KEY)");
            TestRunner runner = BinlogCaptureRunners.newRunner(server, db);
            runner.setProperty(BinlogCaptureProperties.SERVER_ID, "6002");
            runner.setProperty(BinlogCaptureProperties.FAILOVER_TIMEOUT, "2 sec");
            runner.setProperty(BinlogCaptureProperties.HEARTBEAT_INTERVAL, "1 sec");
            runner.setProperty(BinlogCaptureProperties.CONNECT_TIMEOUT, "2 sec");
            BinlogCaptureRunners.streamFromCurrentEnd(runner, server);
            server.execute("INSERT INTO `" + db + "`.items VALUES (1)");
            List<GenericRecord> records = new ArrayList<>();
            runUntil(runner, records, () -> records.size() == 1, "the first change");

            assertEquals(1L, runner.getCounterValue(CaptureBinlogChange.COUNTER_CONNECTED), "connected");
            server.kill();
            String failure = null;
            boolean shownDisconnected = false;
            long deadline = System.currentTimeMillis() + 60_000;
            while (failure == null && System.currentTimeMillis() < deadline) {
                try {
                    runner.run(1, false, false);
                    shownDisconnected |= Long.valueOf(0).equals(runner.getCounterValue(CaptureBinlogChange.COUNTER_CONNECTED));
                } catch (AssertionError e) {
                    failure = String.valueOf(e.getCause());
                }
            }
            assertTrue(shownDisconnected, "Binlog connected reads 0 while the host is down");
            assertTrue(failure != null && failure.contains(hostPort(server)), "the run fails naming the host: " + failure);
            assertTrue(logged(runner.getLogger().getWarnMessages(), "longer than the Failover Timeout"),
                    "after the Failover Timeout: " + runner.getLogger().getWarnMessages());
            assertEquals(0, runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS).size());

            server.startAgain();
            server.execute("INSERT INTO `" + db + "`.items VALUES (2)");
            deadline = System.currentTimeMillis() + 60_000;
            while (records.size() < 2 && System.currentTimeMillis() < deadline) {
                try {
                    runUntil(runner, records, () -> records.size() == 2, "the change made after the server came back");
                } catch (AssertionError e) {
                    // a run that still found the server starting up
                }
            }
            for (int i = 0; i < 3; i++) {
                runner.run(1, false, false);
                runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS).forEach(f -> records.addAll(AvroFlowFiles.records(f)));
                runner.clearTransferState();
            }
            assertEquals(List.of(1, 2), records.stream().map(r -> ((GenericRecord) r.get("after")).get("id")).toList(),
                    "each change once");
            runner.run(1, true, false);
        }
    }

    /** Every transaction on the table after the snapshot's GTID, in the primary's binlog, once and in order; rows equal. */
    private static void audit(String db, String table, List<GenericRecord> records, String snapshotGtid) throws SQLException {
        long snapshotSeq = Long.parseLong(snapshotGtid.substring(snapshotGtid.lastIndexOf('-') + 1));
        List<String> expected = primaryTransactionsOn(db, "accounts").stream()
                .filter(g -> Long.parseLong(g.substring(g.lastIndexOf('-') + 1)) > snapshotSeq).toList();
        List<GenericRecord> changes = records.stream().filter(r -> !r.get("op").toString().equals("r")).toList();
        List<String> captured = changes.stream().map(r -> ((GenericRecord) r.get("source")).get("gtid").toString()).toList();
        assertEquals(new HashSet<>(captured).size(), captured.size(), "no transaction captured twice");
        assertEquals(expected.size(), captured.size(), "transactions on the table in the primary's binlog vs captured");
        assertEquals(expected, captured, "captured in the primary's order, none missing");

        Map<Integer, Integer> copy = new TreeMap<>();
        for (GenericRecord r : records) {
            GenericRecord after = (GenericRecord) r.get("after");
            GenericRecord before = (GenericRecord) r.get("before");
            if (after != null) {
                copy.put((Integer) after.get("id"), (Integer) after.get("balance"));
            } else {
                copy.remove((Integer) before.get("id"));
            }
        }
        assertEquals(rows(table), copy, "the captured rows equal the primary's");
    }

    /** The writer: single-row transactions (inserts, updates, deletes) on the TOPOLOGY.primary(), about 100 a second. */
    private static void write(String table, AtomicInteger written) {
        try (Connection c = TOPOLOGY.primary().adminConnection(); Statement s = c.createStatement()) {
            for (int i = 1; i <= TRANSACTIONS; i++) {
                switch (i % 3) {
                    case 0 -> s.execute("INSERT INTO " + table + " VALUES (" + (1000 + i) + ", " + i + ")");
                    case 1 -> s.execute("UPDATE " + table + " SET balance = balance + " + i + " WHERE id = " + (1 + i % 20));
                    default -> s.execute("DELETE FROM " + table + " WHERE id = " + (1000 + i - 2));
                }
                written.incrementAndGet();
                Thread.sleep(10);
            }
        } catch (Exception e) {
            throw new IllegalStateException("the writer failed", e);
        }
    }

    /** The GTIDs of the primary's transactions that changed {@code db.table}, from SHOW BINLOG EVENTS, in binlog order. */
    private static List<String> primaryTransactionsOn(String db, String table) throws SQLException {
        List<String> gtids = new ArrayList<>();
        try (Connection c = TOPOLOGY.primary().adminConnection(); Statement s = c.createStatement()) {
            List<String> files = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
                while (rs.next()) {
                    files.add(rs.getString(1));
                }
            }
            for (String file : files) {
                String gtid = null;
                try (ResultSet rs = s.executeQuery("SHOW BINLOG EVENTS IN '" + file + "'")) {
                    while (rs.next()) {
                        String type = rs.getString("Event_type");
                        String info = rs.getString("Info");
                        if (type.equals("Gtid")) {
                            gtid = info.replaceFirst("^.*GTID ", "").trim();
                        } else if (type.equals("Table_map") && info.contains("(" + db + "." + table + ")") && gtid != null) {
                            gtids.add(gtid);
                            gtid = null; // one entry per transaction
                        }
                    }
                }
            }
        }
        return gtids;
    }

    private static Map<Integer, Integer> rows(String table) throws SQLException {
        Map<Integer, Integer> rows = new TreeMap<>();
        try (Connection c = TOPOLOGY.primary().adminConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, balance FROM " + table)) {
            while (rs.next()) {
                rows.put(rs.getInt(1), rs.getInt(2));
            }
        }
        return rows;
    }

    private static void runUntil(TestRunner runner, List<GenericRecord> records, java.util.function.BooleanSupplier done,
                                 String what) {
        runUntil(runner, records, done, what, new boolean[]{records.isEmpty()});
    }

    /** Runs the processor until {@code done} (120 s at most), collecting its records in sequence order into {@code records}. */
    private static void runUntil(TestRunner runner, List<GenericRecord> records, java.util.function.BooleanSupplier done,
                                 String what, boolean[] initialize) {
        long deadline = System.currentTimeMillis() + 120_000;
        while (!done.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "timed out waiting for " + what + "; " + records.size() + " records");
            runner.run(1, false, initialize[0]);
            initialize[0] = false;
            List<MockFlowFile> flowFiles = new ArrayList<>(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS));
            flowFiles.sort(Comparator.comparingLong(f -> Long.parseLong(f.getAttribute(CaptureBinlogChange.ATTR_SEQUENCE_ID))));
            flowFiles.forEach(f -> records.addAll(AvroFlowFiles.records(f)));
            runner.clearTransferState();
        }
    }

    private static boolean logged(List<org.apache.nifi.util.LogMessage> messages, String text) {
        return messages.stream().anyMatch(m -> String.valueOf(m.getMsg()).contains(text));
    }

    private static String lastGtid(List<GenericRecord> records) {
        for (int i = records.size() - 1; i >= 0; i--) {
            Object gtid = ((GenericRecord) records.get(i).get("source")).get("gtid");
            if (gtid != null) {
                return gtid.toString();
            }
        }
        return "";
    }

    private static Map<String, String> state(TestRunner runner) throws java.io.IOException {
        return runner.getStateManager().getState(Scope.CLUSTER).toMap();
    }

    private static String hostPort(MariaDbServer server) {
        return server.host() + ":" + server.port();
    }
}
