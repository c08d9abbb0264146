package dev.nificdc.cdc.core.engine;

import dev.nificdc.cdc.core.CaptureMetrics;

import java.util.Map;

/**
 * What one {@link CaptureCoordinator#run run} produced besides the runs of changes it handed to the writer: the state to
 * store in the same commit as that output, and what to tell the user.
 *
 * @param kind        what the run did
 * @param state       the complete new state to store with the output (replaces the old state); null: store nothing
 * @param intent      the complete state to store <em>before</em> committing the output (replacing the old state), or null
 *                    when the run handed out no output. NiFi writes a session's FlowFiles before its state, so a crash in
 *                    between delivers the output without {@code state}; the next run then finds {@code intent} and hands
 *                    out the same output again (same changes, positions, units and sequence ids for streamed changes; the
 *                    same key range, re-read in a new view, for a snapshot chunk) instead of a differently cut one
 * @param outputUnits how many runs of changes were handed to the writer
 * @param position    where the committed output ends, for the log ("" when unknown)
 * @param counters    counters to add (e.g. snapshot rows and tables read)
 * @param metrics     the stream's counters after a streaming run, else null
 */
public record CaptureRun(Kind kind, Map<String, String> state, Map<String, String> intent, int outputUnits, String position,
                         Map<String, Long> counters, CaptureMetrics metrics) {

    /** What a run did. */
    public enum Kind {
        /** Streamed changes (possibly none: then {@code state} is null). */
        STREAMING,
        /**
         * Stored how far the stream has read the log, without output: nothing captured arrived, and the stored offset
         * keeps up with the log (a heartbeat).
         */
        POSITION,
        /** Read the next page or table of the initial snapshot. */
        SNAPSHOT,
        /** Stored the current end of the log as the start, without output (Snapshot Mode no_data). */
        START_POSITION,
        /**
         * The stored offset is gone from the log and the policy is when_needed: discard whatever this run handed to the
         * writer and store {@code state}, which starts a new snapshot.
         */
        RESTART_SNAPSHOT,
        /**
         * Read a chunk of a table's incremental snapshot (see {@link IncrementalSnapshots}), handed out where the stream
         * stands; or gave up a queued table (then without output).
         */
        INCREMENTAL_SNAPSHOT,
        /** Queued tables for an incremental snapshot (a request, or tables that started to be captured), without output. */
        INCREMENTAL_SNAPSHOT_QUEUED
    }

    public CaptureRun {
        counters = Map.copyOf(counters);
        position = position == null ? "" : position;
    }

    /** This run with {@code newState} to store instead (its intent unchanged). */
    public CaptureRun withState(Map<String, String> newState) {
        return new CaptureRun(kind, newState, intent, outputUnits, position, counters, metrics);
    }

    /** True when the writer's output of this run must be dropped rather than committed. */
    public boolean discardsOutput() {
        return kind == Kind.RESTART_SNAPSHOT;
    }
}
