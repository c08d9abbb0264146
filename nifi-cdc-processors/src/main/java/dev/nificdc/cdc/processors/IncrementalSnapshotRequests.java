package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.CaptureRun;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.exception.ProcessException;

import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Incremental snapshot requests on the optional input of a log-based capture processor ({@link CaptureBinlogChange},
 * {@link CapturePostgresChange}): a FlowFile whose content names tables ({@link SnapshotRequest}) queues them in the
 * engine's state, committed with the FlowFile's removal; a request that cannot be taken goes to {@link #REL_FAILURE}
 * with the reason in {@link #ATTR_SNAPSHOT_ERROR}.
 */
final class IncrementalSnapshotRequests {
    static final String ATTR_SNAPSHOT_ERROR = "cdc.snapshot.error";

    static final Relationship REL_FAILURE = new Relationship.Builder()
            .name("failure")
            .description("""
                    Incremental snapshot requests (FlowFiles on the optional input) that could not be taken: unreadable, \
                    naming no captured table, or sent to a source that takes no incremental snapshots (MySQL); the \
                    attribute cdc.snapshot.error says why. Auto-terminated unless connected.""")
            .autoTerminateDefault(true)
            .build();

    private IncrementalSnapshotRequests() {
    }

    /**
     * Takes the next request FlowFile, if the processor has an input and a FlowFile waits there, and commits the session.
     *
     * @return true when a request was handled (queued or sent to failure): the run is over
     * @throws ProcessException when the source could not be asked; the request stays queued for the next run
     */
    static boolean takeNext(ProcessContext context, ProcessSession session, CaptureCoordinator<?> engine, ComponentLog logger) {
        if (!context.hasIncomingConnection()) {
            return false;
        }
        FlowFile request = session.get();
        if (request == null) {
            return false;
        }
        try {
            if (request.getSize() > SnapshotRequest.MAX_BYTES) {
                throw new SnapshotRequest.InvalidRequest("The FlowFile holds " + request.getSize() + " bytes, more than an"
                        + " incremental snapshot request can (" + SnapshotRequest.MAX_BYTES + "): its content should list"
                        + " the tables to read. Check what is connected to the processor's input.");
            }
            byte[][] content = new byte[1][];
            session.read(request, in -> content[0] = in.readAllBytes());
            List<Pattern> tables = SnapshotRequest.parse(content[0]);
            CaptureRun run = engine.requestIncrementalSnapshot(session.getState(Scope.CLUSTER).toMap(), tables);
            session.remove(request);
            session.setState(run.state(), Scope.CLUSTER);
            session.commitAsync();
        } catch (SnapshotRequest.InvalidRequest e) {
            reject(session, request, e.getMessage(), logger);
        } catch (CaptureException e) {
            if (e.reason() != CaptureException.Reason.CONFIGURATION) {
                session.rollback();
                context.yield();
                throw new ProcessException(e.getMessage(), e);
            }
            reject(session, request, e.getMessage(), logger);
        } catch (IOException e) {
            session.rollback();
            throw new ProcessException("Could not read the processor state: " + e.getMessage(), e);
        }
        return true;
    }

    private static void reject(ProcessSession session, FlowFile request, String reason, ComponentLog logger) {
        logger.warn("Incremental snapshot request {} not taken: {}", request, reason);
        session.transfer(session.putAttribute(request, ATTR_SNAPSHOT_ERROR, reason), REL_FAILURE);
        session.commitAsync();
    }
}
