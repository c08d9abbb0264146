package dev.nificdc.cdc.core.engine;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.SourceOffset;
import dev.nificdc.cdc.core.snapshot.LogPositions;
import dev.nificdc.cdc.core.snapshot.ReadView;
import dev.nificdc.cdc.core.snapshot.SnapshotKey;
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
import java.util.regex.Pattern;

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
 * <p>Repeats. NiFi commits a session's FlowFiles before its state, so a crash between the two (a kill, a power cut)
 * delivers a run's output while the state still says it was not. Nothing is lost, but the next run hands out that output
 * again. Each run with output therefore also returns an {@link CaptureRun#intent() intent}: the stored state plus what
 * the output covers, for the processor to store before the commit. A run that finds an intent repeats it faithfully:
 * streamed changes from the stored offset exactly to the intent's end (the same units with the same sequence ids, not a
 * run cut at another moment), a snapshot chunk over the same key range, whose rows, read in a new view, then keep the
 * earlier view for streaming (see {@link SnapshotProgress.Attempt}), so the deletes between the two views are streamed.
 * After a repeat, sequence ids continue after the highest one handed out.
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
    private static final long IDLE_RUN_WITH_CHUNK_WAITING_NANOS = 20_000_000L;

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
    /** Null when this capture takes no incremental snapshots. */
    private final IncrementalSnapshots<O> incremental;
    private volatile boolean discardPending;
    /** The state the last run returned, or started from when it returned none: what this coordinator expects to find stored next. */
    private Map<String, String> expectedState;
    // incremental snapshots: whether this start has looked for tables that started to be captured, and whether the next
    // run may read a chunk (chunks and streaming runs take turns)
    private boolean newTablesChecked;
    private boolean chunkTurn;
    /** When a run last returned state (System.nanoTime()): heartbeats come at most once per interval after it. */
    private long lastStateNanos = System.nanoTime();

    private volatile ChangeStream<O> stream;
    // snapshot in progress: the open read view, the tables still to read in it and the progress handed out so far
    private ReadView<O> view;
    private Deque<SnapshotTable> tablesToRead;
    private SnapshotProgress<O> progress;
    private int tableCount;

    public CaptureCoordinator(SnapshotSource<O> snapshots, StreamingSource<O> streaming, Config config, CaptureLogger logger) {
        this(snapshots, streaming, config, null, logger);
    }

    /**
     * A coordinator that also takes incremental snapshots while streaming (see {@link IncrementalSnapshots}).
     *
     * @param incremental how; null: none
     */
    public CaptureCoordinator(SnapshotSource<O> snapshots, StreamingSource<O> streaming, Config config,
                              IncrementalSnapshotConfig incremental, CaptureLogger logger) {
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.streaming = Objects.requireNonNull(streaming, "streaming");
        this.config = Objects.requireNonNull(config, "config");
        this.logger = Objects.requireNonNull(logger, "logger");
        this.incremental = incremental == null ? null
                : new IncrementalSnapshots<>(snapshots, streaming, incremental, config.maxChangesPerUnit(), logger);
    }

    /**
     * One run: the next snapshot page or table, or a batch of streamed changes, handed to {@code writer}.
     *
     * @param state the state stored with the last committed output
     * @return the state to store with this run's output, and what the run did
     * @throws CaptureException when capture cannot go on until the user acts (nothing of this run may be committed)
     */
    public CaptureRun run(Map<String, String> state, ChangeRunWriter writer) throws InterruptedException {
        if ((stream != null || view != null) && !state.equals(expectedState)) {
            // Someone else stored state since this coordinator's last run: in a NiFi cluster, the node that was primary
            // while this one was not. What this coordinator read ahead is stale: start again from the stored state.
            logger.info("The stored state is not the one this processor stored last (another node of the cluster captured"
                    + " meanwhile): continuing from the stored state");
            closeStream();
            closeSnapshot();
        }
        CaptureRun run = incremental == null ? capture(state, writer) : captureWithIncrementalSnapshots(state, writer);
        expectedState = Map.copyOf(run.state() != null ? run.state() : state);
        return run;
    }

    private CaptureRun captureWithIncrementalSnapshots(Map<String, String> state, ChangeRunWriter writer) throws InterruptedException {
        if (discardPending) {
            newTablesChecked = false; // the tables queued by the run that failed to commit are looked for again
        }
        if (streamingState(state)) {
            CaptureRun incrementalRun = incrementalRun(state, writer);
            if (incrementalRun != null) {
                return incrementalRun;
            }
        }
        CaptureRun run = capture(state, writer);
        chunkTurn = run.kind() == CaptureRun.Kind.STREAMING;
        return incremental.carry(state, run);
    }

    /**
     * Queues an incremental snapshot of the captured tables whose {@code database.table} matches one of {@code tables}
     * (whole-name regular expressions), to be read chunk by chunk while streaming goes on.
     *
     * @param state the state stored with the last committed output
     * @return a run without output whose state (the stored one with the tables queued) is to be committed
     * @throws CaptureException with reason CONFIGURATION when this capture or its source takes no incremental snapshots or
     *                          no captured table matches; another reason when the source could not be asked
     */
    public CaptureRun requestIncrementalSnapshot(Map<String, String> state, List<Pattern> tables) {
        if (incremental == null) {
            throw new CaptureException(CaptureException.Reason.CONFIGURATION, "This capture takes no incremental snapshots.");
        }
        try {
            CaptureRun run = incremental.request(state, tables);
            expectedState = Map.copyOf(run.state() != null ? run.state() : state);
            return run;
        } catch (SQLException e) {
            throw new CaptureException(CaptureException.Reason.SNAPSHOT, "The incremental snapshot request could not be checked"
                    + " against the captured tables: " + e.getMessage() + ". " + snapshots.advice(e), e);
        }
    }

    /** With a streaming state: the tables that started to be captured (once per start), else a chunk when it is its turn. */
    private CaptureRun incrementalRun(Map<String, String> state, ChangeRunWriter writer) {
        if (!newTablesChecked) {
            CaptureRun queued;
            try {
                queued = incremental.queueNewTables(state);
            } catch (SQLException e) {
                throw new CaptureException(CaptureException.Reason.SNAPSHOT, "Could not list the captured tables to find those"
                        + " that started to be captured: " + e.getMessage() + ". " + snapshots.advice(e), e);
            }
            newTablesChecked = true;
            if (queued != null) {
                return queued;
            }
        }
        if (chunkTurn && incremental.due(state)) {
            chunkTurn = false;
            return incremental.chunkRun(state, writer);
        }
        return null;
    }

    /** True when {@code state} is streaming's: a stored offset, and no initial snapshot running or being caught up with. */
    private boolean streamingState(Map<String, String> state) {
        return streaming.storedOffset(state) != null && SnapshotProgress.fromStateMap(state, snapshots.positions()) == null;
    }

    /** One run of the initial snapshot or of streaming. */
    private CaptureRun capture(Map<String, String> state, ChangeRunWriter writer) throws InterruptedException {
        if (discardPending) {
            discardPending = false;
            closeStream();
            closeSnapshot();
        }
        return runFrom(state, writer);
    }

    private CaptureRun runFrom(Map<String, String> state, ChangeRunWriter writer) throws InterruptedException {
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
     * writer in runs of one table; after a crash inside the last commit, exactly to the stored intent's end instead.
     * {@code snapshot}, when a snapshot needed several read views, drops the changes its rows already contain.
     */
    private CaptureRun streamingRun(Map<String, String> state, SnapshotProgress<O> snapshot, ChangeRunWriter writer)
            throws InterruptedException {
        StreamingIntent<O> repeat = StreamingIntent.from(state, streaming);
        if (repeat != null) {
            logger.info("Handing out again the changes up to " + repeat.end() + ", whose commit was interrupted: the same"
                    + " changes in the same FlowFiles with the same sequence ids");
        }
        long sequenceId = sequenceId(state);
        long maxWait = config.maxWait().toNanos();
        long deadline = System.nanoTime() + maxWait;
        long lastArrival = System.nanoTime();
        // with an incremental-snapshot chunk waiting, a run that gets no change at all ends early, so the chunk comes next
        long idleEnd = incremental != null && incremental.due(state) ? System.nanoTime() + IDLE_RUN_WITH_CHUNK_WAITING_NANOS : deadline;
        List<ChangeEvent> run = new ArrayList<>();
        long runBytes = 0;
        CapturedChange<O> last = null;
        int units = 0;
        while (true) {
            CapturedChange<O> change;
            if (repeat != null) {
                if (last != null && last.offsetAfter().compareTo(repeat.end()) >= 0) {
                    break;
                }
                change = stream.poll(Duration.ofMillis(200));
                if (change == null) {
                    // only when the end can no longer be reached (e.g. the captured tables were changed meanwhile)
                    if (System.nanoTime() - lastArrival > maxWait && (last == null || last.endsTransaction())) {
                        logger.warn("The changes up to " + repeat.end() + " did not arrive again; ending this run at "
                                + (last == null ? "the stored position" : last.offsetAfter()));
                        break;
                    }
                    continue;
                }
                lastArrival = System.nanoTime();
            } else {
                long remaining = deadline - System.nanoTime();
                boolean pastDeadline = remaining <= 0;
                // Past the deadline, keep going only to finish the transaction in progress, so output holds whole transactions.
                if (pastDeadline && (last == null || last.endsTransaction() || remaining < -maxWait)) {
                    break;
                }
                long idleRemaining = idleEnd - System.nanoTime();
                if (last == null && idleRemaining <= 0) {
                    break;
                }
                boolean atTransactionEnd = last != null && last.endsTransaction();
                // Caught up at a transaction boundary: hand out what has arrived now instead of waiting, so a change shows up
                // within milliseconds; under load the stream is never empty and a run fills its units until the deadline.
                Duration wait = atTransactionEnd ? Duration.ZERO : pastDeadline ? Duration.ofMillis(50)
                        : Duration.ofNanos(Math.min(last == null ? idleRemaining : remaining, 200_000_000L));
                change = stream.poll(wait);
                if (change == null) {
                    if (atTransactionEnd) {
                        break;
                    }
                    continue;
                }
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
            if (repeat != null || readUpTo == null || readUpTo.equals(streaming.storedOffset(state))
                    || System.nanoTime() - lastStateNanos < config.heartbeatInterval().toNanos()) {
                // (a repeat whose changes have not arrived yet keeps its intent stored: no position-only state)
                return new CaptureRun(CaptureRun.Kind.STREAMING, null, null, 0, "", Map.of(), stream.metrics());
            }
            return new CaptureRun(CaptureRun.Kind.POSITION, streamState(readUpTo, sequenceId, snapshot), null, 0, readUpTo.toString(),
                    Map.of(), stream.metrics());
        }
        O end = readUpTo != null ? readUpTo : last.offsetAfter();
        if (repeat != null && last.offsetAfter().compareTo(repeat.end()) >= 0 && repeat.stateEnd() != null) {
            // the repeat reached the interrupted output's end: the same state as that output's, though the stream may
            // have read further meanwhile (no captured change lies between the two ends)
            end = repeat.stateEnd();
        }
        Map<String, String> intent = units == 0 ? null : new StreamingIntent<>(last.offsetAfter(), sequenceId, end).storedWith(state);
        long nextSequenceId = repeat == null ? sequenceId : Math.max(sequenceId, repeat.sequenceEnd());
        return new CaptureRun(CaptureRun.Kind.STREAMING, streamState(end, nextSequenceId, snapshot), intent, units, end.toString(),
                Map.of(), stream.metrics());
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
     * position of the first read view, where streaming starts. A stored {@link SnapshotProgress.Attempt} (a chunk whose
     * commit was interrupted) is read first, over the same key range, and keeps the attempt's view.
     */
    private CaptureRun snapshotRun(Map<String, String> state, SnapshotProgress<O> stored, ChangeRunWriter writer) {
        long firstSequence = sequenceId(state);
        long[] sequenceId = {firstSequence};
        try {
            if (view == null) {
                openReadView(stored);
            }
            SnapshotProgress<O> before = progress;
            SnapshotProgress<O> next = before;
            SnapshotProgress.Attempt repeat = before.attempt();
            Map<String, Long> counters = new HashMap<>();
            int[] units = {0};
            Map<String, String> intent = null;
            SnapshotTable table = tablesToRead.peek();
            if (table != null) {
                boolean repeating = repeat != null && repeat.table().equals(table);
                int rangeView = repeating ? repeat.view() : before.latestView();
                boolean lastTable = tablesToRead.size() == 1;
                ReadView.ChunkSink sink = chunk -> {
                    writer.write(chunk, sequenceId[0]++);
                    units[0]++;
                    counters.merge(COUNTER_SNAPSHOT_ROWS, (long) chunk.size(), Long::sum);
                };
                boolean done;
                SnapshotKey reached;
                if (ReadView.pageable(view.schema(table))) {
                    ReadView.Chunk chunk = view.readChunk(table, next.resumeKey(table), repeating ? repeat.upTo() : null,
                            config.maxChangesPerUnit(), lastTable);
                    if (!chunk.events().isEmpty()) {
                        sink.accept(chunk.events());
                    }
                    done = !chunk.more();
                    reached = done ? null : chunk.lastKey();
                    next = next.withChunk(table, chunk.lastKey(), chunk.events().size(), done, rangeView);
                } else {
                    // no usable key: the whole table in this run, in one commit
                    long rows = view.readTable(table, config.maxChangesPerUnit(), lastTable, sink);
                    done = true;
                    reached = null;
                    next = next.withChunk(table, null, rows, true, rangeView);
                }
                if (units[0] > 0) {
                    // what this output covers, stored before it is committed
                    SnapshotProgress.Attempt attempt = repeating ? repeat.withSequenceEnd(sequenceId[0])
                            : new SnapshotProgress.Attempt(table, rangeView, reached, sequenceId[0]);
                    intent = new HashMap<>(before.withAttempt(attempt).toStateMap());
                    intent.put(STATE_SEQUENCE_ID, String.valueOf(firstSequence));
                }
                // a repeated attempt stays recorded until its whole range has been committed again
                boolean repeatPending = repeating && !done && !repeat.coveredBy(reached);
                next = next.withAttempt(repeatPending ? repeat.withSequenceEnd(sequenceId[0]) : null);
                if (repeating && !repeatPending) {
                    sequenceId[0] = Math.max(sequenceId[0], repeat.sequenceEnd());
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
            return new CaptureRun(CaptureRun.Kind.SNAPSHOT, newState, intent, units[0], position, counters, null);
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
        SnapshotProgress<O> resumed = withView;
        SnapshotProgress.Attempt attempt = withView.attempt();
        if (attempt != null && !tablesToRead.contains(attempt.table())) {
            logger.warn("The snapshot rows of " + attempt.table() + " whose commit was interrupted cannot be read again: the"
                    + " table is no longer captured");
            resumed = withView.withAttempt(null);
        }
        SnapshotTable first = resumed.attempt() != null ? attempt.table() : resumed.current();
        if (first != null && tablesToRead.remove(first)) {
            tablesToRead.addFirst(first); // repeat the interrupted commit, or continue the table a restart interrupted
        }
        progress = resumed;
        tableCount = withView.tablesDone() + tablesToRead.size();
        logger.info("Snapshot: " + tablesToRead.size() + " of " + tableCount + " tables to read in the read view at "
                + opened.position() + (withView.views().size() > 1
                ? " (resumed: " + withView.tablesDone() + " tables were read before a restart)" : "")
                + (resumed.attempt() != null ? "; first the rows of " + attempt.table() + " whose commit was interrupted" : ""));
    }

    /** Snapshot policy no_data without a stored offset: store the log's current end, so the next run streams from there. */
    private CaptureRun startAtCurrentPosition(Map<String, String> state) {
        O position = streaming.currentPosition();
        Map<String, String> newState = new HashMap<>(position.toStateMap());
        newState.put(STATE_SEQUENCE_ID, String.valueOf(sequenceId(state)));
        logger.info("Snapshot Mode no_data: streaming from the current position " + position);
        return new CaptureRun(CaptureRun.Kind.START_POSITION, newState, null, 0, position.toString(), Map.of(), null);
    }

    /** Policy when_needed and the stored offset is gone: replace the state by a new snapshot, keeping the sequence. */
    private CaptureRun restartWithSnapshot(Map<String, String> state, CaptureException cause) {
        Map<String, String> newState = new HashMap<>(SnapshotProgress.start(snapshots.positions()).toStateMap());
        newState.put(STATE_SEQUENCE_ID, state.getOrDefault(STATE_SEQUENCE_ID, "0"));
        logger.warn(cause.getMessage() + " Snapshot Mode is when_needed: taking a new snapshot of the captured tables, then"
                + " streaming from its position");
        return new CaptureRun(CaptureRun.Kind.RESTART_SNAPSHOT, newState, null, 0, "", Map.of(), null);
    }

    static long sequenceId(Map<String, String> state) {
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
