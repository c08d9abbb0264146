package dev.nificdc.cdc.core.snapshot;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.SourceOffset;

import java.sql.SQLException;
import java.util.List;

/**
 * Where an initial snapshot reads a source's existing rows: consistent read views, each tied to a log position.
 * Implemented per source (MySQL/MariaDB: {@code MySqlSnapshotSource}); driven by the capture coordinator.
 *
 * @param <O> the source's offset type
 */
public interface SnapshotSource<O extends SourceOffset<O>> {

    /** Opens a new read view of the captured tables; each call may return a view at a later position. */
    ReadView<O> openReadView() throws SQLException;

    /**
     * Opens a read view for one chunk of an incremental snapshot, taken while streaming goes on: its rows are marked
     * {@code source.snapshot = "incremental"}, and {@link ReadView#contains} must be exact, since the chunk is emitted
     * where the stream stands only when the view contains everything streamed so far. It must take no lock that blocks
     * writers (a view is opened per chunk).
     *
     * @throws CaptureException with reason CONFIGURATION when the source cannot open such views (the message says why)
     */
    default ReadView<O> openIncrementalView() throws SQLException {
        throw new CaptureException(CaptureException.Reason.CONFIGURATION, "This source does not support incremental snapshots.");
    }

    /**
     * {@link #openIncrementalView()} for a chunk that must contain everything streamed up to {@code streamed}: a source
     * whose log is read from one of several servers opens the view where possible on the server {@code streamed} was
     * read from, the one the stream reads. By default the same as {@link #openIncrementalView()}.
     */
    default ReadView<O> openIncrementalView(O streamed) throws SQLException {
        return openIncrementalView();
    }

    /** The captured base tables, ordered by database and name (by default listed through a read view). */
    default List<SnapshotTable> tables() throws SQLException {
        try (ReadView<O> view = openReadView()) {
            return view.tables();
        }
    }

    /** How this source's positions are kept in the snapshot state. */
    LogPositions<O> positions();

    /** What the user should check when reading the snapshot failed with {@code failure} (credentials, privileges). */
    String advice(SQLException failure);
}
