package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureException.Reason;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;
import org.postgresql.PGConnection;
import org.postgresql.replication.ReplicationSlotInfo;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Gets a server ready for capture before the snapshot or the stream starts: runs the {@link PgRequirements} checks,
 * creates the publication when it is absent (for exactly the captured tables, marked as the processor's own; tables that
 * start to match the patterns later are added to it; a publication the user created is used as it is), and creates the
 * slot when it is absent. Nothing is ever dropped, except an invalidated slot when the configuration allows
 * it (Snapshot Mode when_needed), with a warning. The publication is created before the slot: pgoutput reads
 * publications as of each change's position in the WAL, so changes before the publication existed could not be decoded.
 */
final class PgCaptureSetup {
    private final PgSourceConfig config;
    private final CaptureLogger logger;

    PgCaptureSetup(PgSourceConfig config, CaptureLogger logger) {
        this.config = config;
        this.logger = logger;
    }

    PgSourceConfig config() {
        return config;
    }

    /**
     * Checks the server, creates the publication when absent and adds the captured tables it lacks to a publication it
     * created; drops an invalidated slot when allowed.
     */
    void prepare(PgServer server) throws SQLException {
        addStartedTables(server);
        PgRequirements.requireReady(server, config, logger);
        if (server.publication(config.publicationName()) == null) {
            List<SnapshotTable> tables = server.tables(config.filter()).stream().map(PgServer.TableInfo::table).toList();
            try {
                server.createPublication(config.publicationName(), tables);
            } catch (SQLException e) {
                throw new CaptureException(Reason.PRIVILEGES, "Could not create publication " + config.publicationName() + " for "
                        + tables.size() + " tables: " + e.getMessage() + ". Create it as the tables' owner (CREATE PUBLICATION "
                        + PgIdentifiers.quote(config.publicationName()) + " FOR TABLE ...;) or let the capture user own the tables", e);
            }
            logger.info("Created publication " + config.publicationName() + " for " + tables.size() + " tables");
        }
        PgServer.Slot slot = server.slot(config.slotName());
        if (slot != null && slot.invalidated() != null && config.dropInvalidatedSlot()) {
            logger.warn("Dropping invalidated replication slot " + config.slotName() + " (" + slot.invalidated()
                    + "): Snapshot Mode when_needed creates it anew and reads the tables again");
            server.dropSlot(config.slotName());
        }
    }

    /**
     * Tables that started to match the patterns (they were changed) are added to a publication the processor created, so
     * that the slot streams their changes from the moment the addition commits; their earlier rows are what an incremental
     * snapshot reads. A publication the user created is left alone: {@link PgRequirements} then says what to run.
     */
    private void addStartedTables(PgServer server) throws SQLException {
        PgServer.Publication publication = server.publication(config.publicationName());
        if (publication == null || !publication.managed()) {
            return;
        }
        List<SnapshotTable> missing = server.tables(config.filter()).stream().map(PgServer.TableInfo::table)
                .filter(t -> !publication.publishes(t)).toList();
        if (missing.isEmpty()) {
            return;
        }
        String names = missing.stream().map(SnapshotTable::qualifiedName).collect(Collectors.joining(", "));
        try {
            server.addToPublication(config.publicationName(), missing);
        } catch (SQLException e) {
            throw new CaptureException(Reason.PRIVILEGES, "Could not add the tables that started to match the patterns (" + names
                    + ") to publication " + config.publicationName() + ", which the processor created: " + e.getMessage()
                    + ". Run ALTER PUBLICATION " + PgIdentifiers.quote(config.publicationName()) + " ADD TABLE "
                    + missing.stream().map(PgIdentifiers::quote).collect(Collectors.joining(", "))
                    + "; as the tables' owner, or narrow the table patterns", e);
        }
        logger.info("Added " + names + " to publication " + config.publicationName() + ": their changes are streamed from now on");
    }

    /** True when the slot exists. */
    boolean slotExists(PgServer server) throws SQLException {
        return server.slot(config.slotName()) != null;
    }

    /** Creates the slot when it is absent; returns its consistent point, or null when it existed. */
    Long ensureSlot(PgServer server) throws SQLException {
        if (slotExists(server)) {
            return null;
        }
        try (ExportedSnapshot created = createSlot(false)) {
            logger.info("Created replication slot " + config.slotName() + " at " + PgOffset.format(created.lsn()));
            return created.lsn();
        }
    }

    /**
     * A snapshot exported at a slot's consistent point: the slot itself when it does not exist yet, else a temporary slot
     * (dropped by the server when its connection closes), whose point is later. Close it once the snapshot is imported.
     */
    ExportedSnapshot exportSnapshot(PgServer server) throws SQLException {
        return createSlot(slotExists(server));
    }

    private ExportedSnapshot createSlot(boolean temporary) throws SQLException {
        String name = temporary ? "nifi_cdc_view_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) : config.slotName();
        PGConnection replication = config.replication();
        try {
            var builder = replication.getReplicationAPI().createReplicationSlot().logical().withSlotName(name).withOutputPlugin("pgoutput");
            if (temporary) {
                builder = builder.withTemporaryOption();
            }
            ReplicationSlotInfo info = builder.make();
            return new ExportedSnapshot(replication, info.getConsistentPoint().asLong(), info.getSnapshotName(), name);
        } catch (SQLException | RuntimeException e) {
            ((Connection) replication).close();
            throw new CaptureException(Reason.CONNECTION, "Could not create " + (temporary ? "a temporary replication slot for a new"
                    + " snapshot read view" : "replication slot " + name) + ": " + e.getMessage(), e);
        }
    }

    /** A snapshot exported by a replication connection, valid until that connection runs another command or closes. */
    record ExportedSnapshot(PGConnection replication, long lsn, String snapshotName, String slotName) implements AutoCloseable {
        @Override
        public void close() {
            try {
                ((Connection) replication).close();
            } catch (SQLException ignored) {
                // the server drops a temporary slot with its connection either way
            }
        }
    }
}
