package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.MariaDbServer;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One transaction of 100,000 rows of about 1 KB each (about 100 MB of row data) on a MariaDB writing compressed binlog
 * events ({@code log_bin_compress=ON}), through CaptureBinlogChange with the heap capped at 128 MB (the failsafe
 * execution "bounded-heap" runs *HeapIT classes with -Xmx128m): each compressed event is inflated on its own, so the
 * heap stays bounded as it does for plain events. Records go through the real AvroRecordSetWriter into a stream that
 * only counts bytes. Prints the throughput and the peak heap.
 */
class CaptureBinlogChangeCompressedHeapIT {
    private static final int ROWS = 100_000;

    @Test
    void aHundredThousandRowCompressedTransactionStreamsThroughInBoundedHeap() throws Exception {
        try (MariaDbServer server = MariaDbServer.start(new MariaDbServer.Options().arg("--log-bin-compress=ON"))) {
            String db = server.createDatabase("bigtx_compressed");
            server.execute("CREATE TABLE `" + db + "`.big (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(1100) NOT NULL)");
            TestRunner runner = BinlogCaptureRunners.newDiscardingRunner(server, db);
            DiscardingRecordWriter writer = BinlogCaptureRunners.discardingWriter(runner);
            runner.setProperty(BinlogCaptureProperties.MAX_EVENTS_PER_FLOWFILE, "5000");
            BinlogCaptureRunners.streamFromCurrentEnd(runner, server);
            String file = runner.getProcessContext().getProperty(BinlogCaptureProperties.INITIAL_FILE).evaluateAttributeExpressions().getValue();
            String position = runner.getProcessContext().getProperty(BinlogCaptureProperties.INITIAL_FILE_POSITION).evaluateAttributeExpressions().getValue();

            server.execute("INSERT INTO `" + db + "`.big SELECT seq, seq * 7, CONCAT(REPEAT('compressible ', 80), seq) FROM `"
                    + db + "`.seq_1_to_" + ROWS);
            assertTrue(eventTypes(server, file, position).contains("Write_rows_compressed_v1"),
                    "the rows were written as compressed events: " + eventTypes(server, file, position));

            System.gc();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            long start = System.nanoTime();
            long records = 0;
            int runs = 0;
            int idleRuns = 0;
            while (records < ROWS && idleRuns < 20) {
                runner.run(1, false, runs++ == 0);
                long now = runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS).stream()
                        .mapToLong(f -> Long.parseLong(f.getAttribute("record.count"))).sum();
                idleRuns = now == records ? idleRuns + 1 : 0;
                records = now;
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                    .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            runner.run(1, true, false);

            assertEquals(ROWS, records, "every row of the transaction was captured once");
            Map<String, String> state = runner.getStateManager().getState(Scope.CLUSTER).toMap();
            assertEquals("0", state.getOrDefault("binlog.changes.skip", "0"), "the last commit ends the transaction: " + state);
            assertTrue(writer.bytes.get() > ROWS * 1000L, "the records were written: " + writer.bytes.get() + " bytes");
            System.out.printf("One compressed transaction of %,d rows (%,d Avro bytes) in %d runs: %,d ms (%,d rows/s); max heap %,d MB; peak heap used %,d MB%n",
                    ROWS, writer.bytes.get(), runs, millis, ROWS * 1000L / Math.max(1, millis), Runtime.getRuntime().maxMemory() >> 20, peak >> 20);
        }
    }

    /** The distinct event types of the first events after the position, as the server names them. */
    private static List<String> eventTypes(MariaDbServer server, String file, String position) throws Exception {
        List<String> types = new ArrayList<>();
        try (Connection c = server.adminConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW BINLOG EVENTS IN '" + file + "' FROM " + position + " LIMIT 20")) {
            while (rs.next()) {
                if (!types.contains(rs.getString("Event_type"))) {
                    types.add(rs.getString("Event_type"));
                }
            }
        }
        return types;
    }
}
