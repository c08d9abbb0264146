package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.binlog.BinlogSourceConfig.HostPort;
import dev.nificdc.cdc.binlog.snapshot.IncrementalSnapshotSupport;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Verify's incremental-snapshot step, from the version strings of servers that do not run here (MySQL 8.4, 9.x). */
class BinlogCaptureVerifierTest {
    private static final HostPort HOST = new HostPort("db.example.com", 3306);

    @Test
    void onMySqlWithSnapshotNewTablesVerifyFailsSayingWhatHappensAndWhatToDo() {
        IncrementalSnapshotSupport mysql84 = IncrementalSnapshotSupport.of("8.4.3", "MySQL Community Server - GPL");
        ConfigVerificationResult result = BinlogCaptureVerifier.incrementalSnapshots(HOST, mysql84, true, false);
        assertEquals("Incremental snapshots on db.example.com:3306", result.getVerificationStepName());
        assertEquals(Outcome.FAILED, result.getOutcome());
        String explanation = result.getExplanation();
        assertTrue(explanation.startsWith("Snapshot New Tables is true, but this server cannot take incremental snapshots:"
                + " tables that start to be captured would get only their changes from then on"), explanation);
        assertTrue(explanation.endsWith(mysql84.explanation()), "the refusal users see at run time, with the alternatives: " + explanation);
    }

    @Test
    void onMySqlWithOnlyTheRequestInputConnectedVerifyFailsNamingTheInput() {
        IncrementalSnapshotSupport mysql9 = IncrementalSnapshotSupport.of("9.1.0", "MySQL Community Server - GPL");
        ConfigVerificationResult result = BinlogCaptureVerifier.incrementalSnapshots(HOST, mysql9, false, true);
        assertEquals(Outcome.FAILED, result.getOutcome());
        assertTrue(result.getExplanation().startsWith("The input for incremental snapshot requests is connected, but")
                && result.getExplanation().contains("requests would go to failure"), result.getExplanation());
    }

    @Test
    void onMariaDbTheStepSucceeds() {
        ConfigVerificationResult result = BinlogCaptureVerifier.incrementalSnapshots(HOST,
                IncrementalSnapshotSupport.of("10.11.6-MariaDB-0+deb12u1-log", "Debian 12"), true, true);
        assertEquals(Outcome.SUCCESSFUL, result.getOutcome());
        assertTrue(result.getExplanation().contains("binlog_snapshot_position"), result.getExplanation());
    }
}
