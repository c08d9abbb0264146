package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureException.Reason;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a PostgreSQL server needs for log-based capture, checked one by one, each result naming what was found, what is
 * needed and the fix: wal_level, the REPLICATION privilege, the slot (absent, or ours and free), the publication (absent,
 * or publishing every captured table) and each captured table's replica identity. The processor's Verify shows every
 * result; capture starts only when none failed ({@link #requireReady}).
 */
public final class PgRequirements {

    /** How a check came out. */
    public enum Status { OK, WARN, FAIL }

    /** One check's result; {@code reason} classifies a failure. */
    public record Check(String name, Status status, String explanation, Reason reason) {
        static Check ok(String name, String explanation) {
            return new Check(name, Status.OK, explanation, null);
        }

        static Check warn(String name, String explanation) {
            return new Check(name, Status.WARN, explanation, null);
        }

        static Check fail(String name, Reason reason, String explanation) {
            return new Check(name, Status.FAIL, explanation, reason);
        }

        @Override
        public String toString() {
            return name + ": " + explanation;
        }
    }

    private PgRequirements() {
    }

    /** Every check, in order. */
    public static List<Check> check(PgServer server, PgSourceConfig config) throws SQLException {
        List<Check> checks = new ArrayList<>();
        checks.add(walLevel(server));
        checks.add(privilege(server));
        checks.add(slot(server, config));
        List<PgServer.TableInfo> tables = server.tables(config.filter());
        checks.add(publication(server, config, tables));
        checks.addAll(tables(tables));
        return checks;
    }

    /**
     * Runs the checks; logs the warnings.
     *
     * @throws CaptureException for the first failed check
     */
    public static void requireReady(PgServer server, PgSourceConfig config, CaptureLogger logger) throws SQLException {
        List<Check> checks = check(server, config);
        List<Check> failed = checks.stream().filter(c -> c.status() == Status.FAIL).toList();
        if (!failed.isEmpty()) {
            throw new CaptureException(failed.get(0).reason(), "PostgreSQL " + config.host() + ":" + config.port() + "/"
                    + config.database() + " cannot be captured: " + failed.stream().map(Check::toString).collect(Collectors.joining("; ")));
        }
        checks.stream().filter(c -> c.status() == Status.WARN).forEach(c -> logger.warn(c.toString()));
    }

    static Check walLevel(PgServer server) throws SQLException {
        String level = server.setting("wal_level");
        return "logical".equals(level)
                ? Check.ok("wal_level", "wal_level is logical")
                : Check.fail("wal_level", Reason.SERVER_SETTINGS, "wal_level is " + level + "; logical replication needs"
                + " wal_level = logical. Run ALTER SYSTEM SET wal_level = logical; and restart the server (Amazon RDS and Aurora:"
                + " set rds.logical_replication = 1 in the parameter group; Azure Database for PostgreSQL: set wal_level to"
                + " logical in the server parameters; Google Cloud SQL: set the flag cloudsql.logical_decoding = on)");
    }

    static Check privilege(PgServer server) throws SQLException {
        String user = server.user();
        return server.canReplicate()
                ? Check.ok("REPLICATION privilege", "User " + user + " may open replication connections")
                : Check.fail("REPLICATION privilege", Reason.PRIVILEGES, "User " + user + " has neither the REPLICATION attribute"
                + " nor superuser, so it cannot open a replication connection. Run ALTER ROLE " + PgIdentifiers.quote(user)
                + " WITH REPLICATION; (Amazon RDS and Aurora: GRANT rds_replication TO " + PgIdentifiers.quote(user) + ";)");
    }

    static Check slot(PgServer server, PgSourceConfig config) throws SQLException {
        String name = "replication slot";
        PgServer.Slot slot = server.slot(config.slotName());
        if (slot == null) {
            int[] usage = server.slotUsage();
            return usage[0] < usage[1]
                    ? Check.ok(name, "Slot " + config.slotName() + " does not exist yet; it is created when capture starts ("
                    + usage[0] + " of max_replication_slots = " + usage[1] + " in use)")
                    : Check.fail(name, Reason.SERVER_SETTINGS, "Slot " + config.slotName() + " does not exist and all "
                    + usage[1] + " slots (max_replication_slots) are in use. Drop an unused slot (SELECT"
                    + " pg_drop_replication_slot('name')) or raise max_replication_slots and restart the server");
        }
        if (!"logical".equals(slot.type()) || !"pgoutput".equals(slot.plugin()) || !config.database().equals(slot.database())) {
            return Check.fail(name, Reason.CONFIGURATION, "Slot " + config.slotName() + " is a " + slot.type() + " slot of plugin "
                    + slot.plugin() + " in database " + slot.database() + "; capture needs a logical pgoutput slot in database "
                    + config.database() + ". Choose another Slot Name");
        }
        if (slot.invalidated() != null) {
            String text = "Slot " + config.slotName() + " was invalidated by the server (" + slot.invalidated() + "): the WAL it"
                    + " needs is gone, so the changes since its position cannot be read";
            return config.dropInvalidatedSlot()
                    ? Check.warn(name, text + ". Snapshot Mode when_needed: it is dropped and created anew, and the tables are read again")
                    : Check.fail(name, Reason.POSITION_UNAVAILABLE, text + ". Drop it (SELECT pg_drop_replication_slot('"
                    + config.slotName() + "')), clear the processor state and start again with a snapshot; or choose Snapshot Mode when_needed");
        }
        if (slot.activePid() != 0) {
            return Check.fail(name, Reason.CONFIGURATION, "Slot " + config.slotName() + " is active in another connection (PID "
                    + slot.activePid() + "): a slot streams to one client at a time. Stop the other client (another processor or"
                    + " a replica using it: SELECT pg_terminate_backend(" + slot.activePid() + ")) or give this processor its own Slot Name");
        }
        return Check.ok(name, "Slot " + config.slotName() + " exists (pgoutput, confirmed up to "
                + (slot.confirmedFlushLsn() == null ? "-" : PgOffset.format(slot.confirmedFlushLsn())) + ") and is free");
    }

    static Check publication(PgServer server, PgSourceConfig config, List<PgServer.TableInfo> tables) throws SQLException {
        String name = "publication";
        if (tables.isEmpty()) {
            return Check.fail(name, Reason.CONFIGURATION, "No table of database " + config.database()
                    + " matches the schema and table patterns. Check the patterns (they match schema and schema.table)");
        }
        PgServer.Publication publication = server.publication(config.publicationName());
        if (publication == null) {
            return Check.ok(name, "Publication " + config.publicationName() + " does not exist yet; it is created when capture"
                    + " starts, for the " + tables.size() + " captured tables (the user must own them)");
        }
        List<SnapshotTable> missing = tables.stream().map(PgServer.TableInfo::table).filter(t -> !publication.publishes(t)).toList();
        if (!missing.isEmpty() && publication.managed()) {
            return Check.ok(name, "Publication " + config.publicationName() + " was created by the processor; the captured tables"
                    + " it does not publish yet (" + missing.stream().map(SnapshotTable::qualifiedName).collect(Collectors.joining(", "))
                    + ") are added to it when capture starts (the user must own them)");
        }
        if (!missing.isEmpty()) {
            return Check.fail(name, Reason.CONFIGURATION, "Publication " + config.publicationName() + " does not publish the captured"
                    + " tables " + missing.stream().map(SnapshotTable::qualifiedName).collect(Collectors.joining(", "))
                    + " (it was not created by the processor, which adds tables only to publications it created)"
                    + ". Run ALTER PUBLICATION " + PgIdentifiers.quote(config.publicationName())
                    + " ADD TABLE " + missing.stream().map(PgIdentifiers::quote).collect(Collectors.joining(", "))
                    + "; or narrow the table patterns");
        }
        return Check.ok(name, "Publication " + config.publicationName() + " publishes all " + tables.size() + " captured tables");
    }

    static List<Check> tables(List<PgServer.TableInfo> tables) {
        List<Check> checks = new ArrayList<>();
        for (PgServer.TableInfo table : tables) {
            String name = "replica identity of " + table.table();
            String quoted = PgIdentifiers.quote(table.table());
            if (!table.identifiesRows()) {
                checks.add(Check.fail(name, Reason.CONFIGURATION, "Table " + table.table() + " has no primary key and REPLICA IDENTITY "
                        + identity(table.replicaIdentity()) + ": the server can publish neither its updates nor its deletes"
                        + " (they would fail on the source once the table is in a publication). Run ALTER TABLE " + quoted
                        + " REPLICA IDENTITY FULL; or add a primary key, or exclude the table"));
            } else if (table.replicaIdentity() != 'f') {
                checks.add(Check.warn(name, "Table " + table.table() + " has REPLICA IDENTITY " + identity(table.replicaIdentity())
                        + ": before-images of updates and deletes carry only the " + (table.replicaIdentity() == 'i' ? "identity index"
                        : "primary-key") + " columns (null elsewhere; updates that keep the key have no before-image), and an"
                        + " unchanged large (TOASTed) value is written as " + PgChangeDecoder.UNCHANGED_TOAST + ". For whole"
                        + " before-images run ALTER TABLE " + quoted + " REPLICA IDENTITY FULL;"));
            } else {
                checks.add(Check.ok(name, "Table " + table.table() + " has REPLICA IDENTITY FULL: before-images carry every column"));
            }
        }
        return checks;
    }

    private static String identity(char code) {
        return switch (code) {
            case 'd' -> "DEFAULT";
            case 'n' -> "NOTHING";
            case 'f' -> "FULL";
            default -> "USING INDEX";
        };
    }
}
