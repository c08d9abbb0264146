package dev.nificdc.e2e;

import dev.nificdc.e2e.CdcFlows.ReplicaFlow;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.e2e.FlowFileTap.TappedFlowFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CapturePostgresChange when NiFi dies exactly inside its session commit, after the FlowFile repository was written and
 * before the state (the one instant at which NiFi 2.3 repeats committed output): {@link CommitWindow} holds NiFi there,
 * then NiFi is killed (SIGKILL) and started again on the same directory. The replication slot resends from the LSN the
 * processor last confirmed, which is never past what NiFi committed.
 *
 * <p>The flow is templates/postgres-to-database-replica.json as shipped, plus a tap that keeps a copy of every FlowFile
 * the capture commits ({@link FlowFileTap}). After the restart the FlowFiles of the interrupted commit were delivered
 * twice, both copies identical (records but the capture time, attributes but uuid and filename), the repeats are one
 * contiguous run of sequence ids ending where the interrupted commit ended, every tapped record applied by primary key
 * gives exactly the source table, and so does the replica the shipped flow writes.
 */
class PostgresCommitWindowIT {
    private static final String ITEMS = "CREATE TABLE items (id INT PRIMARY KEY, n BIGINT NOT NULL, label VARCHAR(200), amount NUMERIC(12,2), note TEXT)";
    private static final List<String> ITEM_COLUMNS = List.of("id", "n", "label", "amount", "note");

    private static NiFiInstance nifi;

    @RegisterExtension
    static final PostgresSourceAndReplica DATABASES = new PostgresSourceAndReplica();

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
        String db = DATABASES.createSource("pgwindow", ITEMS);
        JdbcTarget target = DATABASES.createReplica("pgwindowreplica", ITEMS);
        NiFiRestClient client = nifi.client();
        ReplicaFlow flow = CdcFlows.importPostgresReplica(client, "PostgreSQL commit window " + db, DATABASES, db, "public\\.items", target);
        FlowFileTap tap = FlowFileTap.attach(client, flow.groupId(), flow.captureId(), "success", tapDir);
        client.startGroup(flow.groupId());
        client.await("NiFi to persist the flow", () -> nifi.persistedFlowContains("Tap: write"), saved -> saved);
        client.await("the replication slot to stream", () -> DATABASES.slotActive(db), active -> active);

        CommitWindow.Hit hit;
        ChangeWriter writer = new ChangeWriter(() -> DATABASES.admin(db), "items", true).start();
        try (CommitWindow window = CRASH.commitWindow()) {
            hit = window.awaitCommit(flow.captureId(), state -> state.get("sequence.id") != null && Long.parseLong(state.get("sequence.id")) >= 20,
                    List.of("sequence.id", "pg.lsn", "pg.changes.skip"), Duration.ofSeconds(120));
            nifi.kill();
        }
        long killedAt = writer.steps();
        System.out.println("PostgresCommitWindowIT: killed inside the commit storing " + hit.state() + " after " + hit.commitsPassed()
                + " commits; writer at step " + killedAt);
        nifi.start();
        nifi.client().startGroup(flow.groupId());
        NiFiInstance.sleep(3000);
        writer.close();
        assertTrue(writer.steps() > killedAt, "the writer kept writing while NiFi was down");

        awaitReplicaEqualsSource(db, target, flow.groupId());
        List<TappedFlowFile> tapped = tap.flowFiles();
        BinlogCommitWindowIT.assertInterruptedCommitRepeatedIdentically(tapped, Long.parseLong(hit.state().get("sequence.id")),
                "PostgresCommitWindowIT");

        try (Connection source = DATABASES.admin(db)) {
            assertEquals(CdcFlows.dump(source, "items").stream().sorted().toList(),
                    BinlogCommitWindowIT.replay(tapped, List.of("id"), ITEM_COLUMNS), "every tapped record applied by primary key, in sequence-id order");
        }
        nifi.client().stopGroup(flow.groupId());
        DATABASES.dropSlot(db);
    }

    /** Waits until the replica equals the source and the group's queues are empty. */
    private static void awaitReplicaEqualsSource(String db, JdbcTarget target, String groupId) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(180));
        List<String> expected;
        List<String> actual;
        long queued;
        do {
            try (Connection s = DATABASES.admin(db); Connection r = CdcFlows.open(target)) {
                expected = CdcFlows.dump(s, "items");
                actual = CdcFlows.dump(r, "items");
            }
            queued = nifi.client().queuedInGroup(groupId);
            if (!expected.equals(actual) || queued > 0) {
                NiFiInstance.sleep(1000);
            }
        } while ((!expected.equals(actual) || queued > 0) && Instant.now().isBefore(deadline));
        assertEquals(0, queued, "FlowFiles still queued in the group after the replica caught up");
        assertEquals(expected.size(), actual.size(), "replica rows");
        assertEquals(expected, actual, "the replica after the crash inside the commit");
    }
}
