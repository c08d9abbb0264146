package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.MariaDbServer;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.MockComponentLog;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An event capture cannot turn into exact changes stops CaptureBinlogChange with an error that names it and its
 * position, and the run commits nothing: no FlowFile, no state change, also for the changes read before it in the same
 * run. The next runs stop at the same place. The events here: a data change a session wrote in statement format, and
 * (on a server without column names in the binlog) a table map that no longer matches its table.
 */
class CaptureBinlogChangeStopIT {
    private static MariaDbServer server;

    @BeforeAll
    static void startServer() {
        server = MariaDbServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void aStatementFormatDataChangeStopsCaptureAndCommitsNothing() throws Exception {
        String db = server.createDatabase("stop");
        server.execute("CREATE TABLE `" + db + "`.t (id INT PRIMARY KEY, v VARCHAR(60))");
        TestRunner runner = BinlogCaptureRunners.newRunner(server, db);
        BinlogCaptureRunners.streamFromCurrentEnd(runner, server);
        server.execute("INSERT INTO `" + db + "`.t VALUES (1, 'rows')");
        List<GenericRecord> first = drain(runner, 1);
        assertEquals(1, ((GenericRecord) first.get(0).get("after")).get("id"));
        Map<String, String> committed = runner.getStateManager().getState(Scope.CLUSTER).toMap();
        runner.clearTransferState();

        server.execute("INSERT INTO `" + db + "`.t VALUES (2, 'rows, read in the failing run')");
        try (Connection c = server.adminConnection(); Statement s = c.createStatement()) {
            s.execute("SET SESSION binlog_format = 'STATEMENT'");
            s.execute("INSERT INTO `" + db + "`.t VALUES (3, 'a statement')");
        }
        server.execute("INSERT INTO `" + db + "`.t VALUES (4, 'rows after it')");

        // Row 2 precedes the statement in a transaction of its own: a run may commit it. A run that meets the statement
        // commits nothing, and later runs (each opens a new reader at the stored position) stop at it again.
        List<Throwable> failures = new ArrayList<>();
        for (int attempt = 0; attempt < 80 && failures.size() < 3; attempt++) {
            int flowFiles = runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS).size();
            Map<String, String> state = runner.getStateManager().getState(Scope.CLUSTER).toMap();
            try {
                runner.run(1, false, false);
            } catch (Throwable t) {
                failures.add(t);
                runner.assertTransferCount(CaptureBinlogChange.REL_SUCCESS, flowFiles);
                assertEquals(state, runner.getStateManager().getState(Scope.CLUSTER).toMap(), "no state change for failed work");
            }
        }
        assertEquals(3, failures.size(), "capture stops at the statement, run after run");
        for (Throwable failure : failures) {
            String message = messages(failure);
            assertTrue(message.contains("Binlog event QUERY at mysql-bin.") && message.contains("written as a statement")
                    && message.contains("binlog_format=ROW") && message.contains(db + ".t"), message);
        }
        List<Object> ids = AvroFlowFiles.records(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS)).stream()
                .map(r -> ((GenericRecord) r.get("after")).get("id")).toList();
        assertTrue(ids.equals(List.of()) || ids.equals(List.of(2)), "nothing from the statement on was committed: " + ids);
        assertEquals(ids.isEmpty(), committed.equals(runner.getStateManager().getState(Scope.CLUSTER).toMap()),
                "the state moved only with the committed row 2");
        runner.stop();
    }

    @Test
    void replayAcrossDropAndAddColumnWithoutColumnNamesStopsAndCommitsNothing() throws Exception {
        try (MariaDbServer noLog = MariaDbServer.start(new MariaDbServer.Options().rowMetadata("NO_LOG"))) {
            String db = noLog.createDatabase("nolog");
            String t = "`" + db + "`.t";
            TestRunner runner = BinlogCaptureRunners.newRunner(noLog, db);
            BinlogCaptureRunners.streamFromCurrentEnd(runner, noLog);
            noLog.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, a VARCHAR(10), b INT)",
                    "INSERT INTO " + t + " VALUES (1, 'x', 5)",
                    "ALTER TABLE " + t + " DROP COLUMN a, ADD COLUMN z INT",
                    "INSERT INTO " + t + " VALUES (2, 6, 7)");
            List<Throwable> failures = new ArrayList<>();
            for (int attempt = 0; attempt < 80 && failures.size() < 2; attempt++) {
                try {
                    runner.run(1, false, attempt == 0);
                } catch (Throwable failure) {
                    failures.add(failure);
                }
                runner.assertTransferCount(CaptureBinlogChange.REL_SUCCESS, 0);
                assertEquals(Map.of(), runner.getStateManager().getState(Scope.CLUSTER).toMap(), "no state for failed work");
            }
            assertEquals(2, failures.size(), "capture stops at the first row, run after run");
            String message = messages(failures.get(0));
            assertTrue(message.contains("TABLE_MAP for " + db + ".t at mysql-bin.") && message.contains("does not match the table's definition")
                    && message.contains("varchar(40 bytes) in the binlog but `b` int(11)") && message.contains("binlog_row_metadata=FULL"),
                    message);
            runner.stop();

            CaptureBinlogChange processor = (CaptureBinlogChange) runner.getProcessor();
            String explanation = processor.verify(runner.getProcessContext(), new MockComponentLog("v", processor), Map.of()).stream()
                    .filter(r -> r.getVerificationStepName().startsWith("binlog_row_metadata")).findFirst().orElseThrow().getExplanation();
            assertTrue(explanation.contains("NO_LOG") && explanation.contains("stops capture with an error")
                    && explanation.contains("RENAME COLUMN, cannot be detected"), explanation);
        }
    }

    static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }

    static List<GenericRecord> drain(TestRunner runner, int expected) {
        List<GenericRecord> records = List.of();
        for (int attempt = 0; attempt < 40 && records.size() < expected; attempt++) {
            runner.run(1, false, attempt == 0);
            records = AvroFlowFiles.records(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS));
        }
        assertEquals(expected, records.size(), "records captured");
        return records;
    }
}
