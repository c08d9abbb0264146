package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.binlog.ServerRequirements;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

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
        BinlogCaptureSettings settings;
        try {
            settings = BinlogCaptureSettings.from(context, null);
            results.add(result("Parse configuration", Outcome.SUCCESSFUL, "Properties and patterns are valid"));
        } catch (RuntimeException e) {
            results.add(result("Parse configuration", Outcome.FAILED, e.getMessage()));
            return results;
        }
        for (BinlogCaptureSettings.HostPort host : settings.hosts()) {
            try (Connection connection = settings.jdbc(host).open()) {
                results.add(result("Connect to " + host, Outcome.SUCCESSFUL, "Connected as " + settings.username()));
                for (ServerRequirements.CheckResult check : ServerRequirements.check(connection)) {
                    results.add(result(check.name() + " on " + host, outcome(check.status()), check.toString()));
                }
            } catch (Exception e) {
                log.warn("Could not connect to {}", host, e);
                results.add(result("Connect to " + host, Outcome.FAILED, "Could not connect as " + settings.username() + ": "
                        + e.getMessage() + ". Check the host, port, username and password, and that the server accepts connections from NiFi."));
            }
        }
        return results;
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
