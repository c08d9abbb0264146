package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.MariaDbServer;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.MockComponentLog;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CaptureBinlogChange in NiFi's test framework against a private MariaDB, with NiFi's real Avro writer. */
class CaptureBinlogChangeIT {
    private static MariaDbServer server;
    private String db;
    private TestRunner runner;
    private FailingRecordWriter writer;

    @BeforeAll
    static void startServer() {
        server = MariaDbServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        db = server.createDatabase("capture");
        server.execute("CREATE TABLE `" + db + "`.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, price DECIMAL(10,2))");
        runner = BinlogCaptureRunners.newRunner(server, db);
        writer = BinlogCaptureRunners.writer(runner);
        runner.setProperty(BinlogCaptureProperties.SERVER_ID, "5501");
        runner.setProperty(OutputProperties.TOPIC_PREFIX, "it");
        BinlogCaptureRunners.streamFromCurrentEnd(runner, server);
    }

    @Test
    void capturesInsertsUpdatesAndDeletesInCommitOrder() {
        server.execute("START TRANSACTION",
                "INSERT INTO `" + db + "`.items VALUES (1, 'apple', 1.50), (2, 'pear', NULL), (3, 'plum', 0.99)",
                "COMMIT",
                "UPDATE `" + db + "`.items SET price = 2.25 WHERE id = 1",
                "DELETE FROM `" + db + "`.items WHERE id = 2",
                "UPDATE `" + db + "`.items SET id = 30 WHERE id = 3");

        List<GenericRecord> records = drain(7);
        assertEquals(List.of("c", "c", "c", "u", "d", "d", "c"), records.stream().map(r -> r.get("op").toString()).toList());
        GenericRecord update = records.get(3);
        assertEquals("1.50", decimal(row(update, "before"), "price"));
        assertEquals("2.25", decimal(row(update, "after"), "price"));
        assertEquals("apple", row(update, "after").get("name").toString());
        assertNull(records.get(4).get("after"));
        assertEquals(2, row(records.get(4), "before").get("id"));
        assertEquals(3, row(records.get(5), "before").get("id"), "a primary-key change deletes the old key");
        assertEquals(30, row(records.get(6), "after").get("id"), "and creates the new one");
        GenericRecord source = (GenericRecord) records.get(0).get("source");
        assertEquals(db, source.get("db").toString());
        assertEquals("items", source.get("table").toString());
        assertEquals("it", source.get("name").toString());

        List<MockFlowFile> flowFiles = runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS);
        List<Long> sequence = flowFiles.stream().map(f -> Long.parseLong(f.getAttribute(CaptureBinlogChange.ATTR_SEQUENCE_ID))).toList();
        for (int i = 0; i < sequence.size(); i++) {
            assertEquals(i, sequence.get(i), "sequence ids count FlowFiles from 0: " + sequence);
        }
        flowFiles.forEach(f -> f.assertAttributeEquals("cdc.topic", "it." + db + ".items"));
        assertEquals(4L, runner.getCounterValue("Changes captured: create"), "three inserts and the re-inserted key");
        assertEquals(2L, runner.getCounterValue("Changes captured: delete"));
    }

    @Test
    void restartResumesAfterTheLastCommittedChangeWithoutLossOrDuplicate() throws Exception {
        insertRows(1, 5);
        assertEquals(ids(1, 5), ids(drain(5), "after"));
        runner.run(1, true, false); // stop: closes the binlog connection
        Map<String, String> state = runner.getStateManager().getState(Scope.CLUSTER).toMap();
        assertFalse(state.isEmpty(), "the binlog position is stored");

        insertRows(6, 10);
        runner.clearTransferState();
        assertEquals(ids(6, 10), ids(drain(5), "after"));
    }

    @Test
    void aRunThatFailsMidwayCommitsNothingAndTheNextRunDeliversEverythingOnce() throws Exception {
        insertRows(1, 3);
        assertEquals(ids(1, 3), ids(drain(3), "after"));
        Map<String, String> committed = runner.getStateManager().getState(Scope.CLUSTER).toMap();

        // Five single-row transactions; the sink dies after two records of the run.
        insertRows(4, 8);
        writer.failAfter(2);
        runner.clearTransferState();
        assertThrows(Throwable.class, () -> runner.run(1, false, false));
        runner.assertTransferCount(CaptureBinlogChange.REL_SUCCESS, 0);
        assertEquals(committed, runner.getStateManager().getState(Scope.CLUSTER).toMap(), "no state change for failed work");

        writer.failAfter(-1);
        assertEquals(ids(4, 8), ids(drain(5), "after"));
    }

    /**
     * While the primary role of a NiFi cluster moves, the old and the new primary can run the processor at the same
     * time. A run that finds the cluster state changed since it read it (another node committed meanwhile: here the
     * same state stored again, which gives it a new version) commits nothing; the next run continues from the stored
     * state and delivers everything once.
     */
    @Test
    void aRunWhoseStateAnotherNodeChangedMeanwhileCommitsNothing() throws Exception {
        insertRows(1, 3);
        assertEquals(ids(1, 3), ids(drain(3), "after"));
        Map<String, String> committed = runner.getStateManager().getState(Scope.CLUSTER).toMap();

        insertRows(4, 6);
        writer.beforeNextRecord(() -> {
            try {
                runner.getStateManager().setState(committed, Scope.CLUSTER);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        runner.clearTransferState();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (writer.actionPending()) {
            assertTrue(System.nanoTime() < deadline, "the inserts did not arrive");
            runner.run(1, false, false);
        }
        runner.assertTransferCount(CaptureBinlogChange.REL_SUCCESS, 0);
        assertEquals(committed, runner.getStateManager().getState(Scope.CLUSTER).toMap(), "only the other node's state");

        assertEquals(ids(4, 6), ids(drain(3), "after"));
    }

    /**
     * Two tables whose names reduce to one Kafka topic ('order items' and 'order_items' both become ..order_items): with
     * the Kafka Record Wrapper shape the topic is each record's destination, so the second table stops the run with an
     * error naming both tables, and nothing of the run is committed.
     */
    @Test
    void tablesThatShareATopicStopTheRunNamingBothAndCommitNothing() throws Exception {
        server.execute("CREATE TABLE `" + db + "`.`order items` (id INT PRIMARY KEY)",
                "CREATE TABLE `" + db + "`.order_items (id INT PRIMARY KEY)");
        BinlogCaptureRunners.streamFromCurrentEnd(runner, server);
        runner.setProperty(OutputProperties.OUTPUT_SHAPE, "KAFKA_WRAPPER");
        server.execute("INSERT INTO `" + db + "`.`order items` VALUES (1)");
        drain(1);
        runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS)
                .forEach(f -> f.assertAttributeEquals("cdc.topic", "it." + db + ".order_items"));
        Map<String, String> committed = runner.getStateManager().getState(Scope.CLUSTER).toMap();

        server.execute("INSERT INTO `" + db + "`.order_items VALUES (2)");
        runner.clearTransferState();
        Throwable refused = null;
        for (int attempt = 0; attempt < 40 && refused == null; attempt++) {
            try {
                runner.run(1, false, false); // until the reader has the insert
            } catch (Throwable t) {
                refused = t;
            }
        }
        assertNotNull(refused, "the change to order_items was refused");
        String message = messages(refused);
        assertTrue(message.contains("Tables " + db + ".order items and " + db + ".order_items both map to the Kafka topic 'it." + db
                + ".order_items'"), message);
        runner.assertTransferCount(CaptureBinlogChange.REL_SUCCESS, 0);
        assertEquals(committed, runner.getStateManager().getState(Scope.CLUSTER).toMap(), "no state change for failed work");
    }

    private static String messages(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append('\n');
        }
        return text.toString();
    }

    @Test
    void verifyReportsEachServerCheckAndWrongCredentials() {
        CaptureBinlogChange processor = (CaptureBinlogChange) runner.getProcessor();
        List<ConfigVerificationResult> ok = processor.verify(runner.getProcessContext(), new MockComponentLog("v", processor), Map.of());
        assertTrue(ok.size() > 3, "one result per check: " + ok);
        ok.forEach(r -> assertFalse(r.getOutcome() == ConfigVerificationResult.Outcome.FAILED, r.toString()));

        runner.setProperty(BinlogCaptureProperties.PASSWORD, "wrong");
        List<ConfigVerificationResult> denied = processor.verify(runner.getProcessContext(), new MockComponentLog("v", processor), Map.of());
        ConfigVerificationResult connect = denied.stream().filter(r -> r.getVerificationStepName().startsWith("Connect")).findFirst().orElseThrow();
        assertEquals(ConfigVerificationResult.Outcome.FAILED, connect.getOutcome());
        assertTrue(connect.getExplanation().contains("password"), connect.getExplanation());
    }

    @Test
    void verifyNamesTheServerSettingsToChange() {
        try (MariaDbServer mixed = MariaDbServer.start(new MariaDbServer.Options().binlogFormat("MIXED").rowMetadata("MINIMAL"))) {
            runner.setProperty(BinlogCaptureProperties.HOSTS, mixed.host() + ":" + mixed.port());
            CaptureBinlogChange processor = (CaptureBinlogChange) runner.getProcessor();
            List<ConfigVerificationResult> results = processor.verify(runner.getProcessContext(), new MockComponentLog("v", processor), Map.of());
            String failed = results.stream().filter(r -> r.getOutcome() == ConfigVerificationResult.Outcome.FAILED)
                    .map(ConfigVerificationResult::getExplanation).collect(Collectors.joining("\n"));
            assertTrue(failed.contains("binlog_format") && failed.contains("ROW"), failed);
        }
    }

    /** Triggers the processor until {@code expected} records arrived (or gives up), and returns them in order. */
    private List<GenericRecord> drain(int expected) {
        List<GenericRecord> records = new ArrayList<>();
        for (int attempt = 0; attempt < 40 && records.size() < expected; attempt++) {
            runner.run(1, false, attempt == 0);
            records = AvroFlowFiles.records(sortedFlowFiles());
        }
        assertEquals(expected, records.size(), "records captured");
        return records;
    }

    private List<MockFlowFile> sortedFlowFiles() {
        List<MockFlowFile> flowFiles = new ArrayList<>(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS));
        flowFiles.sort((a, b) -> Long.compare(Long.parseLong(a.getAttribute(CaptureBinlogChange.ATTR_SEQUENCE_ID)),
                Long.parseLong(b.getAttribute(CaptureBinlogChange.ATTR_SEQUENCE_ID))));
        return flowFiles;
    }

    private void insertRows(int from, int to) {
        for (int id = from; id <= to; id++) {
            server.execute("INSERT INTO `" + db + "`.items VALUES (" + id + ", 'item " + id + "', " + id + ".00)");
        }
    }

    private static List<Integer> ids(int from, int to) {
        List<Integer> ids = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            ids.add(i);
        }
        return ids;
    }

    private static List<Integer> ids(List<GenericRecord> records, String image) {
        return records.stream().map(r -> (Integer) row(r, image).get("id")).toList();
    }

    private static GenericRecord row(GenericRecord envelope, String image) {
        return (GenericRecord) envelope.get(image);
    }

    private static String decimal(GenericRecord row, String field) {
        java.nio.ByteBuffer bytes = (java.nio.ByteBuffer) row.get(field);
        byte[] raw = new byte[bytes.remaining()];
        bytes.duplicate().get(raw);
        return new java.math.BigDecimal(new java.math.BigInteger(raw), 2).toPlainString();
    }
}
