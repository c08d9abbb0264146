package dev.nificdc.e2e;

import dev.nificdc.e2e.CdcFlows.ReplicaFlow;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CaptureBinlogChange loses nothing and duplicates nothing when NiFi is killed with SIGKILL while changes flow.
 *
 * <p>templates/binlog-to-database-replica.json replicates a table written by a {@link ChangeWriter} from one private
 * MariaDB into another; CaptureBinlogChange's FlowFiles also go to a second PutDatabaseRecord that appends every
 * record's binlog coordinates ({@code __file}, {@code __pos}, {@code __row}) to an audit table. NiFi is killed in the
 * middle and started again on the same directory: the capture's binlog position comes back from NiFi's state and the
 * queued FlowFiles from its repositories. When the flow settles, the replica equals the source and every row change
 * the writer committed appears once in the audit table: a random kill does not hit the one instant inside NiFi's
 * session commit that repeats a batch ({@link BinlogCommitWindowIT} stops NiFi there on purpose).
 *
 * <p>A known limit of the sinks (not of the capture): PutDatabaseRecord commits to the database before NiFi commits
 * its session, so a kill in between applies a FlowFile twice (an insert then fails on its duplicate key and the flow
 * stalls). The sinks are therefore stopped just before the kill, while the capture keeps running and committing, and
 * started again after the restart: the kill still hits CaptureBinlogChange mid-stream.
 */
class BinlogCrashIT {
    private static final String ITEMS = "(id INT PRIMARY KEY, n BIGINT NOT NULL, label VARCHAR(200), amount DECIMAL(12,2), note TEXT)";
    private static final String AUDIT = "(audit_id BIGINT AUTO_INCREMENT PRIMARY KEY, __file VARCHAR(64) NOT NULL, __pos BIGINT NOT NULL, "
            + "__row INT NOT NULL, __op CHAR(1) NOT NULL, id INT NOT NULL)";

    private static NiFiInstance nifi;

    @RegisterExtension
    static final SourceAndReplica DATABASES = new SourceAndReplica();

    @RegisterExtension
    static final CrashNiFi CRASH = new CrashNiFi();

    @BeforeAll
    static void start() {
        nifi = CRASH.instance();
    }

    @Test
    void noChangeLostOrDuplicatedAcrossKill() throws Exception {
        String db = DATABASES.source().createDatabase("crash");
        DATABASES.source().execute("CREATE TABLE `" + db + "`.items " + ITEMS);
        DATABASES.replica().execute("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4", "CREATE TABLE `" + db + "`.items " + ITEMS,
                "CREATE TABLE `" + db + "`.cdc_audit " + AUDIT);
        JdbcTarget target = JdbcTargets.mariaDb(DATABASES.replica(), db, "nifi_replica", "replica-Secret-1");

        NiFiRestClient client = nifi.client();
        ReplicaFlow flow = CdcFlows.importReplica(client, "Binlog crash " + db, DATABASES.source(), db, target);
        Map<String, String> audit = new LinkedHashMap<>();
        audit.put("Record Reader", flow.readerId());
        audit.put("Database Connection Pooling Service", flow.poolId());
        audit.put("Database Type", "MySQL");
        audit.put("Statement Type", "INSERT");
        audit.put("put-db-record-catalog-name", "${cdc.database}"); // its display name differs between NiFi 2.3 and 2.6
        audit.put("Table Name", "cdc_audit");
        audit.put("Translate Field Names", "false");
        audit.put("Unmatched Field Behavior", "Ignore Unmatched Fields");
        audit.put("Unmatched Column Behavior", "Ignore Unmatched Columns");
        audit.put("Quote Column Identifiers", "true");
        audit.put("Quote Table Identifiers", "true");
        audit.put("Rollback On Failure", "true");
        String auditPut = client.createProcessor(flow.groupId(), DatabaseSink.PUT_DATABASE_RECORD, "Audit binlog coordinates", audit);
        client.autoTerminate(auditPut, "success", "failure");
        client.connect(flow.groupId(), auditPut, auditPut, "retry");
        client.connect(flow.groupId(), flow.captureId(), auditPut, "success");
        client.startGroup(flow.groupId());

        String items = "`" + db + "`.items";
        String auditTable = "`" + db + "`.cdc_audit";
        long beforeKill;
        long afterRestart;
        ChangeWriter writer = new ChangeWriter(DATABASES.source()::adminConnection, items, true).start();
        try {
            awaitCount(target, auditTable, 100, Duration.ofSeconds(90), "audit rows before the kill (the flow runs)");
            // The sinks stop first (see the class comment): the kill then lands while CaptureBinlogChange runs and
            // FlowFiles queue, never between a PutDatabaseRecord's database commit and its session commit.
            client.stopProcessor(flow.putId());
            client.stopProcessor(auditPut);
            NiFiInstance.sleep(1000); // the capture keeps committing FlowFiles into the stopped sinks' queues
            client.await("NiFi to persist the flow", () -> nifi.persistedFlowContains(auditPut), saved -> saved);
            nifi.kill();
            beforeKill = writer.steps();
            NiFiInstance.sleep(2000); // changes keep coming while NiFi is down
            nifi.start();
            // Components that were running come back running; starting the group again is a no-op then.
            nifi.client().startGroup(flow.groupId());
            afterRestart = writer.steps();
            NiFiInstance.sleep(3000);
        } finally {
            writer.close();
        }
        long committed = writer.rowChanges();
        System.out.printf("BinlogCrashIT: writer steps %d (kill after %d, restart after %d), row changes committed %d%n",
                writer.steps(), beforeKill, afterRestart, committed);
        assertTrue(afterRestart > beforeKill, "the writer kept writing while NiFi was down");

        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        List<String> expected;
        List<String> actual;
        do {
            try (Connection s = DATABASES.source().adminConnection(); Connection r = CdcFlows.open(target)) {
                expected = CdcFlows.dump(s, items);
                actual = CdcFlows.dump(r, items);
            }
            if (!expected.equals(actual) || count(target, auditTable) < committed) {
                NiFiInstance.sleep(500);
            }
        } while ((!expected.equals(actual) || count(target, auditTable) < committed) && Instant.now().isBefore(deadline));
        NiFiRestClient restarted = nifi.client();
        restarted.await("the flow's queues to drain", () -> restarted.queuedInGroup(flow.groupId()), n -> n == 0L);

        assertEquals(expected.size(), actual.size(), "replica row count after the kill");
        assertEquals(expected, actual, "replica after the kill and restart");
        List<String> duplicates = query(target, "SELECT CONCAT(__file, ':', __pos, '#', __row, ' ', __op, ' id=', id, ' x', COUNT(*)) FROM "
                + auditTable + " GROUP BY __file, __pos, __row, __op, id HAVING COUNT(*) > 1 ORDER BY __file, __pos, __row");
        assertEquals(List.of(), duplicates, "binlog row events delivered more than once");
        assertEquals(committed, count(target, auditTable), "row changes committed by the writer vs. audit rows (one per binlog row event)");
        assertFalse(query(target, "SELECT DISTINCT __op FROM " + auditTable).isEmpty());
        restarted.stopGroup(flow.groupId());
    }

    private static long count(JdbcTarget target, String table) throws SQLException {
        return Long.parseLong(query(target, "SELECT COUNT(*) FROM " + table).get(0));
    }

    private static void awaitCount(JdbcTarget target, String table, long atLeast, Duration timeout, String what) throws SQLException {
        Instant deadline = Instant.now().plus(timeout);
        long n = count(target, table);
        while (n < atLeast) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Timed out waiting for " + atLeast + " " + what + "; saw " + n);
            }
            NiFiInstance.sleep(250);
            n = count(target, table);
        }
    }

    static List<String> query(JdbcTarget target, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = CdcFlows.open(target); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                values.add(r.getString(1));
            }
        }
        return values;
    }
}
