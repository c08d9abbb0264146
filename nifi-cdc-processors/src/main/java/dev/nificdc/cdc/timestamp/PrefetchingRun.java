package dev.nificdc.cdc.timestamp;

import dev.nificdc.cdc.record.ChangeEvent;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

/**
 * One {@link TimestampFetcher} run whose rows are read, and prepared, on a second thread a bounded number of rows
 * ahead of the calling thread, which consumes them in order. Reading (the database's round trips, JDBC decoding and
 * {@code prepare}, e.g. building records) then overlaps with consuming (e.g. encoding FlowFile content).
 *
 * <p>Nothing is lost or reordered: the reader hands over its rows in chunks through a bounded queue, followed by the
 * run's result or its failure, which the calling thread rethrows. When the consumer fails, the reader is stopped and
 * its transaction rolled back. Either way {@link #run} returns only after the reading thread has ended, so the
 * connection is free again. An instance serves one run.
 *
 * @param <T> a prepared row
 */
public final class PrefetchingRun<T> {
    /** Rows per hand-over: one queue operation per chunk instead of per row. */
    public static final int CHUNK_ROWS = 256;
    /** Chunks the reader may be ahead of the consumer. */
    public static final int CHUNKS_AHEAD = 8;
    private static final long POLL_MILLIS = 50;

    /** Prepares a fetched row on the reading thread. */
    @FunctionalInterface
    public interface Preparer<T> {
        T prepare(ChangeEvent event, Temporal updateTimestamp);
    }

    /** Consumes a prepared row on the calling thread. */
    @FunctionalInterface
    public interface Consumer<T> {
        void accept(T row) throws IOException;
    }

    /** Rows in fetch order; the last chunk also carries the run's result or failure. */
    private record Chunk<T>(List<T> rows, boolean last, TimestampFetcher.RunResult result, Throwable failure) {
    }

    private final TimestampFetcher fetcher;
    private final Preparer<T> preparer;
    private final String threadName;
    private final BlockingQueue<Chunk<T>> queue = new ArrayBlockingQueue<>(CHUNKS_AHEAD);
    private volatile boolean cancelled;

    public PrefetchingRun(TimestampFetcher fetcher, Preparer<T> preparer, String threadName) {
        this.fetcher = fetcher;
        this.preparer = preparer;
        this.threadName = threadName;
    }

    /** Runs {@link TimestampFetcher#run} on a reading thread and hands every prepared row to {@code consumer}, in order. */
    public TimestampFetcher.RunResult run(Connection connection, Watermark start, Consumer<T> consumer) throws SQLException, IOException {
        return run(connection, start, null, consumer);
    }

    /**
     * As {@link #run(Connection, Watermark, Consumer)}; with an {@code intent}, {@link TimestampFetcher#repeat} reads
     * again the range of a run whose commit was interrupted.
     */
    public TimestampFetcher.RunResult run(Connection connection, Watermark start, WatermarkState.Intent intent, Consumer<T> consumer)
            throws SQLException, IOException {
        Thread reader = Thread.ofPlatform().name(threadName).daemon().start(() -> read(connection, start, intent));
        try {
            while (true) {
                Chunk<T> chunk = queue.take();
                for (T row : chunk.rows()) {
                    consumer.accept(row);
                }
                if (chunk.last()) {
                    return resultOf(chunk);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while fetching rows");
        } finally {
            stop(reader);
        }
    }

    private void read(Connection connection, Watermark start, WatermarkState.Intent intent) {
        List<T> rows = new ArrayList<>(CHUNK_ROWS);
        Chunk<T> last;
        try {
            TimestampFetcher.RowHandler handler = (event, ts) -> {
                if (cancelled) {
                    throw new CancellationException("The consumer stopped");
                }
                rows.add(preparer.prepare(event, ts));
                if (rows.size() == CHUNK_ROWS) {
                    hand(new Chunk<>(new ArrayList<>(rows), false, null, null));
                    rows.clear();
                }
            };
            TimestampFetcher.RunResult result = intent == null ? fetcher.run(connection, start, handler)
                    : fetcher.repeat(connection, start, intent, handler);
            last = new Chunk<>(rows, true, result, null);
        } catch (Throwable failure) {
            last = new Chunk<>(List.of(), true, null, failure);
        }
        try {
            hand(last);
        } catch (CancellationException consumerGone) {
            // the consumer failed first and rethrows its own error
        }
    }

    /** Queues {@code chunk}, waiting while the queue is full; gives up once the consumer has stopped. */
    private void hand(Chunk<T> chunk) {
        try {
            while (!queue.offer(chunk, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                if (cancelled) {
                    throw new CancellationException("The consumer stopped");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("Interrupted");
        }
    }

    private static TimestampFetcher.RunResult resultOf(Chunk<?> last) throws SQLException, IOException {
        Throwable failure = last.failure();
        if (failure == null) {
            return last.result();
        }
        if (failure instanceof SQLException e) {
            throw e;
        }
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(failure);
    }

    /** Stops the reader if it still runs (the consumer failed) and waits for it to end, without being interrupted. */
    private void stop(Thread reader) {
        cancelled = true;
        boolean interrupted = false;
        while (reader.isAlive()) {
            queue.clear();
            try {
                reader.join(POLL_MILLIS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
