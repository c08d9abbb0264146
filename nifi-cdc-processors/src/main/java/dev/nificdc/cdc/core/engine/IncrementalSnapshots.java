package dev.nificdc.cdc.core.engine;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.SourceOffset;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.snapshot.IncrementalSnapshotProgress;
import dev.nificdc.cdc.core.snapshot.ReadView;
import dev.nificdc.cdc.core.snapshot.SnapshotSource;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;
import dev.nificdc.cdc.record.TableSchema;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Incremental snapshots while streaming: the existing rows of chosen tables (tables that started to be captured, or
 * tables named in a request) are read chunk by chunk, each chunk in a run of its own between two streaming runs, while
 * the stream goes on. The {@link CaptureCoordinator} calls it; the queue and the last key read are kept in the state
 * ({@link IncrementalSnapshotProgress}) and committed with each chunk.
 *
 * <p><b>Why every key converges.</b> A chunk is read in a new read view ({@link SnapshotSource#openIncrementalView()})
 * and handed out right away, as {@code op = r} rows: after every change already handed out and before every change
 * still to come. First it checks that the view contains every change handed out so far ({@link ReadView#contains} of
 * the stored streaming offset {@code S}; on MariaDB: {@code S} is not after the view's {@code binlog_snapshot_position},
 * which the server reports exactly, or, on another server of a replication topology than the one {@code S} was read from,
 * every GTID before {@code S} is before that position; the view is opened on the server {@code S} was read from where
 * possible, so the chunks follow the stream after a fail-over; on PostgreSQL, where visibility does not follow the WAL
 * order: the view's transaction snapshot sees every transaction the stream handed out up to {@code S}, and every one
 * running when the stream started has ended for it); otherwise (a transaction the stream already handed out whose
 * commit the server had not finished when the view was opened) the chunk is tried again after the next streaming run.
 * Then, for each key in the chunk's range: if the key changes after {@code S}, the stream hands out those changes after
 * the chunk, and the last of them is the key's final state; if it does not, the key's state has not changed since
 * {@code S}, and the view,
 * which sees everything up to {@code S} and perhaps a little more, holds exactly that state (the row, or no row). So the
 * last record a consumer sees of every key equals the source, whatever the writes in between, and no row of a chunk is
 * ever dropped: DBLog's watermark rule (drop the keys the stream changed between a low and a high watermark) is needed
 * only when a chunk is emitted after changes its read may not contain; here it is emitted before them. A change the
 * view already contains is handed out again after the chunk: harmless to a consumer that applies changes by key.
 * A key change is streamed as a delete of the old key and a create of the new one, each judged by its own key.
 *
 * <p>The result is per-key convergence, not a point-in-time copy: rows of different chunks come from different
 * moments. A restart, a failed commit or a crash inside NiFi's commit re-reads the chunk that was not committed in a
 * new view at the new stream position, and the argument holds for it as for any chunk (also for the first copy a crash
 * inside the commit delivered: every change after it and the second copy follow it).
 *
 * <p>A table with a {@link ReadView#pageable} key is read in chunks of {@link IncrementalSnapshotConfig#chunkSize()}
 * rows and {@link IncrementalSnapshotConfig#chunkBytes()}, in key order after the last committed key; any other table
 * (no primary key, or a key whose order Java cannot reproduce) in one run, through the writer chunk by chunk, so the
 * heap holds one chunk.
 * Streaming waits during that run.
 *
 * @param <O> the source's offset type
 */
final class IncrementalSnapshots<O extends SourceOffset<O>> {
    static final String COUNTER_ROWS = "Incremental snapshot rows read";
    static final String COUNTER_CHUNKS = "Incremental snapshot chunks read";
    static final String COUNTER_TABLES = "Incremental snapshot tables read";
    /** How long a chunk whose read failed waits before it is tried again (streaming goes on meanwhile). */
    private static final long RETRY_NANOS = 10_000_000_000L;

    private final SnapshotSource<O> source;
    private final StreamingSource<O> streaming;
    private final IncrementalSnapshotConfig config;
    private final int maxChangesPerUnit;
    private final CaptureLogger logger;
    private long retryAfterNanos = System.nanoTime();

    IncrementalSnapshots(SnapshotSource<O> source, StreamingSource<O> streaming, IncrementalSnapshotConfig config,
                         int maxChangesPerUnit, CaptureLogger logger) {
        this.source = source;
        this.streaming = streaming;
        this.config = config;
        this.maxChangesPerUnit = maxChangesPerUnit;
        this.logger = logger;
    }

    /** True when a chunk should be read now: a table is queued, the stream has a stored offset, no retry is pending. */
    boolean due(Map<String, String> state) {
        return IncrementalSnapshotProgress.fromStateMap(state).pending() && streaming.storedOffset(state) != null
                && System.nanoTime() - retryAfterNanos >= 0;
    }

    /**
     * The tables that started to match since the filter stored in {@code state} was configured (the patterns were
     * changed), queued when {@link IncrementalSnapshotConfig#snapshotNewTables()}; call it with a streaming state.
     *
     * @return a run without output holding the new queue and filter, or null when the filter did not change
     */
    CaptureRun queueNewTables(Map<String, String> state) throws SQLException {
        TableFilter stored = TableFilter.fromStateMap(state);
        if (stored == null || stored.toStateMap().equals(config.filter().toStateMap())) {
            return null;
        }
        // the tables listed are the source's captured ones, none of them a system table of any source
        TableFilter before = stored.withSystemNames(name -> false);
        List<SnapshotTable> started = source.tables().stream()
                .filter(t -> !before.includesTable(t.database(), t.table())).toList();
        IncrementalSnapshotProgress progress = IncrementalSnapshotProgress.fromStateMap(state);
        if (started.isEmpty()) {
            logger.info("The table patterns changed; no table started to be captured");
        } else if (config.snapshotNewTables()) {
            progress = progress.withQueued(started);
            logger.info("Tables now captured: " + names(started) + ". Their existing rows are read by an incremental snapshot"
                    + " while streaming goes on (queued: " + names(progress.queue()) + ")");
        } else {
            logger.info("Tables now captured: " + names(started) + ". Snapshot New Tables is false: only their changes from"
                    + " now on are captured");
        }
        return queued(state, progress);
    }

    /**
     * Queues the captured tables whose {@code database.table} matches one of {@code patterns} (whole-name regular
     * expressions); a table already queued keeps its place.
     *
     * @throws CaptureException with reason CONFIGURATION when the source cannot take incremental snapshots or no captured
     *                          table matches
     */
    CaptureRun request(Map<String, String> state, List<Pattern> patterns) throws SQLException {
        List<SnapshotTable> tables;
        try (ReadView<O> view = source.openIncrementalView()) {
            tables = view.tables();
        }
        List<SnapshotTable> matching = tables.stream()
                .filter(t -> patterns.stream().anyMatch(p -> p.matcher(t.qualifiedName()).matches())).toList();
        if (matching.isEmpty()) {
            throw new CaptureException(CaptureException.Reason.CONFIGURATION, "No captured table matches "
                    + patterns.stream().map(Pattern::pattern).collect(Collectors.joining(", ")) + " (regular expressions"
                    + " matched against the whole qualified name: database.table, or schema.table on PostgreSQL). Captured tables: " + sample(tables) + ".");
        }
        IncrementalSnapshotProgress progress = IncrementalSnapshotProgress.fromStateMap(state).withQueued(matching);
        logger.info("Incremental snapshot requested for " + names(matching) + " (queued: " + names(progress.queue()) + ")");
        return queued(state, progress);
    }

    /**
     * Reads and hands out the next chunk of the first queued table, at the stream's stored offset.
     *
     * @return the run, with the state to commit with the chunk; null when no chunk could be read this time (the view does
     * not contain everything streamed yet, or the read failed: then it is tried again later) and streaming should go on
     */
    CaptureRun chunkRun(Map<String, String> state, ChangeRunWriter writer) {
        IncrementalSnapshotProgress progress = IncrementalSnapshotProgress.fromStateMap(state);
        SnapshotTable table = progress.current();
        O streamed = streaming.storedOffset(state);
        long firstSequence = CaptureCoordinator.sequenceId(state);
        long[] sequence = {firstSequence};
        Map<String, Long> counters = new HashMap<>();
        ReadView.ChunkSink sink = rows -> {
            for (int from = 0; from < rows.size(); from += maxChangesPerUnit) {
                writer.write(rows.subList(from, Math.min(rows.size(), from + maxChangesPerUnit)), sequence[0]++);
            }
            counters.merge(COUNTER_ROWS, (long) rows.size(), Long::sum);
        };
        ReadView<O> view;
        try {
            view = source.openIncrementalView(streamed);
        } catch (CaptureException e) {
            if (e.reason() != CaptureException.Reason.CONFIGURATION) {
                throw e;
            }
            logger.warn(e.getMessage() + " The incremental snapshot of " + names(progress.queue()) + " is dropped.");
            return run(state, progress.cleared(), firstSequence, 0, "", Map.of());
        } catch (SQLException e) {
            return failed(table, e);
        }
        try (view) {
            if (!view.contains(streamed)) {
                logger.debug("Incremental snapshot of " + table + ": the read view at " + view.position() + " does not contain"
                        + " everything streamed up to " + streamed + " yet; trying again after the next streaming run");
                return null;
            }
            TableSchema schema = view.schema(table);
            if (schema == null) {
                logger.warn("Incremental snapshot of " + table + ": the table no longer exists or is no longer captured; it is"
                        + " dropped from the queue");
                return run(state, progress.withCurrentDone(), firstSequence, 0, view.position().toString(), Map.of());
            }
            IncrementalSnapshotProgress next;
            if (ReadView.pageable(schema)) {
                ReadView.Chunk chunk = view.readChunk(table, progress.resumeKey(), null, config.chunkSize(),
                        config.chunkBytes(), false);
                if (!chunk.events().isEmpty()) {
                    sink.accept(chunk.events());
                }
                next = progress.withChunk(chunk.lastKey(), chunk.events().size());
                if (!chunk.more()) {
                    next = finished(table, next);
                }
            } else {
                // no usable key: the whole table in this run, in one commit, through the writer chunk by chunk
                long rows = view.readTable(table, Math.min(config.chunkSize(), maxChangesPerUnit), config.chunkBytes(),
                        false, sink);
                next = finished(table, progress.withChunk(null, rows));
            }
            counters.merge(COUNTER_CHUNKS, 1L, Long::sum);
            if (!next.pending() || !next.current().equals(table)) {
                counters.put(COUNTER_TABLES, 1L);
            }
            return run(state, next, sequence[0], (int) (sequence[0] - firstSequence), view.position().toString(), counters);
        } catch (SQLException e) {
            if (sequence[0] > firstSequence) {
                throw snapshotFailure(table, e); // part of the table was handed out: the run's output must not be committed
            }
            return failed(table, e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw snapshotFailure(table, e);
        }
    }

    /**
     * {@code run}'s state with the incremental-snapshot entries of {@code stored} (none after a restart with a new
     * initial snapshot) and the current table patterns: the runs that do not take incremental snapshots keep them.
     */
    CaptureRun carry(Map<String, String> stored, CaptureRun run) {
        if (run.state() == null || run.kind() == CaptureRun.Kind.INCREMENTAL_SNAPSHOT
                || run.kind() == CaptureRun.Kind.INCREMENTAL_SNAPSHOT_QUEUED) {
            return run;
        }
        IncrementalSnapshotProgress progress = run.kind() == CaptureRun.Kind.RESTART_SNAPSHOT
                ? IncrementalSnapshotProgress.none() : IncrementalSnapshotProgress.fromStateMap(stored);
        return run.withState(withProgress(run.state(), progress));
    }

    private IncrementalSnapshotProgress finished(SnapshotTable table, IncrementalSnapshotProgress progress) {
        logger.info("Incremental snapshot of " + table + " complete: " + progress.rows() + " rows in " + progress.chunks()
                + " chunks" + (progress.queue().size() > 1 ? "; next: " + progress.queue().get(1) : ""));
        return progress.withCurrentDone();
    }

    private CaptureRun failed(SnapshotTable table, SQLException e) {
        retryAfterNanos = System.nanoTime() + RETRY_NANOS;
        logger.warn("Incremental snapshot of " + table + ": reading a chunk failed: " + e.getMessage() + ". Streaming goes on;"
                + " the chunk is tried again in " + RETRY_NANOS / 1_000_000_000L + " s. " + source.advice(e));
        return null;
    }

    private CaptureException snapshotFailure(SnapshotTable table, Exception e) {
        return new CaptureException(CaptureException.Reason.SNAPSHOT, "The incremental snapshot of " + table + " failed: "
                + e.getMessage() + ". The chunk is read again after the next streaming run.", e);
    }

    private CaptureRun queued(Map<String, String> state, IncrementalSnapshotProgress progress) {
        return new CaptureRun(CaptureRun.Kind.INCREMENTAL_SNAPSHOT_QUEUED, withProgress(state, progress), null, 0, "", Map.of(), null);
    }

    private CaptureRun run(Map<String, String> state, IncrementalSnapshotProgress progress, long nextSequence, int units,
                           String position, Map<String, Long> counters) {
        Map<String, String> next = withProgress(state, progress);
        next.put(CaptureCoordinator.STATE_SEQUENCE_ID, String.valueOf(nextSequence));
        return new CaptureRun(CaptureRun.Kind.INCREMENTAL_SNAPSHOT, next, null, units, position, counters, null);
    }

    private Map<String, String> withProgress(Map<String, String> state, IncrementalSnapshotProgress progress) {
        Map<String, String> next = new HashMap<>(state);
        IncrementalSnapshotProgress.removeFrom(next);
        TableFilter.removeFrom(next);
        next.putAll(progress.toStateMap());
        next.putAll(config.filter().toStateMap());
        return next;
    }

    private static String names(List<SnapshotTable> tables) {
        return tables.stream().map(SnapshotTable::qualifiedName).collect(Collectors.joining(", "));
    }

    private static String sample(List<SnapshotTable> tables) {
        if (tables.isEmpty()) {
            return "none";
        }
        return tables.size() <= 20 ? names(tables) : names(tables.subList(0, 20)) + " and " + (tables.size() - 20) + " more";
    }
}
