package dev.nificdc.testsupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;

/**
 * A private MariaDB replication topology for fail-over tests: a primary (server id 1) and two replicas (server ids 2 and
 * 3) that replicate it by GTID and write what they replicate into their own binlogs ({@code log_slave_updates}), so that
 * capture can move from one replica to the other. A JUnit extension: register it as a static field with
 * {@code @RegisterExtension}; the servers start before the class's tests and stop after them.
 */
public final class ReplicationTopology implements BeforeAllCallback, AfterAllCallback {
    private MariaDbServer primary;
    private MariaDbServer replica1;
    private MariaDbServer replica2;

    /** Starts the three servers and the replication. */
    @Override
    public void beforeAll(ExtensionContext context) {
        primary = MariaDbServer.start(new MariaDbServer.Options().serverId(1));
        try {
            replica1 = MariaDbServer.start(new MariaDbServer.Options().serverId(2).logReplicaUpdates());
            replica2 = MariaDbServer.start(new MariaDbServer.Options().serverId(3).logReplicaUpdates());
            replica1.replicateFrom(primary);
            replica2.replicateFrom(primary);
        } catch (RuntimeException e) {
            afterAll(context);
            throw e;
        }
    }

    public MariaDbServer primary() {
        return primary;
    }

    public MariaDbServer replica1() {
        return replica1;
    }

    public MariaDbServer replica2() {
        return replica2;
    }

    /** Waits until both replicas have applied every transaction the primary has written so far. */
    public void awaitReplicas() {
        String position = primary.gtidBinlogPosition();
        replica1.awaitReplicated(position, Duration.ofSeconds(60));
        replica2.awaitReplicated(position, Duration.ofSeconds(60));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        for (MariaDbServer server : new MariaDbServer[] {replica2, replica1, primary}) {
            if (server != null) {
                server.close();
            }
        }
    }
}
