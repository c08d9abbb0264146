package dev.nificdc.e2e;

import dev.nificdc.e2e.CdcFlows.ReplicaFlow;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.e2e.FlowFileTap.TappedFlowFile;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CaptureBinlogChange when NiFi dies exactly inside its session commit, after the FlowFile repository was written and
 * before the state: the one instant at which NiFi 2.3 repeats committed output. {@link CommitWindow} holds NiFi there
 * with a breakpoint, then NiFi is killed (SIGKILL) and started again on the same directory.
 *
 * <p>The flow is templates/binlog-to-database-replica.json as shipped, plus a tap that keeps a copy of every FlowFile the
 * capture commits ({@link FlowFileTap}). After the restart:
 * <ul>
 *   <li>the FlowFiles of the interrupted commit were delivered twice, and both copies are identical (records except
 *       the capture time {@code __ts_ms}, attributes except uuid and filename);</li>
 *   <li>every record tapped, applied in sequence-id order by primary key, gives exactly the source table;</li>
 *   <li>the replica the shipped flow writes equals the source table.</li>
 * </ul>
 */
class BinlogCommitWindowIT {
    private static final String ITEMS = "(id INT PRIMARY KEY, n BIGINT NOT NULL, label VARCHAR(200), amount DECIMAL(12,2), note TEXT)";

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
    void streamedChangesRepeatedByACrashInsideTheCommitAreIdenticalAndHarmless() throws Exception {
        String db = DATABASES.source().createDatabase("window");
        DATABASES.source().execute("CREATE TABLE `" + db + "`.items " + ITEMS);
        DATABASES.replica().execute("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4", "CREATE TABLE `" + db + "`.items " + ITEMS);
        JdbcTarget target = JdbcTargets.mariaDb(DATABASES.replica(), db, "nifi_window", "window-Secret-1");
        NiFiRestClient client = nifi.client();
        ReplicaFlow flow = CdcFlows.importReplica(client, "Commit window " + db, DATABASES.source(), db, target);
        FlowFileTap tap = FlowFileTap.attach(client, flow.groupId(), flow.captureId(), "success", tapDir);
        client.startGroup(flow.groupId());
        client.await("NiFi to persist the flow", () -> nifi.persistedFlowContains("Tap: write"), saved -> saved);

        String items = "`" + db + "`.items";
        CommitWindow.Hit hit;
        ChangeWriter writer = new ChangeWriter(DATABASES.source()::adminConnection, items, true).start();
        try (CommitWindow window = CRASH.commitWindow()) {
            hit = window.awaitCommit(flow.captureId(), state -> Long.parseLong(state.get("sequence.id")) >= 20,
                    List.of("sequence.id", "binlog.file", "binlog.position"), Duration.ofSeconds(120));
            nifi.kill();
        }
        long killedAt = writer.steps();
        System.out.println("BinlogCommitWindowIT: killed inside the commit storing " + hit.state() + " after " + hit.commitsPassed()
                + " commits; writer at step " + killedAt);
        nifi.start();
        nifi.client().startGroup(flow.groupId());
        NiFiInstance.sleep(3000);
        writer.close();
        assertTrue(writer.steps() > killedAt, "the writer kept writing while NiFi was down");

        awaitReplicaEqualsSource(target, items, flow.groupId());
        List<TappedFlowFile> tapped = tap.flowFiles();
        Map<Long, List<TappedFlowFile>> bySequence = FlowFileTap.bySequenceId(tapped);
        List<Long> repeated = bySequence.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).toList();
        long committedEnd = Long.parseLong(hit.state().get("sequence.id"));
        assertFalse(repeated.isEmpty(), "the FlowFiles of the interrupted commit were delivered again");
        assertEquals(committedEnd - 1, repeated.get(repeated.size() - 1), "the repeated FlowFiles end where the interrupted commit ended");
        assertEquals(repeated.size(), repeated.get(repeated.size() - 1) - repeated.get(0) + 1, "one contiguous run of sequence ids: " + repeated);
        for (long id : repeated) {
            List<TappedFlowFile> copies = bySequence.get(id);
            assertEquals(2, copies.size(), "sequence id " + id);
            assertEquals(copies.get(0).comparableAttributes(), copies.get(1).comparableAttributes(), "attributes of sequence id " + id);
            assertEquals(withoutCaptureTime(copies.get(0)), withoutCaptureTime(copies.get(1)), "records of sequence id " + id);
        }
        System.out.printf("BinlogCommitWindowIT: %d FlowFiles tapped, sequence ids %s delivered twice (%d records)%n", tapped.size(),
                repeated, repeated.stream().mapToLong(id -> bySequence.get(id).get(0).avroRecords().size()).sum());

        try (Connection source = DATABASES.source().adminConnection()) {
            assertEquals(CdcFlows.dump(source, items), replay(tapped), "every tapped record applied by primary key, in sequence-id order");
        }
        nifi.client().stopGroup(flow.groupId());
    }

    /** Waits until the replica equals the source and the group's queues are empty. */
    private static void awaitReplicaEqualsSource(JdbcTarget target, String table, String groupId) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(180));
        List<String> expected;
        List<String> actual;
        do {
            try (Connection s = DATABASES.source().adminConnection(); Connection r = CdcFlows.open(target)) {
                expected = CdcFlows.dump(s, table);
                actual = CdcFlows.dump(r, table);
            }
            if (!expected.equals(actual) || nifi.client().queuedInGroup(groupId) > 0) {
                NiFiInstance.sleep(1000);
            }
        } while ((!expected.equals(actual) || nifi.client().queuedInGroup(groupId) > 0) && Instant.now().isBefore(deadline));
        assertEquals(expected.size(), actual.size(), "replica rows");
        assertEquals(expected, actual, "the replica after the crash inside the commit");
    }

    /** The FlowFile's records as text, without the capture time (the one field a repeat does not reproduce). */
    static List<String> withoutCaptureTime(TappedFlowFile flowFile) {
        List<String> records = new ArrayList<>();
        for (GenericRecord record : flowFile.avroRecords()) {
            if (record.hasField("__ts_ms")) {
                record.put("__ts_ms", null);
            }
            if (record.hasField("ts_ms")) {
                record.put("ts_ms", null);
            }
            records.add(record.toString());
        }
        return records;
    }

    /**
     * Flattened records applied by primary key ({@code id}), the last one winning, as a consumer would: the rows it ends
     * with, in the format of {@link CdcFlows#dump}.
     */
    static List<String> replay(List<TappedFlowFile> flowFiles) {
        Map<Integer, String> rows = new TreeMap<>();
        for (TappedFlowFile flowFile : flowFiles) {
            for (GenericRecord record : flowFile.avroRecords()) {
                int id = (Integer) record.get("id");
                if ("d".equals(String.valueOf(record.get("__op")))) {
                    rows.remove(id);
                } else {
                    rows.put(id, id + "|" + record.get("n") + "|" + record.get("label") + "|" + decimal(record.get("amount")) + "|" + record.get("note"));
                }
            }
        }
        return new ArrayList<>(rows.values());
    }

    private static String decimal(Object avroDecimal) {
        if (avroDecimal instanceof java.nio.ByteBuffer bytes) {
            byte[] unscaled = new byte[bytes.remaining()];
            bytes.duplicate().get(unscaled);
            return new java.math.BigDecimal(new java.math.BigInteger(unscaled), 2).toPlainString();
        }
        return String.valueOf(avroDecimal);
    }
}
