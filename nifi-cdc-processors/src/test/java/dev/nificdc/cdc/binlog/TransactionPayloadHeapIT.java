package dev.nificdc.cdc.binlog;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import dev.nificdc.cdc.binlog.convert.MySqlCharsets;
import dev.nificdc.cdc.binlog.schema.SchemaSource;
import dev.nificdc.cdc.binlog.schema.TableSchemaResolver;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A MySQL 8 compressed transaction (TRANSACTION_PAYLOAD) of 100,000 rows of about 2 KB each (about 200 MB decoded),
 * built around the private MariaDB's own row events as in {@link TransactionPayloadTypeFidelityIT}, through the
 * event handling of the live reader with the heap capped at 128 MB (the failsafe execution "bounded-heap" runs *HeapIT
 * classes with -Xmx128m): the inner events are decoded one at a time while they are handled, never all at once.
 */
class TransactionPayloadHeapIT {
    private static final int ROWS = 100_000;

    @Test
    void aHundredThousandRowPayloadIsDecodedInBoundedHeap() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("bigpayload");
            server.execute("CREATE TABLE `" + db + "`.big (id INT PRIMARY KEY, s VARCHAR(2100) NOT NULL)");
            RawBinlog.Current start = RawBinlog.current(server);
            server.execute("INSERT INTO `" + db + "`.big SELECT seq, CONCAT(REPEAT('compressible ', 150), seq) FROM `"
                    + db + "`.seq_1_to_" + ROWS);
            byte[] file = payloadFile(start);

            System.gc();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            AtomicLong rows = new AtomicLong();
            AtomicLong idSum = new AtomicLong();
            List<Boolean> transactionEnds = new ArrayList<>();
            CaptureLogger log = CaptureLogger.slf4j(TransactionPayloadHeapIT.class);
            BinlogEventProcessor processor = new BinlogEventProcessor(BinlogOffset.at(start.name(), 4), false, null, "test",
                    new TableSchemaResolver(TableFilter.all(), SchemaSource.none(), MySqlCharsets.builtIn(), log), log, change -> {
                rows.incrementAndGet();
                idSum.addAndGet((Integer) change.event().after()[0]);
                if (change.endsTransaction()) {
                    transactionEnds.add(true);
                }
            });
            long begin = System.nanoTime();
            try (BinaryLogFileReader reader = new BinaryLogFileReader(new ByteArrayInputStream(file), EventDeserializers.create())) {
                for (Event event = reader.readEvent(); event != null; event = reader.readEvent()) {
                    if (((EventHeaderV4) event.getHeader()).getPosition() >= 4) {
                        processor.accept(event);
                    }
                }
            }
            long millis = (System.nanoTime() - begin) / 1_000_000;
            long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                    .mapToLong(p -> p.getPeakUsage().getUsed()).sum();

            assertEquals(ROWS, rows.get(), "every row of the payload");
            assertEquals((long) ROWS * (ROWS + 1) / 2, idSum.get(), "each row once");
            assertEquals(1, transactionEnds.size(), "one transaction");
            System.out.printf("One TRANSACTION_PAYLOAD of %,d rows (%,d bytes in the file) in %,d ms; max heap %,d MB; peak heap used %,d MB%n",
                    ROWS, file.length, millis, Runtime.getRuntime().maxMemory() >> 20, peak >> 20);
        }
    }

    /** The format description event, then each transaction after {@code start} as GTID + TRANSACTION_PAYLOAD; streamed. */
    private static byte[] payloadFile(RawBinlog.Current start) throws Exception {
        List<byte[]> out = new ArrayList<>();
        long[] position = {4};
        RawBinlog.PayloadBuilder[] transaction = {null};
        boolean[] checksummed = {false};
        checksummed[0] = RawBinlog.scan(start.file(), event -> {
            long at = position[0];
            position[0] += event.length;
            try {
                if (transaction[0] != null) {
                    if (transaction[0].add(event)) {
                        out.add(transaction[0].build());
                        transaction[0] = null;
                    }
                } else if (RawBinlog.typeCode(event) == RawBinlog.FORMAT_DESCRIPTION) {
                    out.add(event);
                    checksummed[0] = event[event.length - 5] == 1;
                } else if (at >= start.end() && RawBinlog.startsTransaction(event)) {
                    out.add(event);
                    transaction[0] = new RawBinlog.PayloadBuilder(checksummed[0]);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        RawBinlog built = new RawBinlog(out, checksummed[0]);
        assertTrue(built.typeCodesFrom(4).contains(RawBinlog.TRANSACTION_PAYLOAD), "a payload was built");
        return built.bytes();
    }
}
