package dev.nificdc.e2e;

import dev.nificdc.e2e.CdcFlows.ReplicaFlow;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In the real NiFi, the replica flow definition as shipped (Snapshot Mode "initial"): a source table that already holds
 * rows is copied by the snapshot and then streamed, while a writer thread inserts, updates and deletes during the
 * snapshot; the replica ends equal to the source row by row, DATETIME(6) and TIME(6) microseconds included.
 */
class SnapshotReplicationIT {
    private static final String ACCOUNTS = "(id INT PRIMARY KEY, balance DECIMAL(12,2) NOT NULL, name VARCHAR(40), "
            + "opened DATETIME(6), daily TIME(6))";
    private static final int EXISTING_ROWS = 3_000;

    @RegisterExtension
    static final SourceAndReplica DATABASES = new SourceAndReplica();

    @RegisterExtension
    static final SharedNiFi NIFI = new SharedNiFi();

    @Test
    void existingRowsAreCopiedThenStreamedWithWritesDuringTheSnapshot() throws Exception {
        String db = DATABASES.source().createDatabase("snap");
        DATABASES.replica().execute("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4");
        String table = "`" + db + "`.accounts";
        for (MariaDbServer server : List.of(DATABASES.source(), DATABASES.replica())) {
            server.execute("CREATE TABLE " + table + " " + ACCOUNTS);
        }
        DATABASES.source().execute("INSERT INTO " + table + " SELECT seq, seq * 1.25, concat('account ', seq), "
                + "timestampadd(MICROSECOND, seq * 1001, '2024-01-01 00:00:00'), sec_to_time(seq % 86400 + 0.000001 * seq) "
                + "FROM `" + db + "`.seq_1_to_" + EXISTING_ROWS);

        JdbcTarget target = JdbcTargets.mariaDb(DATABASES.replica(), db, "nifi_snap_replica", "replica-Secret-3");
        NiFiRestClient client = NIFI.client();
        ReplicaFlow flow = CdcFlows.importReplica(client, "Snapshot replica " + db, DATABASES.source(), db, target, true);

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger writes = new AtomicInteger();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            int nextId = EXISTING_ROWS + 1;
            try {
                while (writing.get()) {
                    int id = ThreadLocalRandom.current().nextInt(1, EXISTING_ROWS + 1);
                    switch (writes.get() % 3) {
                        case 0 -> DATABASES.source().execute("UPDATE " + table + " SET balance = balance + 1, opened = now(6) WHERE id = " + id);
                        case 1 -> DATABASES.source().execute("INSERT INTO " + table + " VALUES (" + nextId++ + ", 1.00, 'new', now(6), '-01:02:03.456789')");
                        default -> DATABASES.source().execute("DELETE FROM " + table + " WHERE id = " + id);
                    }
                    writes.incrementAndGet();
                    NiFiInstance.sleep(5);
                }
            } catch (Throwable t) {
                writerFailure.set(t);
            }
        }, "snapshot-writer");
        writer.start();
        client.startGroup(flow.groupId());
        NiFiInstance.sleep(6_000); // the snapshot runs page by page while the writer keeps changing rows
        writing.set(false);
        writer.join();
        assertNull(writerFailure.get(), "the writer thread failed");
        assertTrue(writes.get() > 10, "writes happened during the snapshot: " + writes.get());

        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        List<String> expected;
        List<String> actual;
        do {
            try (Connection s = DATABASES.source().adminConnection(); Connection r = CdcFlows.open(target)) {
                expected = CdcFlows.dump(s, table);
                actual = CdcFlows.dump(r, table);
            }
            if (!expected.equals(actual)) {
                NiFiInstance.sleep(1_000);
            }
        } while (!expected.equals(actual) && Instant.now().isBefore(deadline));
        assertEquals(expected.size(), actual.size(), "rows in the replica");
        assertEquals(expected, actual, "the replica equals the source after the snapshot and " + writes.get() + " concurrent writes");
        client.stopGroup(flow.groupId());
    }
}
