package dev.nificdc.cdc.core.engine;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.SourceOffset;

import java.util.Map;

/**
 * Where a source's committed changes are streamed from: its change log (MySQL's binlog, PostgreSQL's WAL through a
 * replication slot). Implemented per source (MySQL/MariaDB: {@code BinlogStreamingSource}); driven by the
 * {@link CaptureCoordinator}.
 *
 * @param <O> the source's offset type
 */
public interface StreamingSource<O extends SourceOffset<O>> {

    /** The offset an earlier run stored in {@code state} ({@link SourceOffset#toStateMap()}), or null when there is none. */
    O storedOffset(Map<String, String> state);

    /**
     * Connects and starts streaming the changes after {@code resumeFrom}, or, when it is null, from where the source's
     * configuration says to start.
     *
     * @throws CaptureException when the source cannot be captured; reason POSITION_UNAVAILABLE when {@code resumeFrom}
     *                          is no longer in the log
     */
    ChangeStream<O> open(O resumeFrom);

    /**
     * The current end of the log: where streaming starts when the existing rows are not wanted (Snapshot Mode no_data).
     *
     * @throws CaptureException when it cannot be read
     */
    O currentPosition();
}
