package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureException.Reason;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.engine.ChangeStream;
import dev.nificdc.cdc.core.engine.StreamingSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

/** Streams a PostgreSQL database's changes from its replication slot through a {@link PgReplicationReader}. */
public final class PgStreamingSource implements StreamingSource<PgOffset> {
    /** How long a slot may still be held by this processor's own previous stream (its server process ending). */
    private static final Duration SLOT_RELEASE_WAIT = Duration.ofSeconds(10);

    private final PgCaptureSetup setup;
    private final CaptureLogger logger;
    private final PgStreamedTransactions transactions = new PgStreamedTransactions();

    public PgStreamingSource(PgSourceConfig config, CaptureLogger logger) {
        this.setup = new PgCaptureSetup(config, logger);
        this.logger = logger;
    }

    /**
     * The transactions the stream opened last has handed out: give them to the {@link PgSnapshotSource} of the same
     * capture, whose incremental-snapshot views are judged against them.
     */
    public PgStreamedTransactions transactions() {
        return transactions;
    }

    @Override
    public PgOffset storedOffset(Map<String, String> state) {
        return PgOffset.fromStateMap(state);
    }

    /**
     * Checks the server, creates the publication and (without a stored offset) the slot when absent, and streams.
     *
     * @throws CaptureException reason POSITION_UNAVAILABLE when a stored offset's slot is gone or invalidated
     */
    @Override
    public ChangeStream<PgOffset> open(PgOffset resumeFrom) {
        PgSourceConfig config = setup.config();
        try (Connection connection = config.jdbc().open()) {
            PgServer server = new PgServer(connection);
            awaitSlotFree(server, config);
            setup.prepare(server);
            if (resumeFrom != null && !setup.slotExists(server)) {
                throw new CaptureException(Reason.POSITION_UNAVAILABLE, "Replication slot " + config.slotName() + " does not exist"
                        + " (it was dropped, or dropped by Snapshot Mode when_needed because the server invalidated it), so the"
                        + " changes since the stored position " + resumeFrom + " cannot be read. Clear the processor state and"
                        + " start again with a snapshot, or choose Snapshot Mode when_needed.");
            }
            if (resumeFrom == null) {
                setup.ensureSlot(server);
            }
            recordStreamStart(server);
        } catch (SQLException e) {
            throw new CaptureException(Reason.CONNECTION, "Could not check " + config + ": " + e.getMessage()
                    + ". Check the host, port, database, username and password.", e);
        }
        PgReplicationReader reader = PgReplicationReader.start(config, resumeFrom, transactions, logger);
        logger.info(resumeFrom == null ? "Streaming slot " + config.slotName() + " from its confirmed position"
                : "Resuming slot " + config.slotName() + " at " + resumeFrom);
        return reader;
    }

    /** Before the reader starts: everything committed up to here has a txid below the bound recorded. */
    private void recordStreamStart(PgServer server) {
        try {
            transactions.streamStarted(server.txidAboveCommitted());
        } catch (SQLException e) {
            transactions.streamStopped();
            logger.warn("Could not assign a transaction id to mark where the stream starts (" + e.getMessage() + "): incremental"
                    + " snapshots wait until a stream starts with one");
        }
    }

    /** Snapshot Mode no_data: creates the slot when absent (at the current end of the WAL) and returns where it starts. */
    @Override
    public PgOffset currentPosition() {
        PgSourceConfig config = setup.config();
        try (Connection connection = config.jdbc().open()) {
            PgServer server = new PgServer(connection);
            setup.prepare(server);
            Long created = setup.ensureSlot(server);
            return PgOffset.at(created != null ? created : server.currentWalLsn());
        } catch (SQLException e) {
            throw new CaptureException(Reason.CONNECTION, "Could not read the current WAL position of " + config + ": "
                    + e.getMessage(), e);
        }
    }

    /** Waits a little while the slot is active: the server process of this processor's previous stream may still be ending. */
    static void awaitSlotFree(PgServer server, PgSourceConfig config) throws SQLException {
        long deadline = System.nanoTime() + SLOT_RELEASE_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            PgServer.Slot slot = server.slot(config.slotName());
            if (slot == null || slot.activePid() == 0) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
