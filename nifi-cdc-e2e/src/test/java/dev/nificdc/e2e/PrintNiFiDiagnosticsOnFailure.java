package dev.nificdc.e2e;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.function.Supplier;

/** Prints the tail of nifi-app.log and NiFi's bulletins when a test fails, so a red build says why. */
final class PrintNiFiDiagnosticsOnFailure implements TestWatcher {
    private final Supplier<NiFiInstance> nifi;

    PrintNiFiDiagnosticsOnFailure(Supplier<NiFiInstance> nifi) {
        this.nifi = nifi;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        NiFiInstance instance = nifi.get();
        if (instance != null) {
            System.err.println("=== " + context.getDisplayName() + " failed; NiFi diagnostics ===\n" + instance.diagnostics());
        }
    }
}
