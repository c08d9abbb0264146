package dev.nificdc.cdc.core.engine;

import dev.nificdc.cdc.core.TableFilter;

import java.util.Objects;

/**
 * How a coordinator takes incremental snapshots (see {@link IncrementalSnapshots}).
 *
 * @param snapshotNewTables whether a table that starts to match {@code filter} (the patterns were changed and the
 *                          processor started again) is queued for an incremental snapshot by itself
 * @param filter            the captured tables as configured now; its table patterns are kept in the state, so the next
 *                          start can tell which tables started to match
 * @param chunkSize         the most rows one chunk holds (a chunk also ends once its rows take about 32 MB)
 */
public record IncrementalSnapshotConfig(boolean snapshotNewTables, TableFilter filter, int chunkSize) {
    public IncrementalSnapshotConfig {
        Objects.requireNonNull(filter, "filter");
        if (chunkSize < 1) {
            throw new IllegalArgumentException("Chunk size must be positive, was " + chunkSize);
        }
    }
}
