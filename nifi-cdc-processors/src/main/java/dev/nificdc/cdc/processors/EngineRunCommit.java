package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureMetrics;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.CaptureRun;
import dev.nificdc.cdc.core.engine.ChangeRunWriter;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.state.StateMap;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.exception.ProcessException;

import java.io.IOException;
import java.util.HashMap;
import java.util.function.Consumer;

/**
 * One run of a log-based capture engine inside a NiFi session, as both log-based processors do it: the engine runs over
 * the stored cluster state, the run's intent is stored, then its FlowFiles and its state are committed together. Whatever
 * fails, nothing of the run commits and the engine forgets what it read ahead.
 */
final class EngineRunCommit {
    private EngineRunCommit() {
    }

    /**
     * @param writer  turns the run's changes into FlowFiles of {@code session}
     * @param metrics takes the stream's metrics after a streaming run (gauges, lag)
     */
    static void runAndCommit(ProcessContext context, ProcessSession session, CaptureCoordinator<?> engine, ChangeRunWriter writer,
                             Consumer<CaptureMetrics> metrics, ComponentLog logger) {
        try {
            StateMap stored = session.getState(Scope.CLUSTER);
            CaptureRun run = engine.run(new HashMap<>(stored.toMap()), writer);
            if (run.metrics() != null) {
                metrics.accept(run.metrics());
            }
            run.counters().forEach((name, delta) -> session.adjustCounter(name, delta, false));
            if (run.state() == null) {
                return;
            }
            if (run.discardsOutput()) {
                session.rollback();
            }
            if (!storeIntent(context, session, stored, run, engine, logger)) {
                return;
            }
            session.setState(run.state(), Scope.CLUSTER);
            session.commitAsync(
                    () -> {
                        engine.committed(run); // e.g. lets PostgreSQL release the WAL, only once NiFi holds the output
                        logger.debug("Committed {} FlowFiles up to {}", run.outputUnits(), run.position());
                    },
                    failure -> {
                        logger.warn(switch (run.kind()) {
                            case SNAPSHOT -> "Session commit failed during the snapshot; the uncommitted rows are read again in a new read view";
                            case INCREMENTAL_SNAPSHOT -> "Session commit failed; the incremental snapshot chunk is read again in a new read view";
                            default -> "Session commit failed; capture will resume from the last committed position";
                        }, failure);
                        engine.discardUncommitted();
                    });
        } catch (CaptureException e) {
            context.yield();
            throw new ProcessException(e.getMessage(), e);
        } catch (IOException e) {
            engine.discardUncommitted();
            throw new ProcessException("Could not read or write the processor state: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            // Stopped mid-run: FlowFiles already created in this session must not commit without their position.
            session.rollback();
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The reader ran ahead of what this failed session would have committed: re-read from the stored state.
            engine.discardUncommitted();
            throw e;
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
    private static boolean storeIntent(ProcessContext context, ProcessSession session, StateMap stored, CaptureRun run,
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
