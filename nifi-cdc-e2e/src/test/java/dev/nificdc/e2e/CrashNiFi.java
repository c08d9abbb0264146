package dev.nificdc.e2e;

import dev.nificdc.testsupport.FreePort;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.List;
import java.util.Map;

/**
 * The NiFi the capture crash tests kill and start again ({@link BinlogCrashIT}, {@link TimestampCrashIT}, the commit
 * window tests): one instance for all of them in the failsafe run, apart from the {@link SharedNiFi} that other classes
 * keep running (each start costs 15-60 s here). It runs with a JDWP agent on a free loopback port (not suspended, no
 * breakpoint until a test sets one through {@link #commitWindow()}), so a test can stop it exactly inside a session
 * commit. Each crash test builds its own process group, kills NiFi, starts it again on the same directory and stops
 * its group at the end. JUnit closes the instance when the run ends. Failures print NiFi's diagnostics.
 */
final class CrashNiFi implements BeforeAllCallback, TestWatcher {
    private NiFiInstance instance;
    private int debugPort;

    /** The shared instance and the port of its JDWP agent. */
    private record Debuggable(NiFiInstance nifi, int debugPort) implements AutoCloseable {
        @Override
        public void close() {
            nifi.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Debuggable shared = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(CrashNiFi.class, key -> {
            int port = FreePort.find();
            String agent = "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + port;
            return new Debuggable(NiFiInstance.start(NiFiHome.fromBuild(), Map.of(), List.of(agent),
                    NiFiHome.requiredPath(SharedNiFi.CDC_NAR_PROPERTY)), port);
        }, Debuggable.class);
        instance = shared.nifi();
        debugPort = shared.debugPort();
        if (!instance.isRunning()) {
            instance.start(); // an earlier crash test failed between its kill and its restart
        }
    }

    NiFiInstance instance() {
        return instance;
    }

    /** A debugger attached to the running NiFi, to stop it inside a session commit (see {@link CommitWindow}). */
    CommitWindow commitWindow() {
        return CommitWindow.attach(debugPort);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (instance != null) {
            System.err.println("=== " + context.getDisplayName() + " failed; NiFi diagnostics ===\n" + instance.diagnostics());
        }
    }
}
