package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.nificdc.e2e.CdcFlows.ReplicaFlow;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CapturePostgresChange loses nothing when NiFi is killed with SIGKILL while changes flow or in the middle of the
 * initial snapshot, and repeats at most its last committed batch, identically.
 *
 * <p>templates/postgres-to-database-replica.json replicates a table written by a {@link ChangeWriter} from one
 * PostgreSQL database into another; CapturePostgresChange's FlowFiles also go to a second PutDatabaseRecord that appends
 * every record (its LSN, operation and row) to an audit table. NiFi is killed in the middle and started again on the same
 * directory: the LSN comes back from NiFi's state, the queued FlowFiles from its repositories, and the replication slot
 * resends what the processor had not confirmed (it confirms only what NiFi committed), which the processor drops up to
 * its stored LSN. When the flow settles, the replica equals the source, every row change the writer committed is in the
 * audit table, and a change that is there twice (a kill inside NiFi's session commit, between its FlowFile and state
 * writes, repeats the last committed batch) is identical both times and belongs to one contiguous run of changes.
 *
 * <p>As in {@link BinlogCrashIT}, the sinks stop just before the kill (PutDatabaseRecord commits to the database before
 * NiFi commits its session), while the capture keeps running and committing.
 */
class PostgresCrashIT {
    private static final String ITEMS = "CREATE TABLE items (id INT PRIMARY KEY, n BIGINT NOT NULL, label VARCHAR(200), amount NUMERIC(12,2), note TEXT)";
    private static final String AUDIT = "CREATE TABLE cdc_audit (audit_id BIGSERIAL PRIMARY KEY, \"__lsn\" BIGINT, \"__txId\" BIGINT,"
            + " \"__op\" CHAR(1) NOT NULL, id INT NOT NULL, n BIGINT, label VARCHAR(200), amount NUMERIC(12,2), note TEXT)";

    private static final int SNAPSHOT_ROWS = 100_000;

    private static NiFiInstance nifi;

    @RegisterExtension
    static final PostgresSourceAndReplica DATABASES = new PostgresSourceAndReplica();

    @RegisterExtension
    static final CrashNiFi CRASH = new CrashNiFi();

    @BeforeAll
    static void start() {
        nifi = CRASH.instance();
    }

    @Test
    void noChangeLostAndOnlyTheLastBatchRepeatedIdenticallyAcrossKill() throws Exception {
        String db = DATABASES.createSource("pgcrash", ITEMS);
        JdbcTarget target = DATABASES.createReplica("pgcrashreplica", ITEMS, AUDIT);

        NiFiRestClient client = nifi.client();
        AuditedFlow audited = importWithAudit(client, "PostgreSQL crash " + db, db, target);
        ReplicaFlow flow = audited.flow();
        String auditPut = audited.auditId();
        client.startGroup(flow.groupId());
        // The writer starts once the slot streams (after the snapshot of the empty table): every change is then streamed.
        client.await("the replication slot to stream", () -> DATABASES.slotActive(db), active -> active);

        long beforeKill;
        long afterRestart;
        ChangeWriter writer = new ChangeWriter(() -> DATABASES.admin(db), "items", true).start();
        try {
            awaitCount(target, "cdc_audit", 100, Duration.ofSeconds(90), "audit rows before the kill (the flow runs)");
            client.stopProcessor(flow.putId());
            client.stopProcessor(auditPut);
            NiFiInstance.sleep(1000); // the capture keeps committing FlowFiles into the stopped sinks' queues
            client.await("NiFi to persist the flow", () -> nifi.persistedFlowContains(auditPut), saved -> saved);
            nifi.kill();
            beforeKill = writer.steps();
            NiFiInstance.sleep(2000); // changes keep coming while NiFi is down; the slot keeps them
            nifi.start();
            nifi.client().startGroup(flow.groupId());
            afterRestart = writer.steps();
            NiFiInstance.sleep(3000);
        } finally {
            writer.close();
        }
        long committed = writer.rowChanges();
        System.out.printf("PostgresCrashIT: writer steps %d (kill after %d, restart after %d), row changes committed %d%n",
                writer.steps(), beforeKill, afterRestart, committed);
        assertTrue(afterRestart > beforeKill, "the writer kept writing while NiFi was down");

        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        List<String> expected;
        List<String> actual;
        do {
            try (Connection s = DATABASES.admin(db); Connection r = CdcFlows.open(target)) {
                expected = CdcFlows.dump(s, "items");
                actual = CdcFlows.dump(r, "items");
            }
            if (!expected.equals(actual) || distinctChanges(target) < committed) {
                NiFiInstance.sleep(500);
            }
        } while ((!expected.equals(actual) || distinctChanges(target) < committed) && Instant.now().isBefore(deadline));
        NiFiRestClient restarted = nifi.client();
        restarted.await("the flow's queues to drain", () -> restarted.queuedInGroup(flow.groupId()), n -> n == 0L);
        restarted.stopGroup(flow.groupId());
        DATABASES.dropSlot(db);

        assertEquals(expected.size(), actual.size(), "replica row count after the kill");
        assertEquals(expected, actual, "replica after the kill and restart");
        assertEquals(committed, distinctChanges(target), "row changes committed by the writer vs. distinct audited changes (LSN, op, id)");
        assertRepeatsAreOneIdenticalBatch(target);
    }

    /**
     * Kill during the initial snapshot: 100,000 rows, read in pages of 500, with only the capture running (its FlowFiles
     * wait in the queues), so NiFi dies with the snapshot partly committed (the state read just before the kill says
     * so). While NiFi is down, rows in the read and the unread key ranges are updated and deleted and new rows inserted.
     * After the restart the snapshot goes on (in a new read view) and the stream follows: the replica equals the
     * source, every source row is in the audit, and no row is read twice (but for one repeated, identical batch).
     */
    @Test
    void aKillDuringTheSnapshotLosesNoRowAndTheSnapshotGoesOnInANewReadView() throws Exception {
        String db = DATABASES.createSource("pgsnapcrash", ITEMS,
                "INSERT INTO items SELECT g, g * 1000, 'row ' || g, g / 100.0, NULL FROM generate_series(1, " + SNAPSHOT_ROWS + ") g");
        JdbcTarget target = DATABASES.createReplica("pgsnapcrashreplica", ITEMS, AUDIT);
        NiFiRestClient client = nifi.client();
        AuditedFlow audited = importWithAudit(client, "PostgreSQL snapshot crash " + db, db, target);
        ReplicaFlow flow = audited.flow();
        client.updateProcessorProperties(flow.captureId(), Map.of("Max Changes Per FlowFile", "500"));
        client.await("NiFi to persist the flow", () -> nifi.persistedFlowContains(audited.auditId()), saved -> saved);

        client.put("/flow/process-groups/" + flow.groupId() + "/controller-services",
                JsonNodeFactory.instance.objectNode().put("id", flow.groupId()).put("state", "ENABLED"));
        client.await("the capture's services to be enabled", () -> client.processorValidationErrors(flow.captureId()), List::isEmpty);
        client.startProcessor(flow.captureId());
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        Map<String, String> state;
        while (!((state = captureState(client, flow.captureId())).containsKey("snapshot.status") && client.queuedInGroup(flow.groupId()) > 0)) {
            assertTrue(Instant.now().isBefore(deadline), "the snapshot did not commit a FlowFile within 120 s: " + state);
            NiFiInstance.sleep(50);
        }
        nifi.kill();
        System.out.println("PostgresCrashIT: killed during the snapshot at state " + state);
        assertEquals("running", state.get("snapshot.status"), "NiFi was killed during the snapshot");
        assertTrue(Long.parseLong(state.get("snapshot.rows")) < SNAPSHOT_ROWS, "NiFi was killed before the snapshot's last page: " + state);

        DATABASES.server().execute(db, "UPDATE items SET n = n + 1, note = 'while NiFi was down' WHERE id % 997 = 0",
                "DELETE FROM items WHERE id % 991 = 0",
                "INSERT INTO items SELECT g, g * 1000, 'new ' || g, 1.00, 'inserted while NiFi was down' FROM generate_series("
                        + (SNAPSHOT_ROWS + 1) + ", " + (SNAPSHOT_ROWS + 50) + ") g");
        nifi.start();
        NiFiRestClient restarted = nifi.client();
        restarted.startGroup(flow.groupId());
        DATABASES.server().execute(db, "UPDATE items SET label = 'after the restart' WHERE id % 1009 = 0");

        List<String> expected;
        List<String> actual;
        deadline = Instant.now().plus(Duration.ofSeconds(180));
        do {
            try (Connection s = DATABASES.admin(db); Connection r = CdcFlows.open(target)) {
                expected = CdcFlows.dump(s, "items");
                actual = CdcFlows.dump(r, "items");
            }
            if (!expected.equals(actual)) {
                NiFiInstance.sleep(1000);
            }
        } while (!expected.equals(actual) && Instant.now().isBefore(deadline));
        restarted.await("the flow's queues to drain", () -> restarted.queuedInGroup(flow.groupId()), n -> n == 0L);
        restarted.stopGroup(flow.groupId());
        DATABASES.dropSlot(db);

        assertEquals(expected.size(), actual.size(), "replica row count after the kill during the snapshot");
        assertEquals(expected, actual, "replica after the kill during the snapshot and the restart");
        System.out.println("PostgresCrashIT: snapshot reads audited " + BinlogCrashIT.query(target, "SELECT count(*) || ' rows, '"
                + " || count(DISTINCT id) || ' distinct ids, ' || count(DISTINCT \"__lsn\") || ' read-view positions' FROM cdc_audit WHERE \"__op\" = 'r'").get(0));
        assertEquals("2", BinlogCrashIT.query(target, "SELECT count(DISTINCT \"__lsn\") FROM cdc_audit WHERE \"__op\" = 'r'").get(0),
                "snapshot rows read at two positions: the slot's exported view before the kill, a new read view after it");
        List<String> notAudited = BinlogCrashIT.query(target, "SELECT count(*) FROM items i WHERE NOT EXISTS"
                + " (SELECT 1 FROM cdc_audit a WHERE a.id = i.id AND a.\"__op\" IN ('r', 'c', 'u'))");
        assertEquals("0", notAudited.get(0), "replica rows with no snapshot read, insert or update in the audit");
        assertRepeatsAreOneIdenticalBatch(target);
    }

    /** The capture processor's state (NiFi keeps it in the cluster scope, or the local one on a standalone NiFi). */
    private static Map<String, String> captureState(NiFiRestClient client, String processorId) {
        Map<String, String> state = new TreeMap<>();
        JsonNode component = client.get("/processors/" + processorId + "/state").path("componentState");
        for (String scope : List.of("localState", "clusterState")) {
            for (JsonNode entry : component.path(scope).path("state")) {
                state.put(entry.path("key").asText(), entry.path("value").asText());
            }
        }
        return state;
    }

    /** The replica flow definition with a second PutDatabaseRecord that appends every captured record to cdc_audit. */
    private static AuditedFlow importWithAudit(NiFiRestClient client, String name, String db, JdbcTarget target) {
        ReplicaFlow flow = CdcFlows.importPostgresReplica(client, name, DATABASES, db, "public\\.items", target);
        Map<String, String> audit = new LinkedHashMap<>();
        audit.put("Record Reader", flow.readerId());
        audit.put("Database Connection Pooling Service", flow.poolId());
        audit.put("Database Type", "PostgreSQL");
        audit.put("Statement Type", "INSERT");
        audit.put("Schema Name", "public");
        audit.put("Table Name", "cdc_audit");
        audit.put("Translate Field Names", "false");
        audit.put("Unmatched Field Behavior", "Ignore Unmatched Fields");
        audit.put("Unmatched Column Behavior", "Ignore Unmatched Columns");
        audit.put("Quote Column Identifiers", "true");
        audit.put("Quote Table Identifiers", "true");
        audit.put("Rollback On Failure", "true");
        String auditPut = client.createProcessor(flow.groupId(), DatabaseSink.PUT_DATABASE_RECORD, "Audit every record", audit);
        client.autoTerminate(auditPut, "success", "failure");
        client.connect(flow.groupId(), auditPut, auditPut, "retry");
        client.connect(flow.groupId(), flow.captureId(), auditPut, "success");
        return new AuditedFlow(flow, auditPut);
    }

    private record AuditedFlow(ReplicaFlow flow, String auditId) {
    }

    /** Audit rows repeated (same LSN, operation and row key) must be identical and form one contiguous run of the stream. */
    private static void assertRepeatsAreOneIdenticalBatch(JdbcTarget target) throws SQLException {
        Map<String, List<String>> byChange = new TreeMap<>();
        List<String> order = new ArrayList<>();
        try (Connection c = CdcFlows.open(target); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT \"__lsn\", \"__op\", id, \"__txId\", n, label, amount, note FROM cdc_audit ORDER BY audit_id")) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                // A snapshot row is read once whatever view it was read in; a streamed change is one WAL record's change.
                String change = "r".equals(rs.getString(2)) ? "r " + rs.getInt(3) : String.format("%020d %s %d", rs.getLong(1), rs.getString(2), rs.getInt(3));
                StringBuilder row = new StringBuilder();
                for (int i = 4; i <= meta.getColumnCount(); i++) {
                    row.append(rs.getString(i)).append('|');
                }
                if (!byChange.containsKey(change)) {
                    order.add(change);
                }
                byChange.computeIfAbsent(change, k -> new ArrayList<>()).add(row.toString());
            }
        }
        List<Integer> repeated = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            List<String> copies = byChange.get(order.get(i));
            if (copies.size() > 1) {
                assertEquals(2, copies.size(), "change " + order.get(i) + " delivered " + copies.size() + " times");
                assertEquals(copies.get(0), copies.get(1), "change " + order.get(i) + " repeated with other values");
                repeated.add(i);
            }
        }
        System.out.println("PostgresCrashIT: " + order.size() + " distinct changes audited, " + repeated.size() + " repeated");
        if (!repeated.isEmpty()) {
            assertEquals(repeated.get(repeated.size() - 1) - repeated.get(0) + 1, repeated.size(),
                    "repeated changes form one contiguous run (the last batch committed before the kill): " + repeated);
        }
    }

    private static long distinctChanges(JdbcTarget target) throws SQLException {
        return Long.parseLong(BinlogCrashIT.query(target, "SELECT COUNT(*) FROM (SELECT DISTINCT \"__lsn\", \"__op\", id FROM cdc_audit) d").get(0));
    }

    private static void awaitCount(JdbcTarget target, String table, long atLeast, Duration timeout, String what) throws SQLException {
        Instant deadline = Instant.now().plus(timeout);
        long n;
        while ((n = Long.parseLong(BinlogCrashIT.query(target, "SELECT COUNT(*) FROM " + table).get(0))) < atLeast) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Timed out waiting for " + atLeast + " " + what + "; saw " + n);
            }
            NiFiInstance.sleep(250);
        }
    }
}
