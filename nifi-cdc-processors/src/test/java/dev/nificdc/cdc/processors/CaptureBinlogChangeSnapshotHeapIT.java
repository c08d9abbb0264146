package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.MariaDbServer;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots a table of 300,000 rows, page by page (keyset pagination on the primary key), (about 125 MB of row data, more than the heap) with the heap capped (the failsafe execution
 * "bounded-heap" runs *HeapIT classes with -Xmx128m): the snapshot streams the table in chunks, so it completes. The
 * records are serialized by the real AvroRecordSetWriter; the bytes are counted and discarded, so that the test
 * framework's in-memory content repository does not hold them.
 */
class CaptureBinlogChangeSnapshotHeapIT {
    private static final int ROWS = 300_000;

    @Test
    void aLargeTableIsSnapshotInBoundedHeap() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("heap");
            server.execute("CREATE TABLE `" + db + "`.big (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(420) NOT NULL)",
                    "INSERT INTO `" + db + "`.big SELECT seq, seq * 7, concat(seq, '-', repeat('x', 400)) FROM `" + db + "`.seq_1_to_" + ROWS);
            TestRunner runner = BinlogCaptureRunners.newDiscardingRunner(server, db);
            DiscardingRecordWriter writer = BinlogCaptureRunners.discardingWriter(runner);
            runner.setProperty(BinlogCaptureProperties.SERVER_ID, "5701");
            runner.setProperty(BinlogCaptureProperties.MAX_EVENTS_PER_FLOWFILE, "5000");

            System.gc();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            long start = System.nanoTime();
            int runs = 0;
            while (!runner.getStateManager().getState(Scope.CLUSTER).toMap().containsKey("binlog.file") && runs < 200) {
                runner.run(1, false, runs++ == 0);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                    .mapToLong(p -> p.getPeakUsage().getUsed()).sum();

            long records = runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS).stream()
                    .map(f -> f.getAttribute("record.count")).mapToLong(Long::parseLong).sum();
            assertEquals(ROWS, records, "every row was snapshot");
            assertEquals(ROWS / 5000, runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS).size(), "one FlowFile per chunk");
            Map<String, String> state = runner.getStateManager().getState(Scope.CLUSTER).toMap();
            assertTrue(state.containsKey("binlog.file"), "the snapshot completed and streaming has its position: " + state);
            MockFlowFile lastFlowFile = runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS).get(ROWS / 5000 - 1);
            lastFlowFile.assertAttributeEquals("cdc.operations", "c=0,u=0,d=0,r=5000,t=0");
            assertEquals(ROWS / 5000, runs, "one page per run");
            System.out.printf("Snapshot of %,d rows (%,d Avro bytes written) in %d runs: %,d ms; max heap %,d MB; peak heap used %,d MB%n",
                    ROWS, writer.bytes.get(), runs, millis, Runtime.getRuntime().maxMemory() >> 20, peak >> 20);
        }
    }
}
