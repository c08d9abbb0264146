package dev.nificdc.cdc.core.snapshot;

import dev.nificdc.cdc.core.SourceOffset;

import java.sql.SQLException;

/**
 * Where an initial snapshot reads a source's existing rows: consistent read views, each tied to a log position.
 * Implemented per source (MySQL/MariaDB: {@code MySqlSnapshotSource}); driven by the capture coordinator.
 *
 * @param <O> the source's offset type
 */
public interface SnapshotSource<O extends SourceOffset<O>> {

    /** Opens a new read view of the captured tables; each call may return a view at a later position. */
    ReadView<O> openReadView() throws SQLException;

    /** How this source's positions are kept in the snapshot state. */
    LogPositions<O> positions();

    /** What the user should check when reading the snapshot failed with {@code failure} (credentials, privileges). */
    String advice(SQLException failure);
}
