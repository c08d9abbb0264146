package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.nificdc.e2e.CdcFlows.ReplicaFlow;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.testsupport.RandomRowWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
        BackfillAudit audit = new BackfillAudit(target, "cdc_audit", "\"__op\"");

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
        client.await("the capture to stream marker", Duration.ofMinutes(2), () -> audit.count("id = " + (MARKER - 1)), n -> n > 0);

        List<String> progress = new ArrayList<>();
        long beforeKill;
        try (RandomRowWriter writer = new RandomRowWriter(() -> DATABASES.admin(db), "items", "id", ROWS + 5_000, i -> i)
                .pauseBetweenTransactions(10).start(2)) {
            client.stopProcessor(flow.captureId());
            client.updateProcessorProperties(flow.captureId(), Map.of("Table Include Pattern", "public\\.(marker|items)"));
            client.startProcessor(flow.captureId());

            long beforeRestart = BackfillAudit.awaitSnapshotRows(client, flow, 2_000);
            progress.add("restart at " + beforeRestart + " rows");
            client.await("NiFi to persist the flow", () -> nifi.persistedFlowContains("public\\\\.(marker|items)"), saved -> saved);
            nifi.stop();
            nifi.start();
            NiFiRestClient restarted = nifi.client();

            beforeKill = BackfillAudit.awaitSnapshotRows(restarted, flow, beforeRestart + 2_000);
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
        client2.await("the marker written after the writers stopped", Duration.ofMinutes(3), () -> audit.count("id = " + MARKER), n -> n > 0);
        System.out.println("PostgresIncrementalSnapshotIT: " + progress);

        try (Connection c = DATABASES.admin(db)) {
            audit.assertReplayEquals(c, "SELECT id, v, n FROM items");
        }
        audit.assertReadOnceButForRepeats(nifi, "public.items", beforeKill, "PostgresIncrementalSnapshotIT");
        audit.requestSnapshot(client2, flow, "public.marker", MARKER);
        client2.stopGroup(flow.groupId());
        DATABASES.dropSlot(db);
    }
}
