package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.binlog.BinlogSourceConfig;
import dev.nificdc.cdc.binlog.MySqlServer;
import dev.nificdc.cdc.binlog.ServerRequirements;
import dev.nificdc.cdc.binlog.snapshot.ConsistentSnapshot;
import dev.nificdc.cdc.core.snapshot.ReadView;
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
 * credentials, and the server writes a binlog the processor can read, with the privileges it needs. Every failed
 * check says what it found, what is required and how to fix it.
 */
final class BinlogCaptureVerifier {
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
        for (BinlogSourceConfig.HostPort host : source.hosts()) {
            try (Connection connection = source.jdbc(host).open()) {
                results.add(result("Connect to " + host, Outcome.SUCCESSFUL, "Connected as " + source.username()));
                for (ServerRequirements.CheckResult check : ServerRequirements.check(new MySqlServer(connection))) {
                    results.add(result(check.name() + " on " + host, outcome(check.status()), check.toString()));
                }
            } catch (Exception e) {
                log.warn("Could not connect to {}", host, e);
                results.add(result("Connect to " + host, Outcome.FAILED, "Could not connect as " + source.username() + ": "
                        + e.getMessage() + ". Check the host, port, username and password, and that the server accepts connections from NiFi."));
            }
        }
        if (config.snapshotMode() == SnapshotMode.INITIAL || config.snapshotMode() == SnapshotMode.WHEN_NEEDED) {
            results.add(verifySnapshot(config));
        }
        return results;
    }

    /** Opens (and closes at once) a snapshot read view as the processor would, and lists what it would read. */
    private ConfigVerificationResult verifySnapshot(BinlogCaptureConfig config) {
        String step = "Snapshot read view";
        try (ConsistentSnapshot view = config.snapshotSource(new ComponentCaptureLogger(log)).openReadView()) {
            List<SnapshotTable> tables = view.tables();
            long onePass = 0;
            for (SnapshotTable table : tables) {
                if (!ReadView.pageable(view.schema(table))) {
                    onePass++;
                }
            }
            String names = tables.stream().limit(10).map(SnapshotTable::toString).collect(Collectors.joining(", "))
                    + (tables.size() > 10 ? ", ..." : "");
            return result(step, tables.isEmpty() ? Outcome.SKIPPED : Outcome.SUCCESSFUL, "A consistent read view opened at binlog "
                    + view.position().file() + ":" + view.position().position() + "; the snapshot would read " + tables.size()
                    + " tables (" + names + ")" + (onePass > 0 ? ", " + onePass + " of them without an integer primary key, each in a single run" : "")
                    + (tables.isEmpty() ? ". No table matches the database and table patterns." : ""));
        } catch (Exception e) {
            return result(step, Outcome.FAILED, "Could not open a consistent snapshot: " + e.getMessage()
                    + ". The capture user needs SELECT on the captured tables (and RELOAD on MySQL for FLUSH TABLES WITH READ LOCK);"
                    + " or choose Snapshot Mode no_data or never.");
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
