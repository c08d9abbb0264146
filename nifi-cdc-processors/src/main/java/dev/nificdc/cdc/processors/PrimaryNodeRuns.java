package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.CaptureRun;
import org.apache.nifi.annotation.notification.PrimaryNodeState;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.state.StateMap;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the log-based capture processors share around their engine's runs in a NiFi cluster, where two nodes may run a
 * primary-node-only processor for a moment while the primary role moves: a node that loses the role closes its engine
 * only between runs, and a run's intent is stored only over the cluster state the run read.
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

    /**
     * Stores {@code run}'s intent before the session commit: NiFi writes the FlowFiles before the state, and after a
     * crash in between the intent makes the next run repeat exactly this output (see {@link CaptureRun#intent()}). Written
     * before the session's state, so that the session's state version follows it; and only over {@code stored}, the
     * state the run read, so two nodes of a cluster never both commit from one state.
     *
     * @return false when another node stored state meanwhile: the session is rolled back and nothing of the run commits
     */
    static boolean storeIntent(ProcessContext context, ProcessSession session, StateMap stored, CaptureRun run,
                               CaptureCoordinator<?> engine, ComponentLog logger) throws IOException {
        if (run.intent() == null || context.getStateManager().replace(stored, run.intent(), Scope.CLUSTER)) {
            return true;
        }
        session.rollback();
        engine.discardUncommitted();
        context.yield();
        logger.warn("The stored state changed while this run read changes (another node of the cluster captured meanwhile):"
                + " nothing of this run was committed; the next run continues from the stored state");
        return false;
    }
}
