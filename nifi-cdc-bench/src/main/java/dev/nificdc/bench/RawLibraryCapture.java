package dev.nificdc.bench;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Candidate (a), the limit: mysql-binlog-connector-java's {@link BinaryLogClient} with its default deserializers,
 * deserialising every event of the range and only counting the rows of the workload's table. Nothing is converted,
 * no schema is built, nothing is written.
 */
final class RawLibraryCapture implements BinlogCaptureCandidate {
    private static final long SERVER_ID = 61_001;

    @Override
    public String name() {
        return "raw-library";
    }

    @Override
    public CaptureMeasurement capture(BinlogRange range) throws Exception {
        BinaryLogClient client = new BinaryLogClient(range.host(), range.port(), range.user(), range.password());
        client.setServerId(SERVER_ID);
        client.setKeepAlive(false);
        client.setBinlogFilename(range.startFile());
        client.setBinlogPosition(range.startPosition());
        RowCounter counter = new RowCounter(range);
        client.registerEventListener(counter);
        long start = System.nanoTime();
        long cpuStart = CaptureMeasurement.processCpuNanos();
        client.connect(10_000);
        try {
            if (!counter.done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("The raw library did not reach " + range.endFile() + ":" + range.endPosition()
                        + " in 10 minutes; counted " + counter.counts());
            }
            long nanos = System.nanoTime() - start;
            return new CaptureMeasurement(counter.counts(), nanos, CaptureMeasurement.processCpuNanos() - cpuStart);
        } finally {
            client.disconnect();
        }
    }

    /** Counts the rows of the range's table until the event that ends at the range's end position. */
    private static final class RowCounter implements BinaryLogClient.EventListener {
        private final BinlogRange range;
        private final Map<Long, Boolean> ofWorkloadTable = new HashMap<>();
        private final CountDownLatch done = new CountDownLatch(1);
        private final AtomicReference<OrdersWorkload.Counts> published = new AtomicReference<>(new OrdersWorkload.Counts(0, 0, 0));
        private String file;
        private long inserts;
        private long updates;
        private long deletes;

        RowCounter(BinlogRange range) {
            this.range = range;
            this.file = range.startFile();
        }

        @Override
        public void onEvent(Event event) {
            EventData data = event.getData();
            switch (data) {
                case RotateEventData rotate -> file = rotate.getBinlogFilename();
                case TableMapEventData map -> ofWorkloadTable.put(map.getTableId(),
                        range.database().equals(map.getDatabase()) && range.table().equals(map.getTable()));
                case WriteRowsEventData rows when counted(rows.getTableId()) -> inserts += rows.getRows().size();
                case UpdateRowsEventData rows when counted(rows.getTableId()) -> updates += rows.getRows().size();
                case DeleteRowsEventData rows when counted(rows.getTableId()) -> deletes += rows.getRows().size();
                case null, default -> {
                }
            }
            if (event.getHeader() instanceof EventHeaderV4 header && range.endFile().equals(file)
                    && header.getNextPosition() >= range.endPosition()) {
                published.set(new OrdersWorkload.Counts(inserts, updates, deletes));
                done.countDown();
            }
        }

        private boolean counted(long tableId) {
            return ofWorkloadTable.getOrDefault(tableId, false);
        }

        OrdersWorkload.Counts counts() {
            return done.getCount() == 0 ? published.get() : new OrdersWorkload.Counts(inserts, updates, deletes);
        }
    }
}
