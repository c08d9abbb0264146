package dev.nificdc.cdc.core.snapshot;

import dev.nificdc.cdc.core.SourceOffset;
import dev.nificdc.cdc.record.ChangeEvent;

import java.util.List;
import java.util.Map;

/**
 * How one source's log positions appear in the snapshot bookkeeping: how a read view's position is written into the
 * state (and read back, in the format existing state already has), and where in the log a streamed change was written,
 * so {@link SnapshotProgress} can tell whether a read view already contains it.
 *
 * @param <O> the source's offset type
 */
public interface LogPositions<O extends SourceOffset<O>> {

    /** A read view's position as one state value. */
    String encode(O view);

    /**
     * The position {@link #encode} wrote; {@code state} holds the whole snapshot state, for entries that
     * {@link #sharedEntries} wrote once for all views.
     */
    O decode(String encoded, Map<String, String> state);

    /** State entries all views share, written once (keys start with {@link SnapshotProgress#PREFIX}); none by default. */
    default Map<String, String> sharedEntries(List<O> views) {
        return Map.of();
    }

    /** Where in the log a streamed change was written, comparable with read-view positions; null when unknown. */
    O positionOf(ChangeEvent change);
}
