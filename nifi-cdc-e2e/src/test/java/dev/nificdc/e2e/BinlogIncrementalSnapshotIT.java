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
 * An incremental snapshot in a real NiFi, through a graceful restart and a kill -9 in its middle, while two writers
 * insert, update (also primary keys) and delete random rows of the table being read.
 *
 * <p>The capture of templates/binlog-to-database-replica.json streams a database in which only {@code marker} matches
 * the table patterns; then the patterns are changed to take in {@code items} (10,000 rows), and the processor reads its
 * rows in chunks of 100 while it streams. Its FlowFiles go to a PutDatabaseRecord that appends every record (op, key,
 * values) to an audit table in arrival order. When the snapshot has finished and the stream has passed a marker row
 * written after the writers stopped, replaying the audit by key (the last record winning, a delete removing) gives
 * exactly the rows of {@code items}. Finally a FlowFile on the processor's input (GenerateFlowFile, as a user would "Run
 * Once") requests a snapshot of {@code marker}, whose row then arrives as op {@code r}.
 */
class BinlogIncrementalSnapshotIT {
    private static final int ROWS = 10_000;
    private static final String ITEMS = "(id INT PRIMARY KEY, v VARCHAR(40), n BIGINT NOT NULL)";
    private static final String AUDIT = "(audit_id BIGINT AUTO_INCREMENT PRIMARY KEY, __op CHAR(1) NOT NULL, id INT NOT NULL,"
            + " v VARCHAR(40), n BIGINT)";
    /** The marker table's keys are negative, which the writers never use: its records are told apart in the audit by it. */
    private static final int MARKER = -1;

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
    void aTableThatStartsToBeCapturedIsReadWhileWrittenAcrossARestartAndAKill() throws Exception {
        String db = DATABASES.source().createDatabase("backfill");
        DATABASES.source().execute("CREATE TABLE `" + db + "`.items " + ITEMS, "CREATE TABLE `" + db + "`.marker (id INT PRIMARY KEY)");
        fill(db);
        DATABASES.replica().execute("CREATE DATABASE `" + db + "`", "CREATE TABLE `" + db + "`.cdc_audit " + AUDIT);
        JdbcTarget target = JdbcTargets.mariaDb(DATABASES.replica(), db, "nifi_backfill", "backfill-Secret-1");
        BackfillAudit audit = new BackfillAudit(target, "`" + db + "`.cdc_audit", "__op");

        NiFiRestClient client = nifi.client();
        ReplicaFlow flow = CdcFlows.importReplica(client, "Incremental snapshot " + db, DATABASES.source(), db, target);
        client.updateProcessorProperties(flow.captureId(), Map.of("Table Include Pattern", db + "\\.marker",
                "Incremental Snapshot Chunk Size", "100", "Max Changes Per FlowFile", "100"));
        // a run every 250 ms (a chunk every other run): on a quiet machine the whole table would otherwise be read
        // within a second or two, before the test could restart or kill NiFi in its middle
        client.updateProcessorConfig(flow.captureId(), JsonNodeFactory.instance.objectNode().put("schedulingPeriod", "250 millis"));
        client.updateProcessorProperties(flow.putId(), Map.of("Statement Type", "INSERT", "Table Name", "cdc_audit",
                "Unmatched Column Behavior", "Ignore Unmatched Columns"));
        client.startGroup(flow.groupId());
        DATABASES.source().execute("INSERT INTO `" + db + "`.marker VALUES (" + (MARKER - 1) + ")");
        client.await("the capture to commit a change of marker", () -> client.processorState(flow.captureId()),
                state -> state.containsKey("binlog.file"));

        String items = "`" + db + "`.items";
        List<String> progress = new ArrayList<>();
        long beforeKill;
        try (RandomRowWriter writer = new RandomRowWriter(DATABASES.source()::adminConnection, items, "id", ROWS + 5_000, i -> i)
                .pauseBetweenTransactions(10).start(2)) {
            client.stopProcessor(flow.captureId());
            client.updateProcessorProperties(flow.captureId(), Map.of("Table Include Pattern", db + "\\.(marker|items)"));
            client.startProcessor(flow.captureId());

            long beforeRestart = BackfillAudit.awaitSnapshotRows(client, flow, 2_000);
            progress.add("restart at " + beforeRestart + " rows");
            client.await("NiFi to persist the flow", () -> nifi.persistedFlowContains(db + "\\\\.(marker|items)"), saved -> saved);
            nifi.stop();
            nifi.start();
            NiFiRestClient restarted = nifi.client();

            beforeKill = BackfillAudit.awaitSnapshotRows(restarted, flow, beforeRestart + 2_000);
            progress.add("kill at " + beforeKill + " rows");
            nifi.kill();
            NiFiInstance.sleep(1_000); // the writers go on while NiFi is down
            nifi.start();
            NiFiRestClient afterKill = nifi.client();
            afterKill.await("the incremental snapshot to finish", Duration.ofMinutes(5), () -> afterKill.processorState(flow.captureId()),
                    state -> !state.containsKey("incremental.table.0"));
            progress.add("writer transactions: " + writer.transactions());
        }
        NiFiRestClient client2 = nifi.client();
        DATABASES.source().execute("INSERT INTO `" + db + "`.marker VALUES (" + MARKER + ")");
        client2.await("the marker written after the writers stopped", Duration.ofMinutes(3), () -> audit.count("id = " + MARKER), n -> n > 0);
        System.out.println("BinlogIncrementalSnapshotIT: " + progress);

        try (Connection c = DATABASES.source().adminConnection()) {
            audit.assertReplayEquals(c, "SELECT id, v, n FROM " + items);
        }
        audit.assertReadOnceButForRepeats(nifi, db + ".items", beforeKill, "BinlogIncrementalSnapshotIT");
        audit.requestSnapshot(client2, flow, db + ".marker", MARKER);
        client2.stopGroup(flow.groupId());
    }

    private static void fill(String db) {
        StringBuilder insert = new StringBuilder();
        for (int i = 1; i <= ROWS; i++) {
            insert.append(insert.isEmpty() ? "INSERT INTO `" + db + "`.items VALUES " : ", ")
                    .append("(").append(i).append(", 'initial ").append(i).append("', ").append(i).append(")");
            if (i % 2_500 == 0) {
                DATABASES.source().execute(insert.toString());
                insert.setLength(0);
            }
        }
    }
}
