package dev.nificdc.cdc.binlog.snapshot;

import dev.nificdc.cdc.binlog.ServerFlavor;

import java.util.Locale;

/**
 * Whether a server can take incremental snapshots, decided from what it reports about itself, in one place for the
 * chunk reads, requests and Verify.
 *
 * <p>A chunk is handed out while the binlog streams on, so its read view must be tied to a binlog position exactly and
 * without a lock (a view is opened per chunk). MariaDB reports that position for a consistent-snapshot transaction
 * ({@code binlog_snapshot_file}/{@code binlog_snapshot_position}). MySQL does not: its snapshot ties the view to the
 * binlog with a global read lock, which taken per chunk would stall the server's writes. So the decision follows the
 * flavour the whole engine uses ({@link ServerFlavor#ofVersion}, the version string): MariaDB yes, anything else no.
 * Percona Server for MySQL reports {@code Binlog_snapshot_position} too, but is read as MySQL everywhere else in the
 * engine (GTID sets, not MariaDB GTID positions) and no Percona server is tested: it is refused like MySQL.
 *
 * @param available   true when incremental snapshots can be taken
 * @param explanation for the user: why, and when not, what to do instead
 */
public record IncrementalSnapshotSupport(boolean available, String explanation) {

    /**
     * @param version        the server's {@code @@version} ({@code 10.11.6-MariaDB-log}, {@code 8.4.3})
     * @param versionComment the server's {@code @@version_comment} ({@code MySQL Community Server - GPL}), or null
     */
    public static IncrementalSnapshotSupport of(String version, String versionComment) {
        String server = (version == null || version.isBlank() ? "no version" : "version " + version)
                + (versionComment == null || versionComment.isBlank() ? "" : " (" + versionComment.trim() + ")");
        if (ServerFlavor.ofVersion(version) == ServerFlavor.MARIADB) {
            return new IncrementalSnapshotSupport(true, "The server reports " + server + ": MariaDB reports the binlog position"
                    + " of each chunk's read view exactly and without any lock (binlog_snapshot_position), so incremental"
                    + " snapshots read chunks while the binlog streams on.");
        }
        boolean percona = versionComment != null && versionComment.toLowerCase(Locale.ROOT).contains("percona");
        return new IncrementalSnapshotSupport(false, "Incremental snapshots need MariaDB, and this server reports "
                + server + ". A chunk is handed out while the binlog streams on, so its read view must be tied to a binlog"
                + " position exactly and without a lock; MariaDB reports that position (binlog_snapshot_position), MySQL does"
                + " not, and a global read lock for every chunk would stall the server's writes."
                + (percona ? " Percona Server reports a Binlog_snapshot_position too, but this processor uses it on MariaDB"
                + " only." : "")
                + " To read the existing rows of tables on this server, take an initial snapshot instead: stop the processor,"
                + " clear its state and start it again (Snapshot Mode initial or when_needed reads every captured table"
                + " again), or capture the tables with another CaptureBinlogChange whose patterns include only them. Set"
                + " Snapshot New Tables to false, and send no incremental snapshot requests to the processor's input.");
    }
}
