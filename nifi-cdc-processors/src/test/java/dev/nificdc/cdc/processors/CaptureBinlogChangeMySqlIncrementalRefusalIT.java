package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.binlog.snapshot.IncrementalSnapshotSupport;
import dev.nificdc.testsupport.MariaDbServer;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How CaptureBinlogChange refuses incremental snapshots on MySQL, through NiFi's test framework. No MySQL server runs on
 * this machine: the server here is a real MariaDB that reports a MySQL version string ({@code --version=8.0.36}), which
 * is what the processor decides by ({@link IncrementalSnapshotSupport}); the decision itself is tested with the version
 * strings of real MySQL, Percona and Aurora servers in IncrementalSnapshotSupportTest. A MariaDB that reports its own
 * version gets the step as available.
 */
class CaptureBinlogChangeMySqlIncrementalRefusalIT {
    private static final String MYSQL_VERSION = "8.0.36";

    @Test
    void onMySqlARequestGoesToFailureSayingWhyAndVerifyReportsItBeforeTheStart() throws Exception {
        try (MariaDbServer mysqlLike = MariaDbServer.start(new MariaDbServer.Options().arg("--version=" + MYSQL_VERSION))) {
            String db = mysqlLike.createDatabase("refusal");
            mysqlLike.execute("CREATE TABLE `" + db + "`.a (id INT PRIMARY KEY)", "INSERT INTO `" + db + "`.a VALUES (1), (2)");
            TestRunner runner = BinlogCaptureRunners.newRunner(mysqlLike, db);
            runner.setProperty(BinlogCaptureProperties.SNAPSHOT_MODE, SnapshotMode.NO_DATA.getValue());
            runner.setIncomingConnection(true);
            String refusal = IncrementalSnapshotSupport.of(MYSQL_VERSION, "MariaDB Server").explanation();

            ConfigVerificationResult step = CaptureBinlogChangeVerifyIT.step(CaptureBinlogChangeVerifyIT.verify(runner),
                    "Incremental snapshots on");
            assertEquals(Outcome.FAILED, step.getOutcome(), step.getExplanation());
            assertTrue(step.getExplanation().startsWith("Snapshot New Tables is true and the input for incremental snapshot"
                    + " requests is connected, but this server cannot take incremental snapshots")
                    && step.getExplanation().endsWith(refusal), step.getExplanation());

            runner.enqueue(db + ".a\n");
            runner.run(1, true, true);
            List<MockFlowFile> failed = runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_FAILURE);
            assertEquals(1, failed.size(), "the request goes to failure");
            String error = failed.get(0).getAttribute("cdc.snapshot.error");
            assertEquals(refusal, error, "cdc.snapshot.error says why and what to do instead");
            assertTrue(error.startsWith("Incremental snapshots need MariaDB, and this server reports version " + MYSQL_VERSION), error);
            runner.assertTransferCount(CaptureBinlogChange.REL_SUCCESS, 0);
            assertEquals(Map.of(), runner.getStateManager().getState(Scope.CLUSTER).toMap(), "nothing queued, no state stored");
            assertTrue(runner.getLogger().getWarnMessages().stream().anyMatch(m -> String.valueOf(m.getMsg())
                    .contains("Incremental snapshot request")), "the refusal is logged");
        }
    }

    @Test
    void onMariaDbVerifyReportsIncrementalSnapshotsAvailable() throws Exception {
        try (MariaDbServer mariaDb = MariaDbServer.start()) {
            String db = mariaDb.createDatabase("available");
            TestRunner runner = BinlogCaptureRunners.newRunner(mariaDb, db);
            ConfigVerificationResult step = CaptureBinlogChangeVerifyIT.step(CaptureBinlogChangeVerifyIT.verify(runner),
                    "Incremental snapshots on");
            assertEquals(Outcome.SUCCESSFUL, step.getOutcome(), step.getExplanation());
            assertTrue(step.getExplanation().startsWith("The server reports version " + MariaDbServer.SERVER_VERSION)
                    && step.getExplanation().contains("binlog_snapshot_position"), step.getExplanation());
        }
    }
}
