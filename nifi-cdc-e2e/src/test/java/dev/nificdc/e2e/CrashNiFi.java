package dev.nificdc.e2e;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The NiFi the capture crash tests kill and start again ({@link BinlogCrashIT}, {@link TimestampCrashIT}): one instance
 * for all of them in the failsafe run, apart from the {@link SharedNiFi} that other classes keep running (each start
 * costs 15-60 s here). Each crash test builds its own process group, kills NiFi, starts it again on the same directory
 * and stops its group at the end. JUnit closes the instance when the run ends. Failures print NiFi's diagnostics.
 */
final class CrashNiFi implements BeforeAllCallback, TestWatcher {
    private NiFiInstance instance;

    @Override
    public void beforeAll(ExtensionContext context) {
        instance = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(CrashNiFi.class,
                key -> NiFiInstance.start(NiFiHome.fromBuild(), NiFiHome.requiredPath(SharedNiFi.CDC_NAR_PROPERTY)), NiFiInstance.class);
        if (!instance.isRunning()) {
            instance.start(); // an earlier crash test failed between its kill and its restart
        }
    }

    NiFiInstance instance() {
        return instance;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (instance != null) {
            System.err.println("=== " + context.getDisplayName() + " failed; NiFi diagnostics ===\n" + instance.diagnostics());
        }
    }
}
