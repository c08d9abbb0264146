package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.snapshot.LogPositions;
import dev.nificdc.cdc.core.snapshot.SnapshotSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Opens {@link PgReadView}s: the first in the snapshot the replication slot exports when it is created (so streaming
 * starts exactly where the rows were read), later ones (after a restart in the middle of a snapshot) in the snapshot of
 * a temporary slot, at a later LSN; the snapshot bookkeeping drops what a later view already contains.
 */
public final class PgSnapshotSource implements SnapshotSource<PgOffset> {
    private final PgCaptureSetup setup;
    private final CaptureLogger logger;

    public PgSnapshotSource(PgSourceConfig config, CaptureLogger logger) {
        this.setup = new PgCaptureSetup(config, logger);
        this.logger = logger;
    }

    @Override
    public PgReadView openReadView() throws SQLException {
        Connection connection = setup.config().jdbc().open();
        try {
            PgServer server = new PgServer(connection);
            PgStreamingSource.awaitSlotFree(server, setup.config());
            setup.prepare(server);
            try (PgCaptureSetup.ExportedSnapshot exported = setup.exportSnapshot(server)) {
                connection.setAutoCommit(false);
                connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                connection.setReadOnly(true);
                try (Statement s = connection.createStatement()) {
                    s.execute("SET TRANSACTION SNAPSHOT '" + exported.snapshotName().replace("'", "''") + "'");
                }
                logger.info("Snapshot read view at " + PgOffset.format(exported.lsn()) + " (exported by "
                        + (exported.slotName().equals(setup.config().slotName()) ? "the new slot " : "the temporary slot ")
                        + exported.slotName() + ")");
                return new PgReadView(connection, setup.config(), exported.lsn());
            }
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public LogPositions<PgOffset> positions() {
        return PgPositions.INSTANCE;
    }

    @Override
    public String advice(SQLException failure) {
        return "28P01".equals(failure.getSQLState()) ? "Check the Username and Password."
                : "It resumes with the tables not yet committed on the next run, in a new read view; check that the capture"
                + " user may SELECT the captured tables if this repeats.";
    }
}
