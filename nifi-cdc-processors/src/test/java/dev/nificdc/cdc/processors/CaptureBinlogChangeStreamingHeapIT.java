package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.MariaDbServer;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams one transaction of a million inserted rows (about 60 MB of row data in the binlog) through CaptureBinlogChange
 * with the heap capped at 128 MB (the failsafe execution "bounded-heap" runs *HeapIT classes with -Xmx128m): the reader's
 * queue is bounded and every run writes its FlowFiles and commits, so the transaction flows through in parts. The
 * records go through the real AvroRecordSetWriter into a stream that only counts bytes, so the test framework's
 * in-memory content repository does not hold them. Prints the throughput and the peak heap.
 */
class CaptureBinlogChangeStreamingHeapIT {
    private static final int ROWS = 1_000_000;

    @Test
    void aMillionRowTransactionStreamsThroughInBoundedHeap() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("bigtx");
            server.execute("CREATE TABLE `" + db + "`.big (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(40) NOT NULL)");
            TestRunner runner = BinlogCaptureRunners.newDiscardingRunner(server, db);
            DiscardingRecordWriter writer = BinlogCaptureRunners.discardingWriter(runner);
            runner.setProperty(BinlogCaptureProperties.MAX_EVENTS_PER_FLOWFILE, "5000");
            BinlogCaptureRunners.streamFromCurrentEnd(runner, server);

            server.execute("INSERT INTO `" + db + "`.big SELECT seq, seq * 7, concat('row-', seq) FROM `" + db + "`.seq_1_to_" + ROWS);

            System.gc();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            long start = System.nanoTime();
            long records = 0;
            int runs = 0;
            while (records < ROWS && runs < 2_000) {
                runner.run(1, false, runs++ == 0);
                records = runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS).stream()
                        .mapToLong(f -> Long.parseLong(f.getAttribute("record.count"))).sum();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                    .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            runner.run(1, true, false);

            assertEquals(ROWS, records, "every row of the transaction was captured once");
            Map<String, String> state = runner.getStateManager().getState(Scope.CLUSTER).toMap();
            assertEquals("0", state.getOrDefault("binlog.changes.skip", "0"), "the last commit ends the transaction: " + state);
            assertTrue(writer.bytes.get() > ROWS, "the records were written");
            System.out.printf("One transaction of %,d rows (%,d Avro bytes) in %d runs: %,d ms (%,d rows/s); max heap %,d MB; peak heap used %,d MB%n",
                    ROWS, writer.bytes.get(), runs, millis, ROWS * 1000L / Math.max(1, millis), Runtime.getRuntime().maxMemory() >> 20, peak >> 20);
        }
    }
}
