package dev.nificdc.cdc.processors;

import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CaptureBinlogChangeSnapshotModeTest {
    @Test
    void snapshotModeDefaultsToInitial() {
        TestRunner runner = TestRunners.newTestRunner(CaptureBinlogChange.class);
        assertEquals(SnapshotMode.INITIAL.getValue(), runner.getProcessContext().getProperty(BinlogCaptureProperties.SNAPSHOT_MODE).getValue());
    }

    @Test
    void flowsWithAnInitialBinlogPositionFromBeforeSnapshotModeKeepStreamingOnly() {
        TestRunner runner = TestRunners.newTestRunner(CaptureBinlogChange.class);
        runner.setProperty(BinlogCaptureProperties.INITIAL_POSITION, InitialBinlogPosition.EARLIEST.getValue());
        runner.removeProperty(BinlogCaptureProperties.SNAPSHOT_MODE);
        runner.migrateProperties();
        assertEquals(SnapshotMode.NEVER.getValue(), runner.getProcessContext().getProperty(BinlogCaptureProperties.SNAPSHOT_MODE).getValue());
        assertEquals(InitialBinlogPosition.EARLIEST.getValue(), runner.getProcessContext().getProperty(BinlogCaptureProperties.INITIAL_POSITION).getValue());
    }

    @Test
    void aChosenSnapshotModeIsKept() {
        TestRunner runner = TestRunners.newTestRunner(CaptureBinlogChange.class);
        runner.setProperty(BinlogCaptureProperties.SNAPSHOT_MODE, SnapshotMode.WHEN_NEEDED.getValue());
        runner.migrateProperties();
        assertEquals(SnapshotMode.WHEN_NEEDED.getValue(), runner.getProcessContext().getProperty(BinlogCaptureProperties.SNAPSHOT_MODE).getValue());
    }
}
