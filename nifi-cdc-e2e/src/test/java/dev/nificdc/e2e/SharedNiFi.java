package dev.nificdc.e2e;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One NiFi, with our freshly built NAR, shared by every test class of the test JVM that registers this extension:
 * each NiFi start costs 15-50 s on a busy 2-core machine. Classes that stop, kill or restart NiFi start their own
 * {@link NiFiInstance} instead. JUnit closes the shared instance when the whole run ends. When a test fails,
 * the tail of nifi-app.log and the bulletins are printed.
 *
 * <pre>{@code @RegisterExtension static final SharedNiFi NIFI = new SharedNiFi();  ...  NIFI.client()}</pre>
 */
final class SharedNiFi implements BeforeAllCallback, TestWatcher {
    static final String CDC_NAR_PROPERTY = "nifi.e2e.cdc.nar";

    private NiFiInstance instance;

    @Override
    public void beforeAll(ExtensionContext context) {
        // The root store closes AutoCloseable values when the test plan finishes.
        instance = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(SharedNiFi.class,
                key -> NiFiInstance.start(NiFiHome.fromBuild(), NiFiHome.requiredPath(CDC_NAR_PROPERTY)), NiFiInstance.class);
    }

    NiFiInstance instance() {
        return instance;
    }

    NiFiRestClient client() {
        return instance.client();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (instance != null) {
            System.err.println("=== " + context.getDisplayName() + " failed; NiFi diagnostics ===\n" + instance.diagnostics());
        }
    }
}
