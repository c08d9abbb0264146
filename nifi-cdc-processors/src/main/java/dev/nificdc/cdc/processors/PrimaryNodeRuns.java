package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import org.apache.nifi.annotation.notification.PrimaryNodeState;
import org.apache.nifi.logging.ComponentLog;

import java.util.concurrent.locks.ReentrantLock;

/**
 * What the log-based capture processors share around their engine's runs in a NiFi cluster, where two nodes may run a
 * primary-node-only processor for a moment while the primary role moves: a node that loses the role closes its engine
 * only between runs (a run's intent is stored only over the cluster state the run read: {@link EngineRunCommit}).
 */
final class PrimaryNodeRuns {
    private final ReentrantLock running = new ReentrantLock();

    /** Runs {@code run}; the loss of the primary role waits for it. */
    void run(Runnable run) {
        running.lock();
        try {
            run.run();
        } finally {
            running.unlock();
        }
    }

    /**
     * When this node lost the primary role: closes {@code engine} (its log connection and a snapshot's read view) once the
     * run in progress has ended, so the new primary is alone on the source, and this node, when elected again, resumes
     * from the cluster state rather than from what it had read ahead.
     */
    void primaryNodeStateChanged(PrimaryNodeState state, CaptureCoordinator<?> engine, ComponentLog logger) {
        if (state != PrimaryNodeState.PRIMARY_NODE_REVOKED) {
            return;
        }
        running.lock();
        try {
            if (engine != null) {
                engine.close();
                logger.info("No longer the primary node: connection to the source closed; capture continues on the new primary"
                        + " from the cluster state");
            }
        } finally {
            running.unlock();
        }
    }
}
