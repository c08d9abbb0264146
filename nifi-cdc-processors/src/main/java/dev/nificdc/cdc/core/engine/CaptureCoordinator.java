package dev.nificdc.cdc.core.engine;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.SourceOffset;
import dev.nificdc.cdc.core.snapshot.LogPositions;
import dev.nificdc.cdc.core.snapshot.ReadView;
import dev.nificdc.cdc.core.snapshot.SnapshotProgress;
import dev.nificdc.cdc.core.snapshot.SnapshotSource;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ChangeSize;
import dev.nificdc.cdc.record.Operation;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Drives one source's capture run by run (after Debezium's {@code ChangeEventSourceCoordinator}): the initial snapshot
 * through a {@link SnapshotSource}, one page or table per run, then the change log through a {@link StreamingSource},
 * one batch per run. Each {@link #run} hands runs of changes of one table to a {@link ChangeRunWriter} and returns the
 * state to store in the same commit as that output; nothing is stored otherwise. Without NiFi types: the processor
 * turns the runs into FlowFiles and commits them with the state.
 *
 * <p>Delivery: a streaming run ends once it has taken every change read so far at a transaction boundary, or at
 * {@link Config#maxWait()}, past which it only finishes the transaction in progress (for at most as long again), so
 * committed output holds whole transactions. A run of one table is cut at {@link Config#maxChangesPerUnit()} changes or
 * {@link ChangeSize#BUFFER_BYTES}; a TRUNCATE and a schema change are each a unit of their own. The state holds the
 * offset after the last change taken (or, when the stream knows it, how far it has read the log past that change) and the
 * next sequence id.
 *
 * <p>Heartbeats: when nothing captured arrives the stored offset would stay where the last captured change left it, while
 * the source's log moves on with changes of other tables and may be purged behind it. So a run without changes returns
 * the stream's {@link ChangeStream#position() position} as state alone ({@link CaptureRun.Kind#POSITION}), at most once per
 * {@link Config#heartbeatInterval()}.
 *
 * <p>Snapshot and stream meet without loss or repeat: see {@link SnapshotProgress}. While streaming catches up with a
 * snapshot that needed several read views, changes a view already contains are dropped.
 *
 * <p>Not thread-safe, except {@link #discardUncommitted()}, which a failed commit may call from another thread.
 *
 * @param <O> the source's offset type
 */
public final class CaptureCoordinator<O extends SourceOffset<O>> implements AutoCloseable {
    /** State key: the sequence id of the next output unit (decimal). */
    public static final String STATE_SEQUENCE_ID = "sequence.id";
    static final String COUNTER_SNAPSHOT_ROWS = "Snapshot rows read";
    static final String COUNTER_SNAPSHOT_TABLES = "Snapshot tables read";

    /**
     * How runs are cut.
     *
     * @param policy            when to read the existing rows
     * @param maxChangesPerUnit the most changes one output unit holds; also the snapshot's page size
     * @param maxWait           how long a streaming run collects changes
     * @param heartbeatInterval how often, at most, a run without changes stores how far the stream has read
     */
    public record Config(SnapshotPolicy policy, int maxChangesPerUnit, Duration maxWait, Duration heartbeatInterval) {
        /** The heartbeat interval when none is given. */
        public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(30);

        public Config {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(maxWait, "maxWait");
            Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
            if (maxChangesPerUnit < 1) {
                throw new IllegalArgumentException("Max changes per unit must be positive, was " + maxChangesPerUnit);
            }
        }

        public Config(SnapshotPolicy policy, int maxChangesPerUnit, Duration maxWait) {
            this(policy, maxChangesPerUnit, maxWait, DEFAULT_HEARTBEAT_INTERVAL);
        }
    }

    private final SnapshotSource<O> snapshots;
    private final StreamingSource<O> streaming;
    private final Config config;
    private final CaptureLogger logger;
    private volatile boolean discardPending;
    /** When a run last returned state (System.nanoTime()): heartbeats come at most once per interval after it. */
    private long lastStateNanos = System.nanoTime();

    private volatile ChangeStream<O> stream;
    // snapshot in progress: the open read view, the tables still to read in it and the progress handed out so far
    private ReadView<O> view;
    private Deque<SnapshotTable> tablesToRead;
    private SnapshotProgress<O> progress;
    private int tableCount;

    public CaptureCoordinator(SnapshotSource<O> snapshots, StreamingSource<O> streaming, Config config, CaptureLogger logger) {
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.streaming = Objects.requireNonNull(streaming, "streaming");
        this.config = Objects.requireNonNull(config, "config");
        this.logger = Objects.requireNonNull(logger, "logger");
    }

    /**
     * One run: the next snapshot page or table, or a batch of streamed changes, handed to {@code writer}.
     *
     * @param state the state stored with the last committed output
     * @return the state to store with this run's output, and what the run did
     * @throws CaptureException when capture cannot go on until the user acts (nothing of this run may be committed)
     */
    public CaptureRun run(Map<String, String> state, ChangeRunWriter writer) throws InterruptedException {
        if (discardPending) {
            discardPending = false;
            closeStream();
            closeSnapshot();
        }
        try {
            LogPositions<O> positions = snapshots.positions();
            SnapshotProgress<O> stored = SnapshotProgress.fromStateMap(state, positions);
            if (stored != null && stored.running()) {
                return snapshotRun(state, stored, writer);
            }
            if (stream == null && streaming.storedOffset(state) == null) {
                switch (config.policy()) {
                    case INITIAL, WHEN_NEEDED -> {
                        return snapshotRun(state, SnapshotProgress.start(positions), writer);
                    }
                    case NO_DATA -> {
                        return startAtCurrentPosition(state);
                    }
                    case NEVER -> {
                        // stream from the streaming source's configured start
                    }
                }
            }
            if (stream == null) {
                O resume = streaming.storedOffset(state);
                stream = streaming.open(resume);
                logger.info(resume == null ? "No stored position: streaming from the configured start" : "Resuming capture at " + resume);
            }
            return streamingRun(state, stored, writer);
        } catch (CaptureException e) {
            closeStream();
            if (e.reason() == CaptureException.Reason.POSITION_UNAVAILABLE && config.policy() == SnapshotPolicy.WHEN_NEEDED) {
                return restartWithSnapshot(state, e);
            }
            throw e;
        } catch (InterruptedException | RuntimeException e) {
            // the stream ran ahead of what this run's output would have committed: re-read from the stored state
            closeStream();
            throw e;
        }
    }

    /**
     * The output of the last run was not committed (or the run failed): the next run closes what read ahead and starts
     * again from the stored state (for a snapshot: in a new read view). Safe to call from any thread.
     */
    public void discardUncommitted() {
        discardPending = true;
    }

    /**
     * The output of {@code run} and its state have been committed: the open change stream learns the committed offset
     * ({@link ChangeStream#committed}), e.g. to let the server release the log up to it. Call it from the commit's success
     * callback, never before the commit succeeded; safe to call from any thread.
     */
    public void committed(CaptureRun run) {
        ChangeStream<O> current = stream;
        boolean streamed = run.kind() == CaptureRun.Kind.STREAMING || run.kind() == CaptureRun.Kind.POSITION;
        if (!streamed || run.state() == null || current == null) {
            return;
        }
        O offset = streaming.storedOffset(run.state());
        if (offset != null) {
            current.committed(offset);
        }
    }

    @Override
    public void close() {
        closeStream();
        closeSnapshot();
    }

    /**
     * Takes changes until the stream has no more at a transaction boundary, or for up to Max Wait, handing them to the
     * writer in runs of one table. {@code snapshot}, when a snapshot needed several read views, drops the changes its
     * rows already contain.
     */
    private CaptureRun streamingRun(Map<String, String> state, SnapshotProgress<O> snapshot, ChangeRunWriter writer)
            throws InterruptedException {
        long sequenceId = sequenceId(state);
        long maxWait = config.maxWait().toNanos();
        long deadline = System.nanoTime() + maxWait;
        List<ChangeEvent> run = new ArrayList<>();
        long runBytes = 0;
        CapturedChange<O> last = null;
        int units = 0;
        while (true) {
            long remaining = deadline - System.nanoTime();
            boolean pastDeadline = remaining <= 0;
            // Past the deadline, keep going only to finish the transaction in progress, so output holds whole transactions.
            if (pastDeadline && (last == null || last.endsTransaction() || remaining < -maxWait)) {
                break;
            }
            boolean atTransactionEnd = last != null && last.endsTransaction();
            // Caught up at a transaction boundary: hand out what has arrived now instead of waiting, so a change shows up
            // within milliseconds; under load the stream is never empty and a run fills its units until the deadline.
            Duration wait = atTransactionEnd ? Duration.ZERO
                    : pastDeadline ? Duration.ofMillis(50) : Duration.ofNanos(Math.min(remaining, 200_000_000L));
            CapturedChange<O> change = stream.poll(wait);
            if (change == null) {
                if (atTransactionEnd) {
                    break;
                }
                continue;
            }
            last = change;
            if (change.schemaChange() != null || change.event().op() == Operation.TRUNCATE) {
                // a unit of its own, after the run before it
                if (!run.isEmpty()) {
                    writer.write(run, sequenceId++);
                    units++;
                    run = new ArrayList<>();
                    runBytes = 0;
                }
                if (change.schemaChange() != null) {
                    writer.writeSchemaChange(change.schemaChange(), sequenceId++);
                    units++;
                } else if (snapshot == null || snapshot.emitsTableWide(change.event())) {
                    writer.write(List.of(change.event()), sequenceId++);
                    units++;
                }
                continue;
            }
            if (snapshot != null && !snapshot.emits(change.event())) {
                continue;
            }
            if (!run.isEmpty() && (!run.get(0).schema().equals(change.event().schema()) || run.size() >= config.maxChangesPerUnit()
                    || runBytes >= ChangeSize.BUFFER_BYTES)) {
                writer.write(run, sequenceId++);
                units++;
                run = new ArrayList<>();
                runBytes = 0;
            }
            run.add(change.event());
            runBytes += change.estimatedBytes();
        }
        if (!run.isEmpty()) {
            writer.write(run, sequenceId++);
            units++;
        }
        // how far the stream has read past the last change taken (changes of other tables, rotations): stored too
        O readUpTo = stream.position();
        if (last == null) {
            if (readUpTo == null || readUpTo.equals(streaming.storedOffset(state))
                    || System.nanoTime() - lastStateNanos < config.heartbeatInterval().toNanos()) {
                return new CaptureRun(CaptureRun.Kind.STREAMING, null, 0, "", Map.of(), stream.metrics());
            }
            return new CaptureRun(CaptureRun.Kind.POSITION, streamState(readUpTo, sequenceId, snapshot), 0, readUpTo.toString(),
                    Map.of(), stream.metrics());
        }
        O end = readUpTo != null ? readUpTo : last.offsetAfter();
        return new CaptureRun(CaptureRun.Kind.STREAMING, streamState(end, sequenceId, snapshot), units, end.toString(), Map.of(),
                stream.metrics());
    }

    private Map<String, String> streamState(O offset, long sequenceId, SnapshotProgress<O> snapshot) {
        Map<String, String> newState = new HashMap<>(offset.toStateMap());
        newState.put(STATE_SEQUENCE_ID, String.valueOf(sequenceId));
        if (snapshot != null && snapshot.filterNeeded(offset)) {
            newState.putAll(snapshot.toStateMap());
        }
        lastStateNanos = System.nanoTime();
        return newState;
    }

    /**
     * Reads the next table of the snapshot (opening a read view first when none is open): a pageable table one page per
     * run, committed with the key it reached; another table whole, in one run. After the last table the state holds the
     * position of the first read view, where streaming starts.
     */
    private CaptureRun snapshotRun(Map<String, String> state, SnapshotProgress<O> stored, ChangeRunWriter writer) {
        long[] sequenceId = {sequenceId(state)};
        try {
            if (view == null) {
                openReadView(stored);
            }
            SnapshotProgress<O> next = progress;
            Map<String, Long> counters = new HashMap<>();
            int[] units = {0};
            SnapshotTable table = tablesToRead.peek();
            if (table != null) {
                boolean lastTable = tablesToRead.size() == 1;
                ReadView.ChunkSink sink = chunk -> {
                    writer.write(chunk, sequenceId[0]++);
                    units[0]++;
                    counters.merge(COUNTER_SNAPSHOT_ROWS, (long) chunk.size(), Long::sum);
                };
                boolean done;
                if (ReadView.pageable(view.schema(table))) {
                    ReadView.Chunk chunk = view.readChunk(table, next.resumeKey(table), config.maxChangesPerUnit(), lastTable);
                    if (!chunk.events().isEmpty()) {
                        sink.accept(chunk.events());
                    }
                    done = !chunk.more();
                    next = next.withChunk(table, chunk.lastKey(), chunk.events().size(), done);
                } else {
                    // no usable key: the whole table in this run, in one commit
                    long rows = view.readTable(table, config.maxChangesPerUnit(), lastTable, sink);
                    done = true;
                    next = next.withTableDone(table, rows);
                }
                if (done) {
                    tablesToRead.poll();
                    counters.put(COUNTER_SNAPSHOT_TABLES, 1L);
                    logger.info("Snapshot of " + table + ": " + next.currentRows() + " rows (table " + next.tablesDone() + " of "
                            + tableCount + "; " + next.rows() + " rows so far)");
                }
            }
            Map<String, String> newState = new HashMap<>();
            String position;
            if (tablesToRead.isEmpty()) {
                next = next.completed();
                newState.putAll(next.streamStart().toStateMap());
                if (next.filterNeeded(null)) {
                    newState.putAll(next.toStateMap());
                }
                position = next.streamStart().toString();
                logger.info("Snapshot complete: " + next.rows() + " rows of " + next.tablesDone() + " tables; streaming from "
                        + next.streamStart());
                closeSnapshot();
            } else {
                newState.putAll(next.toStateMap());
                position = view.position().toString();
                progress = next;
            }
            newState.put(STATE_SEQUENCE_ID, String.valueOf(sequenceId[0]));
            return new CaptureRun(CaptureRun.Kind.SNAPSHOT, newState, units[0], position, counters, null);
        } catch (SQLException e) {
            closeSnapshot();
            throw new CaptureException(CaptureException.Reason.SNAPSHOT, "The snapshot failed: " + e.getMessage() + ". "
                    + snapshots.advice(e), e);
        } catch (RuntimeException e) {
            closeSnapshot();
            throw e;
        } catch (Exception e) {
            closeSnapshot();
            throw new CaptureException(CaptureException.Reason.SNAPSHOT, "The snapshot failed: " + e.getMessage(), e);
        }
    }

    private void openReadView(SnapshotProgress<O> stored) throws SQLException {
        ReadView<O> opened = snapshots.openReadView();
        view = opened;
        SnapshotProgress<O> withView = stored.withView(opened.position());
        List<SnapshotTable> tables = opened.tables();
        tablesToRead = new ArrayDeque<>(tables.stream().filter(t -> !withView.isDone(t)).toList());
        SnapshotTable current = withView.current();
        if (current != null && tablesToRead.remove(current)) {
            tablesToRead.addFirst(current); // continue the table a restart interrupted
        }
        progress = withView;
        tableCount = withView.tablesDone() + tablesToRead.size();
        logger.info("Snapshot: " + tablesToRead.size() + " of " + tableCount + " tables to read in the read view at "
                + opened.position() + (withView.views().size() > 1
                ? " (resumed: " + withView.tablesDone() + " tables were read before a restart)" : ""));
    }

    /** Snapshot policy no_data without a stored offset: store the log's current end, so the next run streams from there. */
    private CaptureRun startAtCurrentPosition(Map<String, String> state) {
        O position = streaming.currentPosition();
        Map<String, String> newState = new HashMap<>(position.toStateMap());
        newState.put(STATE_SEQUENCE_ID, String.valueOf(sequenceId(state)));
        logger.info("Snapshot Mode no_data: streaming from the current position " + position);
        return new CaptureRun(CaptureRun.Kind.START_POSITION, newState, 0, position.toString(), Map.of(), null);
    }

    /** Policy when_needed and the stored offset is gone: replace the state by a new snapshot, keeping the sequence. */
    private CaptureRun restartWithSnapshot(Map<String, String> state, CaptureException cause) {
        Map<String, String> newState = new HashMap<>(SnapshotProgress.start(snapshots.positions()).toStateMap());
        newState.put(STATE_SEQUENCE_ID, state.getOrDefault(STATE_SEQUENCE_ID, "0"));
        logger.warn(cause.getMessage() + " Snapshot Mode is when_needed: taking a new snapshot of the captured tables, then"
                + " streaming from its position");
        return new CaptureRun(CaptureRun.Kind.RESTART_SNAPSHOT, newState, 0, "", Map.of(), null);
    }

    private static long sequenceId(Map<String, String> state) {
        return Long.parseLong(state.getOrDefault(STATE_SEQUENCE_ID, "0"));
    }

    private void closeStream() {
        ChangeStream<O> current = stream;
        stream = null;
        if (current != null) {
            try {
                current.close();
            } catch (RuntimeException e) {
                logger.warn("Closing the change stream failed", e);
            }
        }
    }

    private void closeSnapshot() {
        ReadView<O> current = view;
        view = null;
        tablesToRead = null;
        progress = null;
        if (current != null) {
            current.close();
        }
    }
}
