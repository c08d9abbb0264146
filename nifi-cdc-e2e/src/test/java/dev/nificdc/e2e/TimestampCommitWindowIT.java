package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.e2e.FlowFileTap.TappedFlowFile;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CaptureTimestampChange when NiFi dies exactly inside its session commit, between the FlowFile repository write and
 * the state write ({@link CommitWindow}), while a writer inserts rows and updates older ones. After the restart the
 * FlowFiles of the interrupted commit are delivered again, identical (the same rows with the same upper bound), every
 * tapped record applied by primary key gives the source table, and an idempotent sink (PutDatabaseRecord UPSERT keyed
 * by the primary key) ends equal to the source.
 *
 * <p>The writer stops updating when NiFi is stopped in the commit and only inserts from then on: a row of the
 * interrupted range updated before the repeat would have left that range (its new version comes in a later FlowFile),
 * and the repeat would lack it. That is the documented behaviour; this test shows the identical case.
 */
class TimestampCommitWindowIT {
    private static final String ITEMS = "(id INT PRIMARY KEY, n BIGINT NOT NULL, label VARCHAR(200), amount DECIMAL(12,2), note TEXT, "
            + "updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))";
    private static final String REPLICA = "(id INT PRIMARY KEY, n BIGINT NOT NULL, label VARCHAR(200), amount DECIMAL(12,2), note TEXT)";
    private static final List<String> COLUMNS = List.of("id", "n", "label", "amount", "note");
    /** Rows there before the capture starts; the writer inserts after them. */
    private static final int EXISTING_ROWS = 300;
    /** Updates go to rows this many steps older than the row inserted, long captured. */
    private static final int UPDATE_DISTANCE = 250;

    private static NiFiInstance nifi;

    @RegisterExtension
    static final SourceAndReplica DATABASES = new SourceAndReplica();

    @RegisterExtension
    static final CrashNiFi CRASH = new CrashNiFi();

    @TempDir
    Path tapDir;

    @BeforeAll
    static void start() {
        nifi = CRASH.instance();
    }

    @Test
    void rowsRepeatedByACrashInsideTheCommitAreIdenticalAndHarmless() throws Exception {
        String db = DATABASES.source().createDatabase("tswindow");
        DATABASES.source().execute("CREATE TABLE `" + db + "`.items " + ITEMS, "INSERT INTO `" + db + "`.items (id, n, label, amount, note) "
                + "SELECT seq, seq * 1000, CONCAT('row ', seq), seq + 0.25, 'existing' FROM `" + db + "`.seq_1_to_" + EXISTING_ROWS);
        DATABASES.replica().execute("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4", "CREATE TABLE `" + db + "`.items " + REPLICA);
        JdbcTarget target = JdbcTargets.mariaDb(DATABASES.replica(), db, "nifi_tswindow", "tswindow-Secret-1");

        NiFiRestClient client = nifi.client();
        String group = client.createProcessGroup(client.rootGroupId(), "Timestamp commit window " + db);
        String pool = client.createControllerService(group, DatabaseSink.DBCP_CONNECTION_POOL, "Source database", Map.of(
                "Database Connection URL", DATABASES.source().jdbcUrl(db),
                "Database Driver Class Name", "org.mariadb.jdbc.Driver",
                "Database Driver Location(s)", JdbcTarget.jarOf(org.mariadb.jdbc.Driver.class).toString(),
                "Database User", MariaDbServer.CDC_USER,
                "Password", MariaDbServer.CDC_PASSWORD));
        client.enableControllerService(pool);
        String writer = client.createControllerService(group, "org.apache.nifi.avro.AvroRecordSetWriter", "Avro Writer (embedded schema)",
                Map.of("Schema Write Strategy", "avro-embedded", "schema-access-strategy", "inherit-record-schema"));
        client.enableControllerService(writer);
        Map<String, String> capture = new LinkedHashMap<>();
        capture.put("Database Connection Pooling Service", pool);
        capture.put("Table Names", db + ".items");
        capture.put("Timestamp Column", "updated_at");
        capture.put("Incrementing Column", "id");
        capture.put("Commit Lag", "1 sec");
        capture.put("Initial Position", "BEGINNING");
        capture.put("Max Rows Per FlowFile", "20");
        capture.put("Record Writer", writer);
        capture.put("Output Shape", "FLATTENED");
        String captureId = client.createProcessor(group, "dev.nificdc.cdc.processors.CaptureTimestampChange", "Fetch changed rows", capture);
        client.updateProcessorConfig(captureId, JsonNodeFactory.instance.objectNode().put("schedulingPeriod", "1 sec"));
        Map<String, String> put = new LinkedHashMap<>();
        put.put("Database Type", "MySQL");
        put.put("Statement Type", "UPSERT");
        put.put("Table Name", "items");
        put.put("Translate Field Names", "false");
        put.put("Unmatched Field Behavior", "Ignore Unmatched Fields");
        put.put("Unmatched Column Behavior", "Ignore Unmatched Columns");
        put.put("Quote Column Identifiers", "true");
        put.put("Rollback On Failure", "true");
        DatabaseSink sink = DatabaseSink.create(client, group, target, DatabaseSink.AVRO_READER,
                Map.of("schema-access-strategy", "embedded-avro-schema"), put);
        client.connect(group, captureId, sink.putDatabaseRecordId(), "success");
        FlowFileTap tap = FlowFileTap.attach(client, group, captureId, "success", tapDir);
        client.startGroup(group);

        String items = "`" + db + "`.items";
        CommitWindow.Hit hit;
        try (Writer changes = new Writer(items)) {
            try (CommitWindow window = CRASH.commitWindow()) {
                // a run in the steady state (the existing rows long delivered): it covers the last second's inserts
                String watermarkId = "watermark." + db + ".items.id";
                hit = window.awaitCommit(captureId, state -> state.get(watermarkId) != null && Long.parseLong(state.get(watermarkId)) >= EXISTING_ROWS + 500,
                        List.of("sequence.id", "watermark." + db + ".items.timestamp", watermarkId), Duration.ofSeconds(240));
                changes.insertOnly();
                nifi.kill();
            }
            System.out.println("TimestampCommitWindowIT: killed inside the commit storing " + hit.state() + " after " + hit.commitsPassed()
                    + " commits; writer at step " + changes.steps());
            nifi.start();
            nifi.client().startGroup(group);
            NiFiInstance.sleep(3000);
        }

        List<String> expected;
        try (Connection source = DATABASES.source().adminConnection()) {
            expected = CdcFlows.dump(source, "(SELECT " + String.join(", ", COLUMNS) + " FROM " + items + ") AS final_rows");
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(180));
        List<String> replica;
        do {
            NiFiInstance.sleep(1000);
            try (Connection r = CdcFlows.open(target)) {
                replica = CdcFlows.dump(r, items);
            }
        } while ((!replica.equals(expected) || nifi.client().queuedInGroup(group) > 0) && Instant.now().isBefore(deadline));
        assertEquals(expected.size(), replica.size(), "rows in the UPSERT sink");
        assertEquals(expected, replica, "the UPSERT sink after the crash inside the commit");

        List<TappedFlowFile> tapped = tap.flowFiles();
        Map<Long, List<TappedFlowFile>> bySequence = FlowFileTap.bySequenceId(tapped);
        List<Long> repeated = bySequence.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).toList();
        long committedEnd = Long.parseLong(hit.state().get("sequence.id"));
        assertFalse(repeated.isEmpty(), "the FlowFiles of the interrupted commit were delivered again");
        assertEquals(committedEnd - 1, repeated.get(repeated.size() - 1), "the repeated FlowFiles end where the interrupted commit ended");
        for (long id : repeated) {
            List<TappedFlowFile> copies = bySequence.get(id);
            assertEquals(2, copies.size(), "sequence id " + id);
            assertEquals(copies.get(0).comparableAttributes(), copies.get(1).comparableAttributes(), "attributes of sequence id " + id);
            assertEquals(BinlogCommitWindowIT.withoutCaptureTime(copies.get(0)), BinlogCommitWindowIT.withoutCaptureTime(copies.get(1)),
                    "records of sequence id " + id);
        }
        System.out.printf("TimestampCommitWindowIT: %d FlowFiles tapped, sequence ids %s delivered twice%n", tapped.size(), repeated);
        assertEquals(expected.stream().sorted().toList(), BinlogCommitWindowIT.replay(tapped, List.of("id"), COLUMNS),
                "every tapped record applied by primary key, in sequence-id order");
        nifi.client().stopGroup(group);
    }

    /** Inserts a row every 25 ms and, until {@link #insertOnly()}, updates a row {@link #UPDATE_DISTANCE} ids lower every third step. */
    private static final class Writer implements AutoCloseable {
        private final AtomicLong steps = new AtomicLong();
        private final AtomicLong updates = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;
        private volatile boolean stop;
        private volatile boolean updating = true;

        Writer(String table) {
            thread = new Thread(() -> {
                try (Connection c = DATABASES.source().adminConnection(); Statement s = c.createStatement()) {
                    for (int i = EXISTING_ROWS + 1; !stop; i++) {
                        s.executeUpdate("INSERT INTO " + table + " (id, n, label, amount, note) VALUES (" + i + ", " + i * 1000L
                                + ", 'row " + i + "', " + i + ".25, 'inserted')");
                        if (i % 3 == 0 && updating) {
                            updates.addAndGet(s.executeUpdate("UPDATE " + table + " SET n = n + 1, note = 'updated in step " + i
                                    + "' WHERE id = " + (i - UPDATE_DISTANCE)));
                        }
                        steps.incrementAndGet();
                        NiFiInstance.sleep(25);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "timestamp writer " + table);
            thread.start();
        }

        long steps() {
            return steps.get();
        }

        void insertOnly() {
            updating = false;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(30_000);
            assertNull(failure.get(), "the writer failed");
            assertTrue(updates.get() > 10, "the writer also updated rows: " + updates.get());
        }
    }
}
