package dev.nificdc.e2e;

import dev.nificdc.e2e.CdcFlows.ReplicaFlow;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.e2e.FlowFileTap.TappedFlowFile;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    private static final List<String> ITEM_COLUMNS = List.of("id", "n", "label", "amount", "note");
    /** A composite VARCHAR primary key: the snapshot reads such a table in one pass (it cannot page it). */
    private static final String ACCOUNTS = "(code VARCHAR(20), region VARCHAR(20), n BIGINT NOT NULL, label VARCHAR(200), "
            + "PRIMARY KEY (code, region))";
    private static final List<String> ACCOUNT_COLUMNS = List.of("code", "region", "n", "label");

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
        assertInterruptedCommitRepeatedIdentically(tapped, Long.parseLong(hit.state().get("sequence.id")), "BinlogCommitWindowIT");

        try (Connection source = DATABASES.source().adminConnection()) {
            assertEquals(sorted(CdcFlows.dump(source, items)), replay(tapped, List.of("id"), ITEM_COLUMNS),
                    "every tapped record applied by primary key, in sequence-id order");
        }
        nifi.client().stopGroup(flow.groupId());
    }

    /**
     * The phantom-row case of a paged table: the kill hits the commit of a snapshot page, and while NiFi is held there
     * (the page's FlowFile written, its progress not) rows of that page are deleted, changed and moved to other keys.
     * After the restart the page is read again in a new read view; the deletes between the two views must still reach
     * the consumer, or the first copy's rows stay for good.
     */
    @Test
    void aSnapshotPageRepeatedByACrashInsideTheCommitLeavesNoPhantomRow() throws Exception {
        String db = DATABASES.source().createDatabase("winpage");
        DATABASES.source().execute("CREATE TABLE `" + db + "`.items " + ITEMS, "INSERT INTO `" + db + "`.items SELECT seq, seq * 1000, "
                + "CONCAT('row ', seq), seq + 0.25, 'copied by the snapshot' FROM `" + db + "`.seq_1_to_3000");
        DATABASES.replica().execute("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4", "CREATE TABLE `" + db + "`.items " + ITEMS);
        JdbcTarget target = JdbcTargets.mariaDb(DATABASES.replica(), db, "nifi_winpage", "winpage-Secret-1");
        NiFiRestClient client = nifi.client();
        ReplicaFlow flow = CdcFlows.importReplica(client, "Commit window page " + db, DATABASES.source(), db, target, true);
        client.updateProcessorProperties(flow.captureId(), Map.of("Max Changes Per FlowFile", "500")); // the snapshot's page size
        FlowFileTap tap = FlowFileTap.attach(client, flow.groupId(), flow.captureId(), "success", tapDir);
        client.startGroup(flow.groupId());

        String items = "`" + db + "`.items";
        ChangeWriter writer = new ChangeWriter(DATABASES.source()::adminConnection, items, true, 3001).start();
        CommitWindow.Hit hit;
        try (CommitWindow window = CRASH.commitWindow()) {
            hit = window.awaitCommit(flow.captureId(), state -> (db + ".items").equals(state.get("snapshot.current"))
                            && Long.parseLong(state.get("snapshot.current.rows")) >= 1500,
                    List.of("sequence.id", "snapshot.current.key", "snapshot.current.rows", "snapshot.view.0"), Duration.ofSeconds(180));
            int pageEnd = Integer.parseInt(hit.state().get("snapshot.current.key"));
            changeRowsOfThePage(items, pageEnd - 499, pageEnd);
            nifi.kill();
        }
        System.out.println("BinlogCommitWindowIT: killed inside the commit of the snapshot page storing " + hit.state());
        restartAndStop(flow.groupId(), writer);

        awaitReplicaEqualsSource(target, items, flow.groupId());
        List<TappedFlowFile> tapped = tap.flowFiles();
        long pageSequenceId = Long.parseLong(hit.state().get("sequence.id")) - 1;
        Map<Long, List<TappedFlowFile>> bySequence = FlowFileTap.bySequenceId(tapped);
        System.out.println("BinlogCommitWindowIT: " + tapped.size() + " FlowFiles tapped; first sequence ids: " + copiesBySequence(bySequence));
        assertEquals(2, bySequence.get(pageSequenceId).size(), () -> "the page's FlowFile was delivered again; FlowFiles by sequence id: "
                + copiesBySequence(bySequence));
        try (Connection source = DATABASES.source().adminConnection()) {
            assertEquals(sorted(CdcFlows.dump(source, items)), replay(tapped, List.of("id"), ITEM_COLUMNS),
                    "every tapped record applied by primary key: no phantom row of the page delivered twice");
        }
        nifi.client().stopGroup(flow.groupId());
    }

    /**
     * The phantom-row case of a table read in one pass (composite VARCHAR key): the kill hits the commit that holds the
     * whole table; rows are deleted, changed and moved while NiFi is held there; after the restart the table is read
     * again in a new read view.
     */
    @Test
    void aTableReadInOnePassRepeatedByACrashInsideTheCommitLeavesNoPhantomRow() throws Exception {
        String db = DATABASES.source().createDatabase("winone");
        DATABASES.source().execute("CREATE TABLE `" + db + "`.accounts " + ACCOUNTS, "CREATE TABLE `" + db + "`.zz_after (id INT PRIMARY KEY)",
                "INSERT INTO `" + db + "`.accounts SELECT CONCAT('acct-', seq), ELT(seq % 3 + 1, 'eu', 'us', 'ap'), seq, CONCAT('account ', seq) "
                        + "FROM `" + db + "`.seq_1_to_2000", "INSERT INTO `" + db + "`.zz_after VALUES (1)");
        DATABASES.replica().execute("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4", "CREATE TABLE `" + db + "`.accounts " + ACCOUNTS,
                "CREATE TABLE `" + db + "`.zz_after (id INT PRIMARY KEY)");
        JdbcTarget target = JdbcTargets.mariaDb(DATABASES.replica(), db, "nifi_winone", "winone-Secret-1");
        NiFiRestClient client = nifi.client();
        ReplicaFlow flow = CdcFlows.importReplica(client, "Commit window one pass " + db, DATABASES.source(), db, target, true);
        client.updateProcessorProperties(flow.captureId(), Map.of("Max Changes Per FlowFile", "500"));
        FlowFileTap tap = FlowFileTap.attach(client, flow.groupId(), flow.captureId(), "success", tapDir);
        client.startGroup(flow.groupId());

        String accounts = "`" + db + "`.accounts";
        CommitWindow.Hit hit;
        try (CommitWindow window = CRASH.commitWindow()) {
            hit = window.awaitCommit(flow.captureId(), state -> state.get("snapshot.table." + db + ".accounts") != null,
                    List.of("sequence.id", "snapshot.rows", "snapshot.view.0"), Duration.ofSeconds(180));
            DATABASES.source().execute("DELETE FROM " + accounts + " WHERE n % 80 = 7",
                    "UPDATE " + accounts + " SET label = 'changed while NiFi was held' WHERE n % 80 = 11",
                    "UPDATE " + accounts + " SET code = CONCAT(code, '-moved') WHERE n % 400 = 13",
                    "INSERT INTO " + accounts + " VALUES ('acct-new-1', 'eu', -1, 'inserted while NiFi was held')");
            nifi.kill();
        }
        System.out.println("BinlogCommitWindowIT: killed inside the commit of the one-pass table storing " + hit.state());
        nifi.start();
        nifi.client().startGroup(flow.groupId());
        DATABASES.source().execute("DELETE FROM " + accounts + " WHERE n % 80 = 19", "INSERT INTO " + accounts + " VALUES ('acct-new-2', 'us', -2, 'after')");

        awaitReplicaEqualsSource(target, accounts, flow.groupId());
        List<TappedFlowFile> tapped = tap.flowFiles();
        Map<Long, List<TappedFlowFile>> bySequence = FlowFileTap.bySequenceId(tapped);
        long end = Long.parseLong(hit.state().get("sequence.id"));
        for (long id = end - 4; id < end; id++) {
            assertEquals(2, bySequence.get(id).size(), "FlowFile " + id + " of the table's one commit was delivered again");
        }
        try (Connection source = DATABASES.source().adminConnection()) {
            List<TappedFlowFile> ofAccounts = tapped.stream().filter(f -> "accounts".equals(f.attribute("cdc.table"))).toList();
            assertEquals(sorted(CdcFlows.dump(source, accounts)), replay(ofAccounts, List.of("code", "region"), ACCOUNT_COLUMNS),
                    "every tapped record applied by primary key: no phantom row of the table delivered twice");
        }
        nifi.client().stopGroup(flow.groupId());
    }

    /** Deletes, changes and moves (to another key range) rows of a delivered snapshot page, ids {@code from..to}. */
    private static void changeRowsOfThePage(String items, int from, int to) {
        List<String> statements = new ArrayList<>();
        for (int id = from + 3; id <= to; id += 37) {
            statements.add("DELETE FROM " + items + " WHERE id = " + id);
            statements.add("UPDATE " + items + " SET note = 'changed while NiFi was held', amount = amount + 100 WHERE id = " + (id + 1));
        }
        statements.add("UPDATE " + items + " SET id = 900000 + id WHERE id IN (" + (from + 5) + ", " + (to - 5) + ")");
        statements.add("UPDATE " + items + " SET id = " + (from + 3) + " WHERE id = 2999"); // into the page, on a key deleted above
        DATABASES.source().execute(statements.toArray(String[]::new));
    }

    /** Starts NiFi again after the kill, lets the writer go on for a while, then stops it. */
    private static void restartAndStop(String groupId, ChangeWriter writer) throws InterruptedException {
        long killedAt = writer.steps();
        nifi.start();
        nifi.client().startGroup(groupId);
        NiFiInstance.sleep(3000);
        writer.close();
        assertTrue(writer.steps() > killedAt, "the writer kept writing while NiFi was down");
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
        assertEquals(0, nifi.client().queuedInGroup(groupId), "FlowFiles still queued in the group after the replica caught up");
        assertEquals(expected.size(), actual.size(), "replica rows");
        assertEquals(expected, actual, "the replica after the crash inside the commit");
    }

    /**
     * The FlowFiles of the commit NiFi was killed in, which ended before sequence id {@code committedEnd}, were delivered
     * twice, as one contiguous run of sequence ids ending there, and both copies of each are identical (attributes but
     * uuid/filename/path, records but the capture time); nothing else was delivered twice.
     */
    static void assertInterruptedCommitRepeatedIdentically(List<TappedFlowFile> tapped, long committedEnd, String test) {
        Map<Long, List<TappedFlowFile>> bySequence = FlowFileTap.bySequenceId(tapped);
        List<Long> repeated = bySequence.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).toList();
        assertFalse(repeated.isEmpty(), "the FlowFiles of the interrupted commit were delivered again");
        assertEquals(committedEnd - 1, repeated.get(repeated.size() - 1), "the repeated FlowFiles end where the interrupted commit ended");
        assertEquals(repeated.size(), repeated.get(repeated.size() - 1) - repeated.get(0) + 1, "one contiguous run of sequence ids: " + repeated);
        for (long id : repeated) {
            List<TappedFlowFile> copies = bySequence.get(id);
            assertEquals(2, copies.size(), "sequence id " + id);
            assertEquals(copies.get(0).comparableAttributes(), copies.get(1).comparableAttributes(), "attributes of sequence id " + id);
            assertEquals(withoutCaptureTime(copies.get(0)), withoutCaptureTime(copies.get(1)), "records of sequence id " + id);
        }
        System.out.printf("%s: %d FlowFiles tapped, sequence ids %s delivered twice (%d records)%n", test, tapped.size(),
                repeated, repeated.stream().mapToLong(id -> bySequence.get(id).get(0).avroRecords().size()).sum());
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
     * Flattened records applied by primary key (the {@code key} columns), the last one winning, as a consumer would: the
     * rows it ends with, each as {@code columns} joined by "|" like {@link CdcFlows#dump}, sorted.
     */
    static List<String> replay(List<TappedFlowFile> flowFiles, List<String> key, List<String> columns) {
        Map<List<String>, String> rows = new HashMap<>();
        for (TappedFlowFile flowFile : flowFiles) {
            for (GenericRecord record : flowFile.avroRecords()) {
                List<String> id = key.stream().map(column -> text(record, column)).toList();
                if ("d".equals(String.valueOf(record.get("__op")))) {
                    rows.remove(id);
                } else {
                    rows.put(id, String.join("|", columns.stream().map(column -> text(record, column)).toList()));
                }
            }
        }
        return rows.values().stream().sorted().toList();
    }

    /** A column of a flattened record as JDBC's getString shows it (decimals with their scale, NULL as "null"). */
    private static String text(GenericRecord record, String column) {
        Object value = record.get(column);
        if (value instanceof ByteBuffer bytes) {
            Schema schema = record.getSchema().getField(column).schema();
            Schema decimal = schema.getType() == Schema.Type.UNION
                    ? schema.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow() : schema;
            byte[] unscaled = new byte[bytes.remaining()];
            bytes.duplicate().get(unscaled);
            return new BigDecimal(new BigInteger(unscaled), ((LogicalTypes.Decimal) decimal.getLogicalType()).getScale()).toPlainString();
        }
        return String.valueOf(value);
    }

    /** "sequence id: copies (records, cdc.snapshot... attributes)" of the first FlowFiles, to tell from a CI log what was repeated. */
    private static String copiesBySequence(Map<Long, List<TappedFlowFile>> bySequence) {
        return bySequence.entrySet().stream().limit(12).map(e -> e.getKey() + ": " + e.getValue().size() + "x "
                + e.getValue().stream().map(f -> f.avroRecords().size() + " records " + f.attribute("cdc.operations")).toList())
                .toList().toString();
    }

    private static List<String> sorted(List<String> rows) {
        return rows.stream().sorted().toList();
    }
}
