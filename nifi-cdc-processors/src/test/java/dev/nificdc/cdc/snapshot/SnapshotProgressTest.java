package dev.nificdc.cdc.snapshot;

import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.SourceInfo;
import dev.nificdc.cdc.record.TableSchema;
import dev.nificdc.cdc.record.ValueKind;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotProgressTest {
    private static final BinlogOffset VIEW0 = new BinlogOffset("bin.000007", 1_000, 0, "", false, 1);
    private static final BinlogOffset VIEW1 = new BinlogOffset("bin.000008", 400, 0, "", false, 1);
    private static final SnapshotTable A = new SnapshotTable("shop", "a");
    private static final SnapshotTable B = new SnapshotTable("shop", "b.x");

    @Test
    void roundTripsThroughTheStateMap() {
        SnapshotProgress progress = SnapshotProgress.start().withView(VIEW0).withTableDone(A, 10).withView(VIEW1).withTableDone(B, 5);
        Map<String, String> state = new HashMap<>(progress.toStateMap());
        state.put("binlog.file", "unrelated");
        SnapshotProgress read = SnapshotProgress.fromStateMap(state);
        assertTrue(read.running());
        assertEquals(List.of(VIEW0, VIEW1), read.views());
        assertEquals(15, read.rows());
        assertTrue(read.isDone(A) && read.isDone(B));
        assertFalse(read.isDone(new SnapshotTable("shop", "c")));
        assertEquals(progress.toStateMap(), read.toStateMap());
        assertFalse(SnapshotProgress.fromStateMap(read.completed().toStateMap()).running());
        SnapshotProgress.removeFrom(state);
        assertEquals(Map.of("binlog.file", "unrelated"), state);
        assertNull(SnapshotProgress.fromStateMap(state));
    }

    @Test
    void dropsOnlyStreamedChangesThatTheTablesViewAlreadyContains() {
        SnapshotProgress progress = SnapshotProgress.start().withView(VIEW0).withTableDone(A, 10).withView(VIEW1).withTableDone(B, 5).completed();
        assertEquals(VIEW0, progress.streamStart());
        assertTrue(progress.emits(change(A, "bin.000007", 1_000)), "table read in the first view: everything streamed");
        assertFalse(progress.emits(change(B, "bin.000007", 5_000)), "before B's view: already in B's rows");
        assertFalse(progress.emits(change(B, "bin.000008", 399)));
        assertTrue(progress.emits(change(B, "bin.000008", 400)), "at B's view position: after its rows");
        assertTrue(progress.emits(change(B, "bin.000009", 4)), "a later file");
        assertTrue(progress.emits(change(new SnapshotTable("shop", "new"), "bin.000007", 2_000)), "a table not in the snapshot");

        assertTrue(progress.filterNeeded(new BinlogOffset("bin.000008", 399, 0, "", false, 1)));
        assertFalse(progress.filterNeeded(new BinlogOffset("bin.000008", 400, 0, "", false, 1)));
        assertFalse(SnapshotProgress.start().withView(VIEW0).withTableDone(A, 1).completed().filterNeeded(null),
                "one read view: nothing to drop");
    }

    private static ChangeEvent change(SnapshotTable table, String file, long pos) {
        TableSchema schema = new TableSchema(table.database(), table.table(), List.of(ColumnSchema.of("id", ValueKind.INT, false, "int")), List.of("id"));
        SourceInfo source = new SourceInfo("mariadb", "t", 1, 0, "false", table.database(), table.table(), file, pos, 0, null, null);
        return new ChangeEvent(Operation.CREATE, schema, null, new Object[]{1}, source, 0, null);
    }
}
