package dev.nificdc.cdc.core.snapshot;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IncrementalSnapshotProgressTest {
    private static final SnapshotTable A = new SnapshotTable("shop", "orders");
    private static final SnapshotTable B = new SnapshotTable("shop", "order,items");
    private static final SnapshotKey KEY = new SnapshotKey(List.of(BigDecimal.valueOf(42), new BigDecimal("7.50")));

    @Test
    void queuesTablesOnceAndReadsThemInOrder() {
        IncrementalSnapshotProgress progress = IncrementalSnapshotProgress.none().withQueued(List.of(A, B)).withQueued(List.of(B, A));
        assertEquals(List.of(A, B), progress.queue(), "a table already queued keeps its place");
        progress = progress.withChunk(KEY, 10).withChunk(KEY, 5);
        assertEquals(A, progress.current());
        assertEquals(KEY, progress.resumeKey());
        assertEquals(15, progress.rows());
        assertEquals(2, progress.chunks());
        progress = progress.withCurrentDone();
        assertEquals(B, progress.current());
        assertNull(progress.resumeKey(), "the next table starts at its first row");
        assertEquals(0, progress.rows());
        assertFalse(progress.withCurrentDone().pending());
    }

    @Test
    void roundTripsThroughTheStateMapNextToOtherEntries() {
        IncrementalSnapshotProgress progress = IncrementalSnapshotProgress.none().withQueued(List.of(A, B)).withChunk(KEY, 3);
        Map<String, String> state = new HashMap<>(progress.toStateMap());
        state.put("binlog.file", "mysql-bin.000001");
        IncrementalSnapshotProgress read = IncrementalSnapshotProgress.fromStateMap(state);
        assertEquals(List.of(A, B), read.queue(), "a comma inside a table name survives");
        assertEquals(KEY, read.resumeKey());
        assertEquals(3, read.rows());
        assertEquals(progress.toStateMap(), read.toStateMap());
        IncrementalSnapshotProgress.removeFrom(state);
        assertEquals(Map.of("binlog.file", "mysql-bin.000001"), state);
        assertTrue(IncrementalSnapshotProgress.none().toStateMap().isEmpty(), "nothing queued, nothing stored");
        assertFalse(IncrementalSnapshotProgress.fromStateMap(Map.of()).pending());
    }
}
