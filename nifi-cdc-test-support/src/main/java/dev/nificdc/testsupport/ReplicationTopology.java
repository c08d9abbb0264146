package dev.nificdc.testsupport;

import java.time.Duration;

/**
 * A private MariaDB replication topology for fail-over tests: a primary (server id 1) and two replicas (server ids 2 and
 * 3) that replicate it by GTID and write what they replicate into their own binlogs ({@code log_slave_updates}), so that
 * capture can move from one replica to the other.
 */
public final class ReplicationTopology implements AutoCloseable {
    private final MariaDbServer primary;
    private final MariaDbServer replica1;
    private final MariaDbServer replica2;

    private ReplicationTopology(MariaDbServer primary, MariaDbServer replica1, MariaDbServer replica2) {
        this.primary = primary;
        this.replica1 = replica1;
        this.replica2 = replica2;
    }

    /** Starts the three servers and the replication. */
    public static ReplicationTopology start() {
        MariaDbServer primary = MariaDbServer.start(new MariaDbServer.Options().serverId(1));
        MariaDbServer replica1 = null;
        try {
            replica1 = MariaDbServer.start(new MariaDbServer.Options().serverId(2).logReplicaUpdates());
            MariaDbServer replica2 = MariaDbServer.start(new MariaDbServer.Options().serverId(3).logReplicaUpdates());
            replica1.replicateFrom(primary);
            replica2.replicateFrom(primary);
            return new ReplicationTopology(primary, replica1, replica2);
        } catch (RuntimeException e) {
            if (replica1 != null) {
                replica1.close();
            }
            primary.close();
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
    public void close() {
        replica2.close();
        replica1.close();
        primary.close();
    }
}
