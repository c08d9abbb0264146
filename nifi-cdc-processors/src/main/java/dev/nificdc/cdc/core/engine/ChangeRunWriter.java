package dev.nificdc.cdc.core.engine;

import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.SchemaChange;

import java.util.List;

/**
 * Where the coordinator hands its output: runs of changes of one table schema, in order, each to become one unit of
 * output (in NiFi: one FlowFile through {@code ChangeFlowFileWriter}); a TRUNCATE is always a run of its own; schema
 * changes, when the source produces them, are units of their own too. Nothing handed over is committed until the
 * caller stores the {@link CaptureRun#state()} of the run with it.
 */
@FunctionalInterface
public interface ChangeRunWriter {

    /**
     * Writes {@code changes} (at least one, all of one table schema) as one unit numbered {@code sequenceId}; sequence
     * ids increase by one per unit across runs and tables.
     */
    void write(List<ChangeEvent> changes, long sequenceId);

    /**
     * Writes a schema change as one unit numbered {@code sequenceId}, from the same sequence as the runs of changes, so
     * the two kinds of output can be put back in log order. Only sources asked for schema changes produce them.
     */
    default void writeSchemaChange(SchemaChange change, long sequenceId) {
        throw new IllegalStateException("This writer takes no schema changes: " + change.type() + " " + change.tables());
    }
}
