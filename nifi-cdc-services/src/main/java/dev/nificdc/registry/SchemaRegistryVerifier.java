package dev.nificdc.registry;

import dev.nificdc.registry.client.SchemaRegistryClient;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.logging.ComponentLog;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The "Verify" steps of {@link ConfluentSchemaRegistryService}: one step per configured URL, each asking that URL
 * alone for the registry's global compatibility level ({@code GET /config}), which proves reachability, TLS and
 * credentials. One reachable URL is enough for the service to work; unreachable ones are reported so fail-over
 * targets are known to be broken before they are needed.
 */
final class SchemaRegistryVerifier {

    private final ComponentLog verificationLogger;

    SchemaRegistryVerifier(final ComponentLog verificationLogger) {
        this.verificationLogger = verificationLogger;
    }

    List<ConfigVerificationResult> verify(final List<String> urls, final Function<String, SchemaRegistryClient> clientForUrl) {
        final List<ConfigVerificationResult> results = new ArrayList<>();
        for (final String url : urls) {
            final String step = "Reach Schema Registry " + url;
            try (SchemaRegistryClient client = clientForUrl.apply(url)) {
                final SchemaRegistryClient.CompatibilityLevel level = client.compatibilityLevel();
                results.add(new ConfigVerificationResult.Builder()
                        .verificationStepName(step)
                        .outcome(Outcome.SUCCESSFUL)
                        .explanation("Reached " + url + "; the registry's global compatibility level is " + level.level())
                        .build());
            } catch (final Exception e) {
                verificationLogger.warn("Could not reach Schema Registry {}", url, e);
                results.add(new ConfigVerificationResult.Builder()
                        .verificationStepName(step)
                        .outcome(Outcome.FAILED)
                        .explanation(e.getMessage())
                        .build());
            }
        }
        return results;
    }
}
