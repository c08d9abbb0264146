package dev.nificdc.cdc.core.snapshot;

import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.cdc.binlog.BinlogPositions;
import dev.nificdc.cdc.binlog.BinlogSourceInfo;
import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.TableSchema;
import dev.nificdc.cdc.record.ValueKind;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotProgressTest {
    private static final BinlogOffset VIEW0 = new BinlogOffset("bin.000007", 1_000, 0, "", false, 1);
    private static final BinlogOffset VIEW1 = new BinlogOffset("bin.000008", 400, 0, "", false, 1);
    private static final SnapshotTable A = new SnapshotTable("shop", "a");
    private static final SnapshotTable B = new SnapshotTable("shop", "b.x");

    @Test
    void roundTripsThroughTheStateMap() {
        SnapshotProgress<BinlogOffset> progress = SnapshotProgress.start(BinlogPositions.INSTANCE).withView(VIEW0).withTableDone(A, 10).withView(VIEW1).withTableDone(B, 5);
        Map<String, String> state = new HashMap<>(progress.toStateMap());
        state.put("binlog.file", "unrelated");
        SnapshotProgress<BinlogOffset> read = SnapshotProgress.fromStateMap(state, BinlogPositions.INSTANCE);
        assertTrue(read.running());
        assertEquals(List.of(VIEW0, VIEW1), read.views());
        assertEquals(15, read.rows());
        assertTrue(read.isDone(A) && read.isDone(B));
        assertFalse(read.isDone(new SnapshotTable("shop", "c")));
        assertEquals(progress.toStateMap(), read.toStateMap());
        assertFalse(SnapshotProgress.fromStateMap(read.completed().toStateMap(), BinlogPositions.INSTANCE).running());
        SnapshotProgress.removeFrom(state);
        assertEquals(Map.of("binlog.file", "unrelated"), state);
        assertNull(SnapshotProgress.fromStateMap(state, BinlogPositions.INSTANCE));
    }

    @Test
    void dropsOnlyStreamedChangesThatTheTablesViewAlreadyContains() {
        SnapshotProgress<BinlogOffset> progress = SnapshotProgress.start(BinlogPositions.INSTANCE).withView(VIEW0).withTableDone(A, 10).withView(VIEW1).withTableDone(B, 5).completed();
        assertEquals(VIEW0, progress.streamStart());
        assertTrue(progress.emits(change(A, "bin.000007", 1_000)), "table read in the first view: everything streamed");
        assertFalse(progress.emits(change(B, "bin.000007", 5_000)), "before B's view: already in B's rows");
        assertFalse(progress.emits(change(B, "bin.000008", 399)));
        assertTrue(progress.emits(change(B, "bin.000008", 400)), "at B's view position: after its rows");
        assertTrue(progress.emits(change(B, "bin.000009", 4)), "a later file");
        assertTrue(progress.emits(change(new SnapshotTable("shop", "new"), "bin.000007", 2_000)), "a table not in the snapshot");

        assertTrue(progress.filterNeeded(new BinlogOffset("bin.000008", 399, 0, "", false, 1)));
        assertFalse(progress.filterNeeded(new BinlogOffset("bin.000008", 400, 0, "", false, 1)));
        assertFalse(SnapshotProgress.start(BinlogPositions.INSTANCE).withView(VIEW0).withTableDone(A, 1).completed().filterNeeded(null),
                "one read view: nothing to drop");
    }

    @Test
    void aTableReadAcrossRestartsJudgesEachChangeByTheViewItsKeyWasReadIn() {
        BinlogOffset view2 = new BinlogOffset("bin.000009", 100, 0, "", false, 1);
        SnapshotProgress<BinlogOffset> progress = SnapshotProgress.start(BinlogPositions.INSTANCE).withView(VIEW0)
                .withChunk(A, key(250), 250, false);
        progress = SnapshotProgress.fromStateMap(progress.toStateMap(), BinlogPositions.INSTANCE);
        assertEquals(A, progress.current());
        assertEquals(key(250), progress.resumeKey(A));
        assertNull(progress.resumeKey(B));
        progress = progress.withView(VIEW1).withChunk(A, key(500), 250, false).withView(view2).withChunk(A, key(600), 100, true);
        progress = SnapshotProgress.fromStateMap(progress.completed().toStateMap(), BinlogPositions.INSTANCE);
        assertNull(progress.current());
        assertEquals(600, progress.rows());
        assertTrue(progress.emits(change(A, 250, "bin.000007", 1_500)), "keys up to 250: first view, everything streamed");
        assertFalse(progress.emits(change(A, 251, "bin.000008", 399)), "keys 251..500: read in the second view");
        assertTrue(progress.emits(change(A, 500, "bin.000008", 400)));
        assertFalse(progress.emits(change(A, 501, "bin.000009", 99)), "keys above 500: read in the third view");
        assertTrue(progress.emits(change(A, 10_000, "bin.000009", 100)));
        assertTrue(SnapshotKey.decode("2,-7.50").compareTo(SnapshotKey.decode("2,-7.5")) == 0, "decimal keys compare by value");
        assertTrue(SnapshotKey.decode("2,1").compareTo(SnapshotKey.decode("10,0")) < 0, "numerically, column by column");
    }

    @Test
    void anAttemptRoundTripsThroughTheStateMapAndIsDroppedWhenComplete() {
        SnapshotProgress.Attempt attempt = new SnapshotProgress.Attempt(B, 0, SnapshotKey.decode("7,2.5"), 12);
        SnapshotProgress<BinlogOffset> progress = SnapshotProgress.start(BinlogPositions.INSTANCE).withView(VIEW0).withAttempt(attempt);
        SnapshotProgress<BinlogOffset> read = SnapshotProgress.fromStateMap(progress.toStateMap(), BinlogPositions.INSTANCE);
        assertEquals(attempt, read.attempt());
        assertEquals(B, read.attempt().table(), "a table name with a dot");
        SnapshotProgress.Attempt whole = new SnapshotProgress.Attempt(A, 0, null, 3);
        assertEquals(whole, SnapshotProgress.fromStateMap(progress.withAttempt(whole).toStateMap(), BinlogPositions.INSTANCE).attempt());
        assertNull(SnapshotProgress.fromStateMap(progress.withAttempt(null).toStateMap(), BinlogPositions.INSTANCE).attempt());
        assertNull(SnapshotProgress.fromStateMap(read.completed().toStateMap(), BinlogPositions.INSTANCE).attempt());
        assertTrue(attempt.coveredBy(SnapshotKey.decode("7,2.5")) && attempt.coveredBy(SnapshotKey.decode("8")));
        assertFalse(attempt.coveredBy(SnapshotKey.decode("7,2")) || whole.coveredBy(key(1_000_000)));
        assertEquals(15, attempt.withSequenceEnd(15).sequenceEnd());
        assertEquals(12, attempt.withSequenceEnd(9).sequenceEnd());
    }

    /**
     * The phantom-row case: keys 1..100 of A were delivered in view 0, but the commit was interrupted, so they are read
     * again in view 1. Judged by view 1, a delete between the views would be dropped and the first copy's row would stay;
     * the repeated range keeps view 0, so the delete is streamed. Keys after the attempt's range keep their own view.
     */
    @Test
    void aRepeatedRangeKeepsTheViewOfTheInterruptedCommitSoItsDeletesAreStreamed() {
        SnapshotProgress<BinlogOffset> stored = SnapshotProgress.start(BinlogPositions.INSTANCE).withView(VIEW0)
                .withAttempt(new SnapshotProgress.Attempt(A, 0, key(100), 1));
        SnapshotProgress<BinlogOffset> resumed = SnapshotProgress.fromStateMap(stored.toStateMap(), BinlogPositions.INSTANCE).withView(VIEW1);
        SnapshotProgress<BinlogOffset> done = resumed.withChunk(A, key(100), 98, false, resumed.attempt().view()).withAttempt(null)
                .withChunk(A, null, 50, true).completed();
        ChangeEvent deleteBetweenViews = delete(A, 40, "bin.000007", 5_000);
        assertTrue(done.emits(deleteBetweenViews), "keys up to 100 keep view 0: the delete after it is streamed");
        assertFalse(done.emits(change(A, 101, "bin.000007", 5_000)), "keys after the repeated range: read in view 1");
        assertTrue(done.emits(change(A, 101, "bin.000008", 400)));

        SnapshotProgress<BinlogOffset> judgedByItsOwnView = resumed.withChunk(A, key(100), 98, false).withChunk(A, null, 50, true).completed();
        assertFalse(judgedByItsOwnView.emits(deleteBetweenViews), "what the progress did before attempts were recorded");
    }

    private static ChangeEvent delete(SnapshotTable table, int id, String file, long pos) {
        ChangeEvent e = change(table, file, pos);
        return new ChangeEvent(Operation.DELETE, e.schema(), new Object[]{id}, null, e.source(), 0, null);
    }

    @Test
    void aTruncateIsEmittedOnlyWhenEveryRowOfItsTableWasReadBeforeIt() {
        SnapshotProgress<BinlogOffset> progress = SnapshotProgress.start(BinlogPositions.INSTANCE).withView(VIEW0).withTableDone(A, 10)
                .withView(VIEW1).withTableDone(B, 5).completed();
        assertTrue(progress.emitsTableWide(truncate(A, "bin.000007", 2_000)), "A was read before it: its rows must go");
        assertFalse(progress.emitsTableWide(truncate(B, "bin.000007", 2_000)), "B was read after it: its rows are what is left");
        assertTrue(progress.emitsTableWide(truncate(B, "bin.000008", 400)));

        SnapshotProgress<BinlogOffset> split = SnapshotProgress.start(BinlogPositions.INSTANCE).withView(VIEW0).withChunk(A, key(250), 250, false)
                .withView(VIEW1).withChunk(A, key(500), 250, true).completed();
        assertTrue(split.emitsTableWide(truncate(A, "bin.000008", 500)), "after both views");
        CaptureException e = assertThrows(CaptureException.class, () -> split.emitsTableWide(truncate(A, "bin.000007", 5_000)));
        assertTrue(e.getMessage().contains("shop.a") && e.getMessage().contains("Clear the processor state"), e.getMessage());
    }

    private static ChangeEvent truncate(SnapshotTable table, String file, long pos) {
        ChangeEvent e = change(table, file, pos);
        return new ChangeEvent(Operation.TRUNCATE, e.schema(), null, null, e.source(), 0, null);
    }

    private static SnapshotKey key(long id) {
        return new SnapshotKey(List.of(java.math.BigDecimal.valueOf(id)));
    }

    private static ChangeEvent change(SnapshotTable table, int id, String file, long pos) {
        ChangeEvent e = change(table, file, pos);
        return new ChangeEvent(e.op(), e.schema(), null, new Object[]{id}, e.source(), 0, null);
    }

    private static ChangeEvent change(SnapshotTable table, String file, long pos) {
        TableSchema schema = new TableSchema(table.database(), table.table(), List.of(ColumnSchema.of("id", ValueKind.INT, false, "int")), List.of("id"));
        BinlogSourceInfo source = new BinlogSourceInfo("mariadb", "t", 1, 0, "false", table.database(), table.table(), file, pos, 0, null, null);
        return new ChangeEvent(Operation.CREATE, schema, null, new Object[]{1}, source, 0, null);
    }
}
