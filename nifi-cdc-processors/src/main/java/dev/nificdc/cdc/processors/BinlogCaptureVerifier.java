package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.binlog.BinlogSourceConfig;
import dev.nificdc.cdc.binlog.ConnectionProblems;
import dev.nificdc.cdc.binlog.MySqlServer;
import dev.nificdc.cdc.binlog.ServerRequirements;
import dev.nificdc.cdc.binlog.snapshot.IncrementalSnapshotSupport;
import dev.nificdc.cdc.binlog.snapshot.SnapshotPreview;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The checks behind NiFi's "Verify" button for CaptureBinlogChange: the configuration parses, each host accepts the
 * credentials (checks that need a connection are reported as skipped when it fails, not as failed), the Server ID is not
 * the server's own, and the server writes a binlog the processor can read, with the privileges it needs; what the
 * snapshot would read and lock. Verify takes no lock itself. Every failed check says what it found, what is required
 * and how to fix it.
 */
final class BinlogCaptureVerifier {
    private static final String SNAPSHOT_STEP = "Snapshot";

    private final ProcessContext context;
    private final ComponentLog log;

    BinlogCaptureVerifier(ProcessContext context, ComponentLog log) {
        this.context = context;
        this.log = log;
    }

    List<ConfigVerificationResult> verify() {
        List<ConfigVerificationResult> results = new ArrayList<>();
        BinlogCaptureConfig config;
        try {
            config = BinlogCaptureConfig.from(context, null);
            results.add(result("Parse configuration", Outcome.SUCCESSFUL, "Properties and patterns are valid"));
        } catch (RuntimeException e) {
            results.add(result("Parse configuration", Outcome.FAILED, e.getMessage()));
            return results;
        }
        BinlogSourceConfig source = config.source();
        boolean configuredServerId = context.getProperty(BinlogCaptureProperties.SERVER_ID).isSet();
        int reachable = 0;
        for (BinlogSourceConfig.HostPort host : source.hosts()) {
            try (Connection connection = source.jdbc(host).open()) {
                reachable++;
                results.add(result("Connect to " + host, Outcome.SUCCESSFUL, "Connected as " + source.username()
                        + (source.tls() == null ? "" : " over TLS, the server certificate verified against the SSL Context Service")));
                MySqlServer server = new MySqlServer(connection);
                results.add(serverId(server, host, source.serverId(), configuredServerId));
                for (ServerRequirements.CheckResult check : ServerRequirements.check(server)) {
                    results.add(result(check.name() + " on " + host, outcome(check.status()), check.toString()));
                }
                boolean snapshotNewTables = config.incremental().snapshotNewTables();
                if (snapshotNewTables || context.hasIncomingConnection()) {
                    results.add(incrementalSnapshots(host, IncrementalSnapshotSupport.of(server.version(),
                            server.variable("version_comment")), snapshotNewTables, context.hasIncomingConnection()));
                }
            } catch (Exception e) {
                log.warn("Could not connect to {}", host, e);
                results.add(result("Connect to " + host, Outcome.FAILED, "Could not connect as " + source.username() + ": "
                        + ConnectionProblems.describe(host.toString(), e)));
                results.add(result("Server checks on " + host, Outcome.SKIPPED, "Skipped: the connection to " + host + " failed,"
                        + " so the server settings and the user's privileges could not be checked."));
            }
        }
        if (config.snapshotMode() == SnapshotMode.INITIAL || config.snapshotMode() == SnapshotMode.WHEN_NEEDED) {
            results.add(reachable == 0
                    ? result(SNAPSHOT_STEP, Outcome.SKIPPED, "Skipped: no host could be connected to.")
                    : verifySnapshot(config));
        }
        return results;
    }

    /** The Server ID this processor announces must not be the server's own (nor another replica's: only the server knows). */
    private static ConfigVerificationResult serverId(MySqlServer server, BinlogSourceConfig.HostPort host, long serverId,
                                                     boolean configured) throws java.sql.SQLException {
        long own = server.serverId();
        String step = "Server ID on " + host;
        if (own == serverId) {
            return result(step, Outcome.FAILED, "Server ID " + serverId + " is the server_id of " + host + " itself. Pick another"
                    + " Server ID: it must differ from the server's own id and from every other replica or capture of that server.");
        }
        return result(step, Outcome.SUCCESSFUL, (configured ? "Server ID " + serverId : "A random Server ID (none is set)")
                + " differs from the server's own server_id " + own + "; it must also differ from every other replica or"
                + " capture of that server, which only the server can tell when they connect");
    }

    /**
     * Whether the server takes the incremental snapshots the configuration asks for (Snapshot New Tables, or requests on
     * the connected input): on MySQL a failed step now, rather than tables left unread at run time.
     */
    static ConfigVerificationResult incrementalSnapshots(BinlogSourceConfig.HostPort host, IncrementalSnapshotSupport support,
                                                         boolean snapshotNewTables, boolean requestsConnected) {
        String step = "Incremental snapshots on " + host;
        if (support.available()) {
            return result(step, Outcome.SUCCESSFUL, support.explanation());
        }
        String asked = snapshotNewTables && requestsConnected
                ? "Snapshot New Tables is true and the input for incremental snapshot requests is connected"
                : snapshotNewTables ? "Snapshot New Tables is true" : "The input for incremental snapshot requests is connected";
        return result(step, Outcome.FAILED, asked + ", but this server cannot take incremental snapshots: tables that start"
                + " to be captured would get only their changes from then on, and requests would go to failure. "
                + support.explanation());
    }

    /**
     * Finds out what the snapshot would read and how it would fix its position, without opening its read view: Verify
     * takes no lock (the snapshot's FLUSH TABLES WITH READ LOCK on MySQL would hold up the server's writes).
     */
    private ConfigVerificationResult verifySnapshot(BinlogCaptureConfig config) {
        try {
            SnapshotPreview preview = config.snapshotSource(new ComponentCaptureLogger(log)).preview();
            List<SnapshotTable> tables = preview.tables();
            String names = tables.stream().limit(10).map(SnapshotTable::toString).collect(Collectors.joining(", "))
                    + (tables.size() > 10 ? ", ..." : "");
            Outcome outcome = !preview.locking().allowed() ? Outcome.FAILED : tables.isEmpty() ? Outcome.SKIPPED : Outcome.SUCCESSFUL;
            return result(SNAPSHOT_STEP, outcome, "The snapshot would read " + tables.size() + " tables (" + names + ")"
                    + (preview.onePassTables() > 0 ? ", " + preview.onePassTables() + " of them without an integer primary key,"
                    + " each in a single run" : "")
                    + (tables.isEmpty() ? ". No table matches the database and table patterns" : "")
                    + ". Its read view would be tied to the binlog by " + preview.locking().description()
                    + ". Verify itself took no lock.");
        } catch (Exception e) {
            return result(SNAPSHOT_STEP, Outcome.FAILED, "Could not inspect the tables the snapshot would read: " + e.getMessage()
                    + ". The capture user needs SELECT on the captured tables; or choose Snapshot Mode no_data or never.");
        }
    }

    private static Outcome outcome(ServerRequirements.Status status) {
        return switch (status) {
            case OK -> Outcome.SUCCESSFUL;
            case WARN -> Outcome.SKIPPED;
            case FAIL -> Outcome.FAILED;
        };
    }

    private static ConfigVerificationResult result(String step, Outcome outcome, String explanation) {
        return new ConfigVerificationResult.Builder().verificationStepName(step).outcome(outcome).explanation(explanation).build();
    }
}
