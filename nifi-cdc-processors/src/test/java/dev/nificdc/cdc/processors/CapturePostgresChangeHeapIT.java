package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.PostgresServer;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams one PostgreSQL transaction of a million inserted rows through CapturePostgresChange with the heap capped at
 * 128 MB (the failsafe execution "bounded-heap" runs *HeapIT classes with -Xmx128m): the replication reader's queue is
 * bounded by count and bytes, and every run writes its FlowFiles and commits, so the transaction flows through in parts.
 * The records go through the real AvroRecordSetWriter into a stream that only counts bytes. Prints throughput and peak heap.
 */
class CapturePostgresChangeHeapIT {
    private static final int ROWS = 1_000_000;

    @Test
    void aMillionRowTransactionStreamsThroughInBoundedHeap() throws Exception {
        try (PostgresServer server = PostgresServer.start()) {
            String db = server.createDatabase("bigtx");
            server.execute(db, "CREATE TABLE big (id INT PRIMARY KEY, v INT NOT NULL, s TEXT NOT NULL)");
            TestRunner runner = TestRunners.newTestRunner(CapturePostgresChange.class);
            AvroRecordSetWriter avro = new AvroRecordSetWriter();
            runner.addControllerService("avro", avro);
            runner.setProperty(avro, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, "inherit-record-schema");
            runner.enableControllerService(avro);
            DiscardingRecordWriter writer = new DiscardingRecordWriter(avro);
            runner.addControllerService("writer", writer);
            runner.enableControllerService(writer);
            runner.setProperty(OutputProperties.RECORD_WRITER, "writer");
            runner.setProperty(PostgresCaptureProperties.HOST, server.host() + ":" + server.port());
            runner.setProperty(PostgresCaptureProperties.DATABASE, db);
            runner.setProperty(PostgresCaptureProperties.USERNAME, PostgresServer.USER);
            runner.setProperty(PostgresCaptureProperties.SNAPSHOT_MODE, PostgresSnapshotMode.NO_DATA.getValue());
            runner.setProperty(PostgresCaptureProperties.MAX_EVENTS_PER_FLOWFILE, "5000");
            runner.run(1, false, true); // no_data: creates the slot and stores its position

            server.execute(db, "INSERT INTO big SELECT g, g * 7, 'row-' || g FROM generate_series(1, " + ROWS + ") g");

            System.gc();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            long start = System.nanoTime();
            long records = 0;
            int runs = 0;
            while (records < ROWS && runs < 5_000) {
                runner.run(1, false, false);
                runs++;
                records = runner.getFlowFilesForRelationship(CapturePostgresChange.REL_SUCCESS).stream()
                        .mapToLong(f -> Long.parseLong(f.getAttribute("record.count"))).sum();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                    .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            runner.run(1, true, false);

            assertEquals(ROWS, records, "every row of the transaction was captured once");
            Map<String, String> state = runner.getStateManager().getState(Scope.CLUSTER).toMap();
            assertEquals("0", state.get("pg.changes.skip"), "the last commit ends the transaction: " + state);
            assertTrue(writer.bytes.get() > ROWS, "the records were written");
            System.out.printf("One PostgreSQL transaction of %,d rows (%,d Avro bytes) in %d runs: %,d ms (%,d rows/s); max heap %,d MB;"
                            + " peak heap used %,d MB%n", ROWS, writer.bytes.get(), runs, millis, ROWS * 1000L / Math.max(1, millis),
                    Runtime.getRuntime().maxMemory() >> 20, peak >> 20);
        }
    }
}
