package dev.nificdc.e2e;

import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The two private MariaDB servers a replication test needs: a source with the binlog on and a replica (or sink).
 * Register it as a static field: both start before the class's tests and are closed after them, even when one fails.
 */
final class SourceAndReplica implements BeforeAllCallback, AfterAllCallback {
    private MariaDbServer source;
    private MariaDbServer replica;

    @Override
    public void beforeAll(ExtensionContext context) {
        source = MariaDbServer.start();
        replica = MariaDbServer.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        for (MariaDbServer server : new MariaDbServer[]{source, replica}) {
            if (server != null) {
                try {
                    server.close();
                } catch (RuntimeException e) {
                    System.err.println("Closing a test MariaDB failed: " + e);
                }
            }
        }
    }

    MariaDbServer source() {
        return source;
    }

    MariaDbServer replica() {
        return replica;
    }
}
