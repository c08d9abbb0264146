package dev.nificdc.cdc.core.engine;

import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.record.ChangeSize;

import java.util.Objects;

/**
 * How a coordinator takes incremental snapshots (see {@link IncrementalSnapshots}).
 *
 * @param snapshotNewTables whether a table that starts to match {@code filter} (the patterns were changed and the
 *                          processor started again) is queued for an incremental snapshot by itself
 * @param filter            the captured tables as configured now; its table patterns are kept in the state, so the next
 *                          start can tell which tables started to match
 * @param chunkSize         the most rows one chunk holds
 * @param chunkBytes        the most heap the rows of one chunk take ({@link ChangeSize} estimates): a chunk ends at the
 *                          row that reaches it, whichever of the two limits comes first; a chunk holds at least one row
 */
public record IncrementalSnapshotConfig(boolean snapshotNewTables, TableFilter filter, int chunkSize, long chunkBytes) {
    public IncrementalSnapshotConfig {
        Objects.requireNonNull(filter, "filter");
        if (chunkSize < 1) {
            throw new IllegalArgumentException("Chunk size must be positive, was " + chunkSize);
        }
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("Chunk bytes must be positive, was " + chunkBytes);
        }
    }

    /** Chunks of at most {@code chunkSize} rows and {@link ChangeSize#BUFFER_BYTES}. */
    public IncrementalSnapshotConfig(boolean snapshotNewTables, TableFilter filter, int chunkSize) {
        this(snapshotNewTables, filter, chunkSize, ChangeSize.BUFFER_BYTES);
    }
}
