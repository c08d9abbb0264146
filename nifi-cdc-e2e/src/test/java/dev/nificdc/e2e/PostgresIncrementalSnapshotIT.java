package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.nificdc.e2e.CdcFlows.ReplicaFlow;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.testsupport.RandomRowWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CapturePostgresChange's incremental snapshot in a real NiFi, through a graceful restart and a kill -9 in its middle,
 * while two writers insert, update (also primary keys) and delete random rows of the table being read.
 *
 * <p>The capture of templates/postgres-to-database-replica.json streams a database in which only {@code marker} matches
 * the table patterns; then the patterns are changed to take in {@code items} (10,000 rows; the administrator's
 * publication is FOR ALL TABLES), and the processor reads its rows in chunks of 100 while it streams. Its FlowFiles go
 * to a PutDatabaseRecord that appends every record (op, key, values) to an audit table in arrival order. When the
 * snapshot has finished and the stream has passed a marker row written after the writers stopped, replaying the audit by
 * key (the last record winning, a delete removing) gives exactly the rows of {@code items}. Finally a FlowFile on the
 * processor's input (GenerateFlowFile, as a user would "Run Once") requests a snapshot of {@code marker}, whose row then
 * arrives as op {@code r}.
 */
class PostgresIncrementalSnapshotIT {
    private static final int ROWS = 10_000;
    private static final String ITEMS = "CREATE TABLE items (id INT PRIMARY KEY, v VARCHAR(40), n BIGINT NOT NULL)";
    private static final String MARKER_TABLE = "CREATE TABLE marker (id INT PRIMARY KEY)";
    private static final String AUDIT = "CREATE TABLE cdc_audit (audit_id BIGSERIAL PRIMARY KEY, \"__op\" CHAR(1) NOT NULL,"
            + " id INT NOT NULL, v VARCHAR(40), n BIGINT)";
    /** The marker table's keys are negative, which the writers never use: its records are told apart in the audit by it. */
    private static final int MARKER = -1;

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
    void aTableThatStartsToBeCapturedIsReadWhileWrittenAcrossARestartAndAKill() throws Exception {
        String db = DATABASES.createSource("pgbackfill", ITEMS, MARKER_TABLE,
                "INSERT INTO items SELECT g, 'initial ' || g, g FROM generate_series(1, " + ROWS + ") g");
        JdbcTarget target = DATABASES.createReplica("pgbackfillaudit", AUDIT);

        NiFiRestClient client = nifi.client();
        ReplicaFlow flow = CdcFlows.importPostgresReplica(client, "PostgreSQL incremental snapshot " + db, DATABASES, db,
                "public\\.marker", target);
        client.updateProcessorProperties(flow.captureId(), Map.of("Table Include Pattern", "public\\.marker",
                "Incremental Snapshot Chunk Size", "100", "Max Changes Per FlowFile", "100"));
        // a run every 250 ms (a chunk every other run), so that the test can restart and kill NiFi in the table's middle
        client.updateProcessorConfig(flow.captureId(), JsonNodeFactory.instance.objectNode().put("schedulingPeriod", "250 millis"));
        client.updateProcessorProperties(flow.putId(), Map.of("Statement Type", "INSERT", "Schema Name", "public",
                "Table Name", "cdc_audit", "Unmatched Field Behavior", "Ignore Unmatched Fields",
                "Unmatched Column Behavior", "Ignore Unmatched Columns"));
        client.startGroup(flow.groupId());
        DATABASES.server().execute(db, "INSERT INTO marker VALUES (" + (MARKER - 1) + ")");
        client.await("the capture to stream marker", Duration.ofMinutes(2), () -> auditCount(target, "id = " + (MARKER - 1)), n -> n > 0);

        List<String> progress = new ArrayList<>();
        long beforeKill;
        try (RandomRowWriter writer = new RandomRowWriter(() -> DATABASES.admin(db), "items", "id", ROWS + 5_000, i -> i)
                .pauseBetweenTransactions(10).start(2)) {
            client.stopProcessor(flow.captureId());
            client.updateProcessorProperties(flow.captureId(), Map.of("Table Include Pattern", "public\\.(marker|items)"));
            client.startProcessor(flow.captureId());

            long beforeRestart = awaitSnapshotRows(client, flow, 2_000);
            progress.add("restart at " + beforeRestart + " rows");
            client.await("NiFi to persist the flow", () -> nifi.persistedFlowContains("public\\\\.(marker|items)"), saved -> saved);
            nifi.stop();
            nifi.start();
            NiFiRestClient restarted = nifi.client();

            beforeKill = awaitSnapshotRows(restarted, flow, beforeRestart + 2_000);
            progress.add("kill at " + beforeKill + " rows");
            nifi.kill();
            NiFiInstance.sleep(1_000); // the writers go on while NiFi is down; the slot keeps their changes
            nifi.start();
            NiFiRestClient afterKill = nifi.client();
            afterKill.await("the incremental snapshot to finish", Duration.ofMinutes(5), () -> afterKill.processorState(flow.captureId()),
                    state -> !state.containsKey("incremental.table.0"));
            progress.add("writer transactions: " + writer.transactions());
        }
        NiFiRestClient client2 = nifi.client();
        DATABASES.server().execute(db, "INSERT INTO marker VALUES (" + MARKER + ")");
        client2.await("the marker written after the writers stopped", Duration.ofMinutes(3), () -> auditCount(target, "id = " + MARKER), n -> n > 0);
        System.out.println("PostgresIncrementalSnapshotIT: " + progress);

        Map<Integer, String> source;
        try (Connection c = DATABASES.admin(db)) {
            source = rows(c, "SELECT id, v, n FROM items");
        }
        assertSameRows(source, replay(target));

        // the snapshot went on from its last committed chunk after the restart and after the kill, not from the start
        List<String> completions = nifi.appLogLines().stream().filter(l -> l.contains("Incremental snapshot of public.items complete")).toList();
        assertEquals(1, completions.size(), "one completion: " + completions);
        Matcher done = Pattern.compile("complete: (\\d+) rows in (\\d+) chunks").matcher(completions.get(0));
        assertTrue(done.find(), completions.get(0));
        long committed = Long.parseLong(done.group(1));
        long reads = auditCount(target, "\"__op\" = 'r' AND id > 0");
        System.out.println("PostgresIncrementalSnapshotIT: " + committed + " rows committed in " + done.group(2) + " chunks, " + reads
                + " op r records in the audit");
        assertTrue(beforeKill < committed, "the kill came before the snapshot's end");
        // each row once, plus at most a chunk read again per restart and a FlowFile PutDatabaseRecord applied again
        assertTrue(reads >= committed && reads <= committed + 400, "op r records " + reads + " for " + committed + " rows committed");

        // an ad-hoc request on the processor's input, as "Run Once" on a GenerateFlowFile would send it
        String generate = client2.createProcessor(flow.groupId(), "org.apache.nifi.processors.standard.GenerateFlowFile",
                "Request an incremental snapshot", Map.of("Custom Text", "public.marker", "Batch Size", "1"));
        client2.connect(flow.groupId(), generate, flow.captureId(), "success");
        client2.runProcessorOnce(generate);
        client2.await("the requested snapshot of marker", () -> auditCount(target, "\"__op\" = 'r' AND id = " + MARKER), n -> n > 0);
        client2.stopGroup(flow.groupId());
        DATABASES.dropSlot(db);
    }

    /** Waits until the snapshot in progress has committed at least {@code atLeast} rows of items; returns how many. */
    private static long awaitSnapshotRows(NiFiRestClient client, ReplicaFlow flow, long atLeast) {
        Map<String, String> state = client.await("the incremental snapshot to pass " + atLeast + " rows", Duration.ofMinutes(3),
                () -> client.processorState(flow.captureId()),
                s -> s.containsKey("incremental.table.0") && Long.parseLong(s.getOrDefault("incremental.rows", "0")) >= atLeast);
        return Long.parseLong(state.get("incremental.rows"));
    }

    /** The audit replayed in arrival order by key: the last record wins, a delete removes. */
    private static Map<Integer, String> replay(JdbcTarget target) throws SQLException {
        Map<Integer, String> rows = new TreeMap<>();
        try (Connection c = CdcFlows.open(target); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT \"__op\", id, v, n FROM cdc_audit WHERE id > 0 ORDER BY audit_id")) {
            while (r.next()) {
                if (r.getString(1).equals("d")) {
                    rows.remove(r.getInt(2));
                } else {
                    rows.put(r.getInt(2), r.getString(3) + "|" + r.getString(4));
                }
            }
        }
        return rows;
    }

    private static Map<Integer, String> rows(Connection connection, String query) throws SQLException {
        Map<Integer, String> rows = new TreeMap<>();
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery(query)) {
            while (r.next()) {
                rows.put(r.getInt(1), r.getString(2) + "|" + r.getString(3));
            }
        }
        return rows;
    }

    private static long auditCount(JdbcTarget target, String where) {
        try (Connection c = CdcFlows.open(target); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT COUNT(*) FROM cdc_audit WHERE " + where)) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertSameRows(Map<Integer, String> source, Map<Integer, String> replayed) {
        Set<Integer> keys = new TreeSet<>(source.keySet());
        keys.addAll(replayed.keySet());
        List<String> differences = new ArrayList<>();
        for (Integer key : keys) {
            if (!Objects.equals(source.get(key), replayed.get(key))) {
                differences.add(key + ": source " + source.get(key) + ", replayed " + replayed.get(key));
            }
        }
        assertEquals(List.of(), differences.subList(0, Math.min(10, differences.size())),
                differences.size() + " of " + keys.size() + " keys differ between items and the replayed audit");
    }
}
