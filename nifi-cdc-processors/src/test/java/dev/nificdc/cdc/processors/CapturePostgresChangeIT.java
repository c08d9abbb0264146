package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.PostgresServer;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.MockComponentLog;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CapturePostgresChange in NiFi's test framework against a private PostgreSQL, with NiFi's real Avro writer. */
class CapturePostgresChangeIT {
    private static PostgresServer server;
    private String db;
    private TestRunner runner;
    private FailingRecordWriter writer;
    private boolean scheduled;

    @BeforeAll
    static void startServer() {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        db = server.createDatabase("capture");
        server.execute(db, "CREATE TABLE items (id INT PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(10,2))",
                "INSERT INTO items VALUES (1, 'apple', 1.50), (2, 'pear', NULL)");
        runner = PostgresCaptureRunners.newRunner(server, db, "public\\.items");
        writer = PostgresCaptureRunners.writer(runner);
    }

    @AfterEach
    void tearDown() throws Exception {
        PostgresCaptureRunners.stopAndDropSlot(runner, server, db);
    }

    @Test
    void snapshotThenStreamAsDebeziumEnvelopesWithTopicsAndLsns() throws Exception {
        List<GenericRecord> records = drain(2);
        assertEquals(List.of("r", "r"), records.stream().map(r -> r.get("op").toString()).toList());
        server.execute(db, "UPDATE items SET price = 2.25 WHERE id = 1", "DELETE FROM items WHERE id = 2", "TRUNCATE items");
        records = drain(5);
        assertEquals(List.of("r", "r", "u", "d", "t"), records.stream().map(r -> r.get("op").toString()).toList());
        GenericRecord update = records.get(2);
        assertEquals("2.25", ((GenericRecord) update.get("after")).get("price").toString(), "numeric is PostgreSQL's exact text");
        GenericRecord source = (GenericRecord) update.get("source");
        assertEquals("postgresql", source.get("connector").toString());
        assertEquals("it", source.get("name").toString());
        assertEquals(db, source.get("db").toString());
        assertEquals("public", source.get("schema").toString());
        assertEquals("items", source.get("table").toString());
        assertTrue((Long) source.get("lsn") > 0);
        assertTrue((Long) source.get("txId") > 0);
        assertNull(records.get(4).get("before"));
        assertNull(records.get(4).get("after"));

        List<MockFlowFile> flowFiles = runner.getFlowFilesForRelationship(CapturePostgresChange.REL_SUCCESS);
        MockFlowFile last = flowFiles.get(flowFiles.size() - 1);
        assertEquals("it." + db + ".public.items", last.getAttribute("cdc.topic"));
        assertEquals(db, last.getAttribute("cdc.database"));
        assertEquals("public", last.getAttribute("cdc.schema"));
        assertTrue(last.getAttribute(CapturePostgresChange.ATTR_LAST_LSN).contains("/"));
        List<Long> sequence = flowFiles.stream().map(f -> Long.parseLong(f.getAttribute(CapturePostgresChange.ATTR_SEQUENCE_ID))).toList();
        for (int i = 1; i < sequence.size(); i++) {
            assertEquals(sequence.get(i - 1) + 1, sequence.get(i), "sequence ids increase by one");
        }
        assertTrue(runner.getStateManager().getState(Scope.CLUSTER).toMap().containsKey("pg.lsn"));
    }

    @Test
    void aFailedSessionCommitsNothingAndTheSlotWaitsForTheCommit() throws Exception {
        runner.setProperty(PostgresCaptureProperties.SNAPSHOT_MODE, PostgresSnapshotMode.NO_DATA.getValue());
        run();
        Map<String, String> before = runner.getStateManager().getState(Scope.CLUSTER).toMap();
        long confirmedAtStart = confirmed();
        server.execute(db, "INSERT INTO items VALUES (3, 'plum', 0.99)");
        writer.failAfter(0);
        assertThrows(AssertionError.class, this::run);
        assertTrue(runner.getFlowFilesForRelationship(CapturePostgresChange.REL_SUCCESS).isEmpty());
        assertEquals(before, runner.getStateManager().getState(Scope.CLUSTER).toMap(), "no state change for work that failed");
        Thread.sleep(1_500);
        assertEquals(confirmedAtStart, confirmed(), "the server is not told anything was flushed");

        writer.failAfter(-1);
        runner.clearTransferState();
        List<GenericRecord> records = drain(1);
        assertEquals(3, ((GenericRecord) records.get(0).get("after")).get("id"));
        long deadline = System.currentTimeMillis() + 10_000;
        while (confirmed() <= confirmedAtStart && System.currentTimeMillis() < deadline) {
            run();
        }
        assertTrue(confirmed() > confirmedAtStart, "after the commit, the slot confirms the change");
    }

    /**
     * While the primary role of a NiFi cluster moves, two nodes can run the processor at the same time. A run that finds
     * the cluster state changed since it read it (another node committed meanwhile: here the same state stored again,
     * which gives it a new version) commits nothing; the next run delivers the change once.
     */
    @Test
    void aRunWhoseStateAnotherNodeChangedMeanwhileCommitsNothing() throws Exception {
        runner.setProperty(PostgresCaptureProperties.SNAPSHOT_MODE, PostgresSnapshotMode.NO_DATA.getValue());
        run();
        Map<String, String> committed = runner.getStateManager().getState(Scope.CLUSTER).toMap();
        server.execute(db, "INSERT INTO items VALUES (3, 'plum', 0.99)");
        writer.beforeNextRecord(() -> {
            try {
                runner.getStateManager().setState(committed, Scope.CLUSTER);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        long deadline = System.currentTimeMillis() + 30_000;
        while (writer.actionPending()) {
            assertTrue(System.currentTimeMillis() < deadline, "the insert did not arrive");
            run();
        }
        assertTrue(runner.getFlowFilesForRelationship(CapturePostgresChange.REL_SUCCESS).isEmpty());
        assertEquals(committed, runner.getStateManager().getState(Scope.CLUSTER).toMap(), "only the other node's state");

        List<GenericRecord> records = drain(1);
        assertEquals(1, records.size());
        assertEquals(3, ((GenericRecord) records.get(0).get("after")).get("id"));
    }

    @Test
    void verifyReportsEveryCheck() {
        server.execute(db, "CREATE TABLE nokey (v INT)");
        runner.setProperty(PostgresCaptureProperties.TABLE_INCLUDE, "public\\.(items|nokey)");
        List<ConfigVerificationResult> results = ((CapturePostgresChange) runner.getProcessor())
                .verify(runner.getProcessContext(), new MockComponentLog("verify", this), Map.of());
        Map<String, ConfigVerificationResult.Outcome> outcomes = new java.util.LinkedHashMap<>();
        results.forEach(r -> outcomes.put(r.getVerificationStepName(), r.getOutcome()));
        assertEquals(ConfigVerificationResult.Outcome.SUCCESSFUL, outcomes.get("wal_level"));
        assertEquals(ConfigVerificationResult.Outcome.SUCCESSFUL, outcomes.get("REPLICATION privilege"));
        assertEquals(ConfigVerificationResult.Outcome.SUCCESSFUL, outcomes.get("replication slot"));
        assertEquals(ConfigVerificationResult.Outcome.SKIPPED, outcomes.get("replica identity of public.items"), "DEFAULT: a warning");
        assertEquals(ConfigVerificationResult.Outcome.FAILED, outcomes.get("replica identity of public.nokey"));

        runner.setProperty(PostgresCaptureProperties.TABLE_INCLUDE, "public\\.(items");
        runner.assertNotValid(); // the property's validator refuses it too
        List<ConfigVerificationResult> bad = ((CapturePostgresChange) runner.getProcessor())
                .verify(runner.getProcessContext(), new MockComponentLog("verify", this), Map.of());
        assertEquals(ConfigVerificationResult.Outcome.FAILED, bad.get(0).getOutcome());
        assertTrue(bad.get(0).getExplanation().contains("is not a valid regular expression"), bad.get(0).getExplanation());
    }

    private long confirmed() throws Exception {
        try (Connection c = server.connection(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (confirmed_flush_lsn - '0/0')::bigint FROM pg_replication_slots WHERE slot_name = '" + db + "'")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** One trigger; the first also schedules the processor. */
    private void run() {
        boolean first = !scheduled;
        scheduled = true;
        runner.run(1, false, first);
    }

    /** Runs the processor until {@code count} records arrived in total, within 30 s. */
    private List<GenericRecord> drain(int count) {
        long deadline = System.currentTimeMillis() + 30_000;
        List<GenericRecord> records = new ArrayList<>();
        while (System.currentTimeMillis() < deadline) {
            run();
            records = AvroFlowFiles.records(runner.getFlowFilesForRelationship(CapturePostgresChange.REL_SUCCESS));
            if (records.size() >= count) {
                return records;
            }
        }
        throw new AssertionError("Expected " + count + " records, got " + records.size());
    }
}
