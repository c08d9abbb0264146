package dev.nificdc.cdc.core.engine;

import dev.nificdc.cdc.record.ChangeEvent;

import java.util.List;

/**
 * Where the coordinator hands its output: runs of changes of one table schema, in order, each to become one unit of
 * output (in NiFi: one FlowFile through {@code ChangeFlowFileWriter}). Nothing handed over is committed until the
 * caller stores the {@link CaptureRun#state()} of the run with it.
 */
@FunctionalInterface
public interface ChangeRunWriter {

    /**
     * Writes {@code changes} (at least one, all of one table schema) as one unit numbered {@code sequenceId}; sequence
     * ids increase by one per unit across runs and tables.
     */
    void write(List<ChangeEvent> changes, long sequenceId);
}
