package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.snapshot.LogPositions;
import dev.nificdc.cdc.core.snapshot.SnapshotSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Opens {@link PgReadView}s: the first in the snapshot the replication slot exports when it is created (so streaming
 * starts exactly where the rows were read), later ones (after a restart in the middle of a snapshot) in the snapshot of
 * a temporary slot, at a later LSN; the snapshot bookkeeping drops what a later view already contains. Built with the
 * stream's {@link PgStreamedTransactions}, it also opens the views of incremental snapshots ({@link #openIncrementalView}).
 */
public final class PgSnapshotSource implements SnapshotSource<PgOffset> {
    private final PgCaptureSetup setup;
    private final CaptureLogger logger;
    /** What the capture's stream handed out (null: this source takes no incremental snapshots). */
    private final PgStreamedTransactions streamed;

    /** A source for the initial snapshot only. */
    public PgSnapshotSource(PgSourceConfig config, CaptureLogger logger) {
        this(config, null, logger);
    }

    /**
     * A source that also opens incremental-snapshot views.
     *
     * @param streamed the transactions of the same capture's stream: {@link PgStreamingSource#transactions()}
     */
    public PgSnapshotSource(PgSourceConfig config, PgStreamedTransactions streamed, CaptureLogger logger) {
        this.setup = new PgCaptureSetup(config, logger);
        this.logger = logger;
        this.streamed = streamed;
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

    /**
     * A view for one chunk of an incremental snapshot: a REPEATABLE READ, READ ONLY transaction whose first statement takes
     * its snapshot and reads it ({@code txid_current_snapshot()}). No slot, no lock, nothing that waits for other
     * transactions: only SELECT on the captured tables. Whether it contains what the stream handed out is judged against
     * the stream's transactions ({@link PgReadView#contains}); its position (the WAL end when it was opened) is for logs.
     *
     * <p>Not chosen: a temporary slot per chunk exporting its snapshot would give a view exact by LSN, but creating a slot
     * waits for every transaction running at that moment (a long transaction blocks it, and under load it can take up to
     * the 15 s interval of the server's running-transactions records) and needs a free replication slot.
     */
    @Override
    public PgReadView openIncrementalView() throws SQLException {
        if (streamed == null) {
            throw new CaptureException(CaptureException.Reason.CONFIGURATION, "This PostgreSQL capture was built without its"
                    + " stream's transactions, so it cannot judge incremental-snapshot views.");
        }
        Connection connection = setup.config().jdbc().open();
        try {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            PgServer server = new PgServer(connection);
            PgTxidSnapshot snapshot = server.txidSnapshot(); // the transaction's first statement: its snapshot
            long walEnd = server.currentWalLsn();
            return new PgReadView(connection, setup.config(), walEnd, new PgReadView.Incremental(snapshot, streamed, logger));
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
