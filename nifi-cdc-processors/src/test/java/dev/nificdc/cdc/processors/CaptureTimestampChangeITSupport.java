package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.cdc.timestamp.FetchConfig;
import dev.nificdc.cdc.timestamp.PrefetchingRun;
import dev.nificdc.cdc.timestamp.ResolvedTable;
import dev.nificdc.cdc.timestamp.TableInspector;
import dev.nificdc.cdc.timestamp.TableName;
import dev.nificdc.cdc.timestamp.TimestampFetcher;
import dev.nificdc.cdc.timestamp.Watermark;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every database must show, run against a real private server by the MariaDB and PostgreSQL subclasses.
 * Each test creates its own tables.
 */
abstract class CaptureTimestampChangeITSupport extends TimestampCaptureITBase {
    @Test
    void rowsSharingOneTimestampPageExactlyAcrossPagesRunsAndRestarts() {
        String table = newTable("ties");
        createStandardTable(table);
        insertGenerated(table, 250, "'2024-01-01 00:00:00.000001'");
        insertGenerated(table, 30, "'2024-01-01 00:00:00.000002'");
        insertGenerated(table, 20, "'2023-06-30 23:59:59.999999'");

        Map<PropertyDescriptor, String> properties = Map.of(TimestampCaptureProperties.MAX_ROWS_PER_FLOWFILE, "40",
                TimestampCaptureProperties.MAX_ROWS_PER_RUN, "100");
        TestRunner runner = runner(table);
        properties.forEach(runner::setProperty);
        List<GenericRecord> all = new ArrayList<>();
        List<Integer> perRun = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            List<GenericRecord> records = runOnce(runner);
            for (MockFlowFile flowFile : runner.getFlowFilesForRelationship(CaptureTimestampChange.REL_SUCCESS)) {
                assertTrue(Integer.parseInt(flowFile.getAttribute("record.count")) <= 40);
            }
            perRun.add(records.size());
            all.addAll(records);
            if (run == 0) {
                assertEquals("2024-01-01T00:00:00.000001", watermark(runner, table, "timestamp"), "run 1 stops inside the tie group");
                assertEquals(Watermark.Bound.AFTER_ROW.name(), watermark(runner, table, "bound"));
                assertEquals(String.valueOf(id(records.getLast())), watermark(runner, table, "id"));
            }
            runner = restart(runner, table, properties);
        }
        assertEquals(List.of(100, 100, 100, 0, 0), perRun);
        assertExactlyOnceInOrder(all, 300);
        assertEquals(20, all.stream().limit(20).filter(r -> micros(r, "updated_at") == micros(LocalDateTime.parse("2023-06-30T23:59:59.999999"))).count(),
                "the older rows (highest ids) come first: ordered by timestamp, not id");
    }

    @Test
    void withoutAnIncrementingColumnARunNeverSplitsATieGroup() {
        String table = newTable("noid");
        createStandardTable(table);
        insertGenerated(table, 20, "'2023-06-30 23:59:59.999999'");
        insertGenerated(table, 250, "'2024-01-01 00:00:00.000001'");
        insertGenerated(table, 30, "'2024-01-01 00:00:00.000002'");
        TestRunner runner = runner(table);
        runner.removeProperty(TimestampCaptureProperties.INCREMENTING_COLUMN);
        runner.setProperty(TimestampCaptureProperties.MAX_ROWS_PER_RUN, "100");
        runner.setProperty(TimestampCaptureProperties.MAX_ROWS_PER_FLOWFILE, "64");
        List<GenericRecord> first = runOnce(runner);
        assertEquals(270, first.size(), "the run goes on past the limit until the timestamp changes");
        assertEquals(Watermark.Bound.AFTER_TIMESTAMP.name(), watermark(runner, table, "bound"));
        assertEquals("2024-01-01T00:00:00.000001", watermark(runner, table, "timestamp"));
        List<GenericRecord> second = runOnce(runner);
        assertEquals(30, second.size());
        assertEquals(0, runOnce(runner).size());
        List<GenericRecord> all = new ArrayList<>(first);
        all.addAll(second);
        assertEquals(300, all.stream().map(CaptureTimestampChangeITSupport::id).distinct().count());
    }

    @Test
    void aTransactionCommittingLateWithAnOlderTimestampIsDeliveredWithinTheCommitLag() throws Exception {
        String table = newTable("late");
        createStandardTable(table);
        TestRunner runner = runner(table);
        runner.setProperty(TimestampCaptureProperties.COMMIT_LAG, "2 sec");
        runner.setProperty(TimestampCaptureProperties.CREATION_COLUMN, "created_at");
        try (Connection slow = connect(); Connection fast = connect()) {
            slow.setAutoCommit(false);
            try (Statement s = slow.createStatement()) {
                s.execute("INSERT INTO " + quote(table) + " (name) VALUES ('slow')");
            }
            Thread.sleep(50);
            try (Statement s = fast.createStatement()) {
                s.execute("INSERT INTO " + quote(table) + " (name) VALUES ('fast')");
            }
            assertEquals(0, runOnce(runner).size(), "both rows are younger than the commit lag");
            slow.commit();
        }
        Thread.sleep(2300);
        List<GenericRecord> records = runOnce(runner);
        assertEquals(List.of("slow", "fast"), records.stream().map(r -> string(r, "name")).toList(),
                "the late commit is delivered, in timestamp order");
        assertEquals(List.of("c", "c"), records.stream().map(r -> string(r, "__op")).toList());
        assertEquals(0, runOnce(runner).size());
    }

    @Test
    void withoutACommitLagALateCommitIsLostWhichIsWhatTheLagPrevents() throws Exception {
        String table = newTable("nolag");
        createStandardTable(table);
        TestRunner runner = runner(table);
        runner.setProperty(TimestampCaptureProperties.OPEN_TRANSACTIONS, OpenTransactionHandling.IGNORE.getValue());
        try (Connection slow = connect(); Connection fast = connect()) {
            slow.setAutoCommit(false);
            try (Statement s = slow.createStatement()) {
                s.execute("INSERT INTO " + quote(table) + " (name) VALUES ('slow')");
            }
            Thread.sleep(50);
            try (Statement s = fast.createStatement()) {
                s.execute("INSERT INTO " + quote(table) + " (name) VALUES ('fast')");
            }
            Thread.sleep(20);
            assertEquals(List.of("fast"), runOnce(runner).stream().map(r -> string(r, "name")).toList());
            slow.commit();
        }
        Thread.sleep(20);
        assertEquals(0, runOnce(runner).size(), "with Commit Lag 0 the older, later-committed row is behind the watermark");
    }

    @Test
    void updatesMoveARowForwardAndSoftDeletesAreDeletes() throws Exception {
        String table = newTable("upd");
        createStandardTable(table);
        sql("INSERT INTO " + quote(table) + " (name) VALUES ('a'), ('b'), ('c')");
        TestRunner runner = runner(table);
        runner.setProperty(TimestampCaptureProperties.CREATION_COLUMN, "created_at");
        runner.setProperty(TimestampCaptureProperties.SOFT_DELETE_COLUMN, "deleted");
        Thread.sleep(20);
        List<GenericRecord> created = runOnce(runner);
        assertEquals(List.of("a", "b", "c"), created.stream().map(r -> string(r, "name")).toList());
        assertEquals(List.of("c", "c", "c"), created.stream().map(r -> string(r, "__op")).toList());

        Thread.sleep(20);
        sql("UPDATE " + quote(table) + " SET name = 'b2' WHERE name = 'b'");
        Thread.sleep(20);
        List<GenericRecord> updated = runOnce(runner);
        assertEquals(1, updated.size());
        assertEquals("b2", string(updated.getFirst(), "name"));
        assertEquals("u", string(updated.getFirst(), "__op"));
        assertEquals(id(created.get(1)), id(updated.getFirst()));
        assertTrue(micros(updated.getFirst(), "updated_at") > micros(created.get(1), "updated_at"));

        sql("UPDATE " + quote(table) + " SET deleted = TRUE WHERE name = 'c'");
        Thread.sleep(20);
        List<GenericRecord> deleted = runOnce(runner);
        assertEquals(1, deleted.size());
        assertEquals("d", string(deleted.getFirst(), "__op"));
        assertEquals("true", string(deleted.getFirst(), "__deleted"));
        assertEquals("c", string(deleted.getFirst(), "name"), "the flattened delete carries the row");
        assertEquals(0, runOnce(runner).size());

        assertEquals(5L, runner.getCounterValue(CaptureTimestampChange.COUNTER_ROWS));
    }

    @Test
    void theChangeEnvelopeCarriesBeforeAfterOpAndJdbcSource() throws Exception {
        String table = newTable("env");
        createStandardTable(table);
        sql("INSERT INTO " + quote(table) + " (name, updated_at) VALUES ('x', '2024-05-06 07:08:09.123456')");
        TestRunner runner = runner(table);
        runner.setProperty(TimestampCaptureProperties.OUTPUT_SHAPE, OutputShape.ENVELOPE.getValue());
        runner.setProperty(OutputProperties.TOPIC_PREFIX, "prod");
        List<GenericRecord> records = runOnce(runner);
        assertEquals(1, records.size());
        GenericRecord envelope = records.getFirst();
        assertEquals("r", string(envelope, "op"));
        GenericRecord after = (GenericRecord) envelope.get("after");
        assertEquals("x", string(after, "name"));
        assertEquals(micros(LocalDateTime.parse("2024-05-06T07:08:09.123456")), micros(after, "updated_at"));
        GenericRecord source = (GenericRecord) envelope.get("source");
        assertEquals("jdbc", string(source, "connector"));
        assertEquals("prod", string(source, "name"));
        assertEquals(table, string(source, "table"));
        MockFlowFile flowFile = runner.getFlowFilesForRelationship(CaptureTimestampChange.REL_SUCCESS).getFirst();
        flowFile.assertAttributeEquals(CaptureTimestampChange.ATTR_FIRST_TIMESTAMP, "2024-05-06T07:08:09.123456");
        flowFile.assertAttributeEquals(CaptureTimestampChange.ATTR_SEQUENCE, "0");
        flowFile.assertAttributeEquals("cdc.table", table);
        assertTrue(flowFile.getAttribute("cdc.topic").startsWith("prod."));
    }

    @Test
    void aFailureMidRunCommitsNothingAndTheNextRunRefetchesEverything() {
        String table = newTable("crash");
        createStandardTable(table);
        insertGenerated(table, 50, "'2024-01-01 00:00:00'");
        TestRunner runner = runner(table);
        runner.setProperty(TimestampCaptureProperties.MAX_ROWS_PER_FLOWFILE, "10");
        pool(runner).statementsBeforeFailure.set(2); // the third page fails
        assertThrows(AssertionError.class, () -> runner.run());
        assertEquals(0, runner.getFlowFilesForRelationship(CaptureTimestampChange.REL_SUCCESS).size(), "no FlowFile escapes the failed run");
        assertTrue(state(runner).isEmpty(), "the watermark did not move");
        pool(runner).statementsBeforeFailure.set(-1);
        List<GenericRecord> records = runOnce(runner);
        assertExactlyOnceInOrder(records, 50);
        assertEquals("0", runner.getFlowFilesForRelationship(CaptureTimestampChange.REL_SUCCESS).getFirst()
                .getAttribute(CaptureTimestampChange.ATTR_SEQUENCE), "the sequence did not advance in the failed run either");
    }

    /**
     * While the primary role of a NiFi cluster moves, two nodes can run the processor at the same time. A run that finds
     * the cluster state changed since it read it (another node committed meanwhile: here the same state stored again,
     * which gives it a new version) commits nothing; the next run delivers everything once.
     */
    @Test
    void aRunWhoseStateAnotherNodeChangedMeanwhileCommitsNothing() {
        String table = newTable("nodes");
        createStandardTable(table);
        insertGenerated(table, 30, "'2024-01-01 00:00:00'");
        TestRunner runner = runner(table);
        FailingRecordWriter writer = (FailingRecordWriter) runner.getControllerService("writer");
        writer.beforeNextRecord(() -> {
            try {
                runner.getStateManager().setState(state(runner), Scope.CLUSTER);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertEquals(List.of(), runOnce(runner), "nothing of the run is committed");
        assertFalse(writer.actionPending(), "the other node's commit came in the middle of the run");
        assertTrue(state(runner).isEmpty(), "only the other node's state is stored");
        assertExactlyOnceInOrder(runOnce(runner), 30);
    }

    @Test
    void aWriterFailingWhileRowsAreStillBeingReadStopsTheReaderAndCommitsNothing() {
        String table = newTable("sinkfail");
        createStandardTable(table);
        // more rows than the reading thread may prefetch, so it is waiting on a full queue when the writer fails
        int rows = PrefetchingRun.CHUNK_ROWS * PrefetchingRun.CHUNKS_AHEAD * 2;
        insertGenerated(table, rows, null);
        TestRunner runner = runner(table);
        runner.setProperty(TimestampCaptureProperties.MAX_ROWS_PER_FLOWFILE, "100");
        FailingRecordWriter writer = (FailingRecordWriter) runner.getControllerService("writer");
        writer.failAfter(250);
        assertThrows(AssertionError.class, () -> runner.run());
        assertEquals(0, runner.getFlowFilesForRelationship(CaptureTimestampChange.REL_SUCCESS).size(), "no FlowFile escapes the failed run");
        assertTrue(state(runner).isEmpty(), "the watermark did not move");
        assertEquals(0, pool(runner).open.get(), "the connection was closed after the reading thread ended");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("CaptureTimestampChange reader")),
                "the reading thread has ended");
        writer.failAfter(-1);
        assertExactlyOnceInOrder(runOnce(runner), rows);
    }

    @Test
    void initialPositionNowSkipsExistingRowsAndGivenTimestampStartsThere() throws Exception {
        String table = newTable("init");
        createStandardTable(table);
        sql("INSERT INTO " + quote(table) + " (name, updated_at) VALUES ('old', '2020-01-01 00:00:00'), ('mid', '2022-01-01 00:00:00')");
        TestRunner now = runner(table);
        now.setProperty(TimestampCaptureProperties.INITIAL_POSITION, InitialTimestampPosition.NOW.getValue());
        assertEquals(0, runOnce(now).size());
        assertEquals(Watermark.Bound.FROM_TIMESTAMP.name(), watermark(now, table, "bound"), "the starting point is stored at once");
        Thread.sleep(20);
        sql("INSERT INTO " + quote(table) + " (name) VALUES ('new')");
        Thread.sleep(20);
        assertEquals(List.of("new"), runOnce(now).stream().map(r -> string(r, "name")).toList());

        TestRunner otherColumns = restart(now, table, Map.of());
        otherColumns.removeProperty(TimestampCaptureProperties.INCREMENTING_COLUMN);
        assertEquals(List.of("old", "mid", "new"), runOnce(otherColumns).stream().map(r -> string(r, "name")).toList(),
                "a watermark stored for other ordering columns is ignored: the run starts from the Initial Position (Beginning)");

        TestRunner given = runner(table);
        given.setProperty(TimestampCaptureProperties.INITIAL_POSITION, InitialTimestampPosition.GIVEN_TIMESTAMP.getValue());
        given.setProperty(TimestampCaptureProperties.INITIAL_TIMESTAMP, "2022-01-01 00:00:00");
        assertEquals(List.of("mid", "new"), runOnce(given).stream().map(r -> string(r, "name")).toList(), "inclusive start");
    }

    @Test
    void identifiersNeedingQuotesWorkAndInjectionIsRejectedOrHarmless() {
        String table = "Order Items " + newTable("q");
        sql("CREATE TABLE " + quote(table) + " (" + quote("select") + " BIGINT NOT NULL PRIMARY KEY, " + quote("From") + " VARCHAR(20), "
                + quote("Updated At") + " " + localTimestampType() + " NOT NULL)");
        sql("CREATE TABLE " + quote("victim") + " (x INT)");
        sql("INSERT INTO " + quote(table) + " VALUES (1, 'a''b\"c', '2024-01-01 00:00:00'), (2, 'd', '2024-01-01 00:00:00')");
        TestRunner runner = runner(table);
        runner.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "Updated At");
        runner.setProperty(TimestampCaptureProperties.INCREMENTING_COLUMN, "\"select\"");
        runner.setProperty(TimestampCaptureProperties.COLUMNS_TO_RETURN, "From");
        List<GenericRecord> records = runOnce(runner);
        assertEquals(List.of("a'b\"c", "d"), records.stream().map(r -> string(r, "From")).toList());
        assertEquals(3, records.getFirst().getSchema().getFields().stream().filter(f -> !f.name().startsWith("__")).count(),
                "From plus the timestamp and id columns");

        runner.setProperty(TimestampCaptureProperties.TABLE_NAMES, "victim; DROP TABLE victim");
        runner.assertNotValid();
        runner.setProperty(TimestampCaptureProperties.TABLE_NAMES, table);
        runner.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "x -- comment");
        runner.assertNotValid();
        runner.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "Updated At\" < '3000-01-01' OR \"1");
        runner.assertValid();
        AssertionError error = assertThrows(AssertionError.class, () -> runner.run());
        assertTrue(String.valueOf(error.getCause()).contains("is not a column"), String.valueOf(error.getCause()));
        sql("SELECT x FROM " + quote("victim"));
        sql("DROP TABLE " + quote("victim"));
    }

    @Test
    void aBigTableIsPagedInBoundedRunsAndPages() throws Exception {
        String table = newTable("big");
        createStandardTable(table);
        int rows = 60_000;
        insertGenerated(table, rows, null);
        sql("CREATE INDEX " + quote(table + "_ts_id") + " ON " + quote(table) + " (updated_at, id)");

        FetchConfig config = new FetchConfig(TableName.parse(table), "updated_at", "id", null, null, null, List.of(),
                Duration.ZERO, false, 500, 2_500, 10_000, null, "test");
        try (Connection c = connect()) {
            ResolvedTable resolved = TableInspector.resolve(c, config);
            long[] count = {0};
            TimestampFetcher.RunResult result = new TimestampFetcher(config, resolved).run(c, null, (event, ts) -> count[0]++);
            assertEquals(10_000, result.rows());
            assertEquals(10_000, count[0]);
            assertEquals(4, result.queries(), "four pages of 2,500 rows");
            assertTrue(result.more());
        }

        TestRunner runner = runner(table);
        runner.setProperty(TimestampCaptureProperties.MAX_ROWS_PER_RUN, "12000");
        runner.setProperty(TimestampCaptureProperties.MAX_ROWS_PER_FLOWFILE, "3000");
        runner.setProperty(TimestampCaptureProperties.FETCH_SIZE, "500");
        Set<Long> ids = new HashSet<>();
        GenericRecord previous = null;
        int runs = 0;
        long peakHeap = 0;
        while (true) {
            List<GenericRecord> records = runOnce(runner);
            runs++;
            assertTrue(records.size() <= 12_000);
            for (MockFlowFile flowFile : runner.getFlowFilesForRelationship(CaptureTimestampChange.REL_SUCCESS)) {
                assertTrue(Integer.parseInt(flowFile.getAttribute("record.count")) <= 3000);
            }
            for (GenericRecord record : records) {
                assertTrue(ids.add(id(record)), "row " + id(record) + " delivered once");
                if (previous != null) {
                    assertTrue(compare(previous, record) < 0, "ordered by (timestamp, id)");
                }
                previous = record;
            }
            Runtime rt = Runtime.getRuntime();
            peakHeap = Math.max(peakHeap, rt.totalMemory() - rt.freeMemory());
            runner.clearTransferState();
            if (records.isEmpty()) {
                break;
            }
        }
        assertEquals(rows, ids.size());
        assertEquals(6, runs, "five runs of at most 12,000 rows, then an empty one");
        System.out.printf("%s: %d rows in %d runs; peak heap seen between runs %d MiB%n", getClass().getSimpleName(), rows, runs, peakHeap >> 20);
    }

    @Test
    void aDateColumnDeliversEachDayOnceItIsOver() {
        String table = newTable("day");
        sql("CREATE TABLE " + quote(table) + " (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(20), updated_at DATE NOT NULL)",
                "INSERT INTO " + quote(table) + " VALUES (1, 'a', '2024-01-01'), (2, 'b', '2024-01-02'), (3, 'today', CURRENT_DATE)");
        TestRunner runner = runner(table);
        assertEquals(List.of("a", "b"), runOnce(runner).stream().map(r -> string(r, "name")).toList(), "today is not over yet");
        assertEquals("2024-01-02", watermark(runner, table, "timestamp"));
        assertEquals(0, runOnce(runner).size());
    }

    @Test
    void qualifiedNamesAndNamesInTheWrongCaseAreFound() {
        String table = newTable("fold").toLowerCase(java.util.Locale.ROOT);
        createStandardTable(table);
        sql("INSERT INTO " + quote(table) + " (name, updated_at) VALUES ('x', '2024-01-01 00:00:00')");
        TestRunner runner = runner((schemaName() + "." + table).toUpperCase(java.util.Locale.ROOT));
        runner.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "UPDATED_AT");
        runner.setProperty(TimestampCaptureProperties.INCREMENTING_COLUMN, "Id");
        List<GenericRecord> records = runOnce(runner);
        assertEquals(List.of("x"), records.stream().map(r -> string(r, "name")).toList());
        assertEquals(schemaName(), runner.getFlowFilesForRelationship(CaptureTimestampChange.REL_SUCCESS).getFirst().getAttribute("cdc.database"));
    }

    @Test
    void verifyReportsTableColumnsTypesIndexAndQuery() {
        String table = newTable("ver");
        createStandardTable(table);
        TestRunner runner = runner(table);
        Map<String, ConfigVerificationResult> results = verify(runner);
        assertEquals(Outcome.SUCCESSFUL, results.get(CaptureTimestampChangeVerifier.STEP_CONNECT).getOutcome());
        assertEquals(Outcome.SUCCESSFUL, results.get(CaptureTimestampChangeVerifier.STEP_TABLE).getOutcome());
        assertEquals(Outcome.SUCCESSFUL, results.get(CaptureTimestampChangeVerifier.STEP_TIMESTAMP).getOutcome());
        assertEquals(Outcome.SUCCESSFUL, results.get(CaptureTimestampChangeVerifier.STEP_ID).getOutcome());
        assertEquals(Outcome.FAILED, results.get(CaptureTimestampChangeVerifier.STEP_INDEX).getOutcome());
        assertTrue(results.get(CaptureTimestampChangeVerifier.STEP_INDEX).getExplanation().contains("scan"));
        assertEquals(Outcome.SUCCESSFUL, results.get(CaptureTimestampChangeVerifier.STEP_QUERY).getOutcome(),
                results.get(CaptureTimestampChangeVerifier.STEP_QUERY).getExplanation());

        sql("CREATE INDEX " + quote(table + "_ts") + " ON " + quote(table) + " (updated_at, id)");
        assertEquals(Outcome.SUCCESSFUL, verify(runner).get(CaptureTimestampChangeVerifier.STEP_INDEX).getOutcome());

        runner.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "name");
        ConfigVerificationResult wrongType = verify(runner).get(CaptureTimestampChangeVerifier.STEP_TABLE);
        assertEquals(Outcome.FAILED, wrongType.getOutcome());
        assertTrue(wrongType.getExplanation().contains("must be a TIMESTAMP"), wrongType.getExplanation());

        runner.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "no_such_column");
        Map<String, ConfigVerificationResult> missing = verify(runner);
        assertTrue(missing.get(CaptureTimestampChangeVerifier.STEP_TABLE).getExplanation().contains("is not a column"));
        assertEquals(Outcome.SKIPPED, missing.get(CaptureTimestampChangeVerifier.STEP_QUERY).getOutcome());

        runner.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "updated_at");
        runner.setProperty(TimestampCaptureProperties.ADDITIONAL_WHERE, "no_such_column = 1");
        assertEquals(Outcome.FAILED, verify(runner).get(CaptureTimestampChangeVerifier.STEP_QUERY).getOutcome());

        runner.setProperty(TimestampCaptureProperties.ADDITIONAL_WHERE, "name <> 'x'");
        runner.setProperty(TimestampCaptureProperties.TABLE_NAMES, "no_such_table");
        ConfigVerificationResult noTable = verify(runner).get(CaptureTimestampChangeVerifier.STEP_TABLE);
        assertEquals(Outcome.FAILED, noTable.getOutcome());
        assertTrue(noTable.getExplanation().contains("was not found"), noTable.getExplanation());
    }
}
