package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.MariaDbServer;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rows of 16 KB each, with the heap capped at 128 MB (failsafe execution "bounded-heap"): 4,000 of them are 64 MB of
 * text, and an update of all of them carries 128 MB of before and after images, so buffers bounded only by the number of
 * changes (10,000 in the reader's queue, 10,000 per FlowFile) would run out of heap. Buffers and snapshot pages are
 * also bounded by their estimated bytes, so both a snapshot and a one-transaction update of these rows complete.
 */
class CaptureBinlogChangeWideRowsHeapIT {
    private static final int ROWS = 4_000;
    private static final int TEXT = 16_000;

    @Test
    void wideRowsAreSnapshotAndStreamedInBoundedHeap() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("wide");
            server.execute("CREATE TABLE `" + db + "`.wide (id INT PRIMARY KEY, t MEDIUMTEXT NOT NULL)",
                    "INSERT INTO `" + db + "`.wide SELECT seq, repeat(char(65 + seq % 26), " + TEXT + ") FROM `" + db + "`.seq_1_to_" + ROWS);
            TestRunner runner = BinlogCaptureRunners.newDiscardingRunner(server, db);
            DiscardingRecordWriter writer = BinlogCaptureRunners.discardingWriter(runner);

            // 1. the initial snapshot (Snapshot Mode's default): pages end by bytes, not only at Max Changes Per FlowFile
            int runs = 0;
            while (!runner.getStateManager().getState(Scope.CLUSTER).toMap().containsKey("binlog.file") && runs < 100) {
                runner.run(1, false, runs++ == 0);
            }
            List<MockFlowFile> snapshot = runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS);
            assertEquals(ROWS, records(snapshot), "every row was snapshot");
            assertTrue(snapshot.size() > 1, "the 4,000 wide rows came in several pages, not one of 10,000 rows: " + snapshot.size());

            // 2. one transaction updating every row: 8,000 images of 16 KB stream through the reader's queue
            runner.clearTransferState();
            server.execute("UPDATE `" + db + "`.wide SET t = repeat('z', " + TEXT + ")");
            long updates = 0;
            for (int i = 0; i < 200 && updates < ROWS; i++) {
                runner.run(1, false, false);
                updates = records(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS));
            }
            runner.run(1, true, false);
            assertEquals(ROWS, updates, "every update was captured once");
            assertEquals("0", runner.getStateManager().getState(Scope.CLUSTER).toMap().getOrDefault("binlog.changes.skip", "0"),
                    "the transaction's commit was reached");
            System.out.printf("%,d rows of %,d characters snapshot in %d pages and updated in one transaction; max heap %,d MB; %,d Avro bytes%n",
                    ROWS, TEXT, snapshot.size(), Runtime.getRuntime().maxMemory() >> 20, writer.bytes.get());
        }
    }

    private static long records(List<MockFlowFile> flowFiles) {
        return flowFiles.stream().mapToLong(f -> Long.parseLong(f.getAttribute("record.count"))).sum();
    }
}
