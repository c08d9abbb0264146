package dev.nificdc.cdc.binlog.snapshot;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The decision whether a server takes incremental snapshots, from the {@code @@version} and {@code @@version_comment}
 * real servers report (no MySQL server runs on this machine: this is where the MySQL refusal is tested).
 */
class IncrementalSnapshotSupportTest {

    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource(delimiter = '|', value = {
            "10.5.23-MariaDB-0+deb11u1|Debian 11",
            "10.11.5-MariaDB-log|MariaDB Server",
            "10.11.6-MariaDB-0+deb12u1-log|Debian 12",
            "11.4.3-MariaDB-ubu2404|mariadb.org binary distribution",
            "5.5.5-10.11.6-MariaDB|mariadb.org binary distribution", // as the handshake reports it
    })
    void mariaDbTakesIncrementalSnapshots(String version, String comment) {
        IncrementalSnapshotSupport support = IncrementalSnapshotSupport.of(version, comment);
        assertTrue(support.available(), support.explanation());
        assertTrue(support.explanation().contains("binlog_snapshot_position"), support.explanation());
    }

    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "8.0.36|MySQL Community Server - GPL",
            "8.0.36-commercial|MySQL Enterprise Server - Commercial",
            "8.4.3|MySQL Community Server - GPL",
            "9.1.0|MySQL Community Server - GPL",
            "8.0.36-28|Percona Server (GPL), Release 28, Revision 47601f19",
            "8.0.32|null", // Amazon Aurora MySQL 3.05: version() as AWS documents it; its version_comment is not known here
            "5.7.12-log|MySQL Community Server (GPL)",
    })
    void mySqlAndItsDerivativesAreRefusedSayingWhyAndWhatToDo(String version, String comment) {
        IncrementalSnapshotSupport support = IncrementalSnapshotSupport.of(version, comment);
        String message = support.explanation();
        assertFalse(support.available(), message);
        assertTrue(message.startsWith("Incremental snapshots need MariaDB, and this server reports version " + version
                + (comment == null ? "" : " (" + comment + ")") + "."), message);
        assertTrue(message.contains("MySQL does not") && message.contains("global read lock for every chunk"), "why: " + message);
        assertTrue(message.contains("clear its state and start it again") && message.contains("Snapshot Mode initial or when_needed")
                && message.contains("another CaptureBinlogChange whose patterns include only them"), "the alternatives: " + message);
        assertTrue(message.contains("Set Snapshot New Tables to false"), "how to stop asking: " + message);
        assertTrue(message.contains("Percona Server reports a Binlog_snapshot_position too") == (comment != null && comment.startsWith("Percona")),
                "Percona's own status variable is named only for Percona: " + message);
    }

    @ParameterizedTest(name = "unknown: {0}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {"null|null", "''|''"})
    void anUnknownServerIsRefused(String version, String comment) {
        IncrementalSnapshotSupport support = IncrementalSnapshotSupport.of(version, comment);
        assertFalse(support.available());
        assertTrue(support.explanation().startsWith("Incremental snapshots need MariaDB, and this server reports no version. "),
                support.explanation());
    }
}
