package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.postgres.PgRequirements;
import dev.nificdc.cdc.postgres.PgServer;
import dev.nificdc.cdc.postgres.PgSourceConfig;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks behind NiFi's "Verify" button for CapturePostgresChange: the configuration parses, the server accepts the
 * credentials, and every {@link PgRequirements} check (wal_level, REPLICATION, slot, publication, each table's replica
 * identity) as the processor runs it at start, without creating or changing anything. A warning is shown as SKIPPED
 * with its explanation.
 */
final class PostgresCaptureVerifier {
    private final ProcessContext context;
    private final ComponentLog log;

    PostgresCaptureVerifier(ProcessContext context, ComponentLog log) {
        this.context = context;
        this.log = log;
    }

    List<ConfigVerificationResult> verify() {
        List<ConfigVerificationResult> results = new ArrayList<>();
        PostgresCaptureConfig config;
        try {
            config = PostgresCaptureConfig.from(context);
            results.add(result("Parse configuration", Outcome.SUCCESSFUL, "Properties and patterns are valid"));
        } catch (RuntimeException e) {
            results.add(result("Parse configuration", Outcome.FAILED, e.getMessage()));
            return results;
        }
        PgSourceConfig source = config.source();
        String server = source.host() + ":" + source.port() + "/" + source.database();
        try (Connection connection = source.jdbc().open()) {
            results.add(result("Connect to " + server, Outcome.SUCCESSFUL, "Connected as " + source.username()));
            for (PgRequirements.Check check : PgRequirements.check(new PgServer(connection), source)) {
                results.add(result(check.name(), switch (check.status()) {
                    case OK -> Outcome.SUCCESSFUL;
                    case WARN -> Outcome.SKIPPED;
                    case FAIL -> Outcome.FAILED;
                }, check.explanation()));
            }
        } catch (Exception e) {
            log.warn("Could not connect to {}", server, e);
            results.add(result("Connect to " + server, Outcome.FAILED, "Could not connect as " + source.username() + ": "
                    + e.getMessage() + ". Check the host, port, database, username and password, and that pg_hba.conf admits NiFi."));
        }
        return results;
    }

    private static ConfigVerificationResult result(String step, Outcome outcome, String explanation) {
        return new ConfigVerificationResult.Builder().verificationStepName(step).outcome(outcome).explanation(explanation).build();
    }
}
