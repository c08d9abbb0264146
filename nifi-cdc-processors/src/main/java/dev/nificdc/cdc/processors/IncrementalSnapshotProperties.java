package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.engine.IncrementalSnapshotConfig;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.context.PropertyContext;
import org.apache.nifi.processor.DataUnit;
import org.apache.nifi.processor.util.StandardValidators;

/**
 * The incremental-snapshot property descriptors of the log-based capture processors ({@link CaptureBinlogChange},
 * {@link CapturePostgresChange}), defined once, and how they become the engine's {@link IncrementalSnapshotConfig}.
 */
final class IncrementalSnapshotProperties {
    /** The smallest byte limit of a chunk: below it a chunk of ordinary rows would hold a handful of rows. */
    static final long MIN_CHUNK_BYTES = 64L << 10;
    /** The largest: a chunk is held in the heap while it is read. */
    static final long MAX_CHUNK_BYTES = 1L << 30;

    private IncrementalSnapshotProperties() {
    }

    static final PropertyDescriptor SNAPSHOT_NEW_TABLES = new PropertyDescriptor.Builder()
            .name("Snapshot New Tables")
            .description("""
                    Whether a table that starts to be captured because the include/exclude patterns were changed (the \
                    processor is started again with the new patterns) gets its existing rows read by an incremental \
                    snapshot, chunk by chunk, while the log goes on streaming. When false, only its changes from then on \
                    are captured. Needs a source that takes incremental snapshots (PostgreSQL, MariaDB; not MySQL: see the \
                    processor's additional details); a snapshot of any captured table can also be requested with a \
                    FlowFile on the processor's input.""")
            .required(true)
            .allowableValues("true", "false")
            .defaultValue("true")
            .build();

    static final PropertyDescriptor CHUNK_SIZE = new PropertyDescriptor.Builder()
            .name("Incremental Snapshot Chunk Size")
            .description("""
                    The most rows one chunk of an incremental snapshot reads; a chunk also ends once its rows take \
                    Incremental Snapshot Max Chunk Size. Each chunk is read in a read view of its own, in a run between two \
                    streaming runs, and written in FlowFiles of at most Max Changes Per FlowFile records. Larger chunks \
                    finish a table sooner; smaller ones keep each pause of streaming shorter.""")
            .required(true)
            .defaultValue("10000")
            .addValidator(StandardValidators.POSITIVE_INTEGER_VALIDATOR)
            .build();

    static final PropertyDescriptor CHUNK_BYTES = new PropertyDescriptor.Builder()
            .name("Incremental Snapshot Max Chunk Size")
            .description("""
                    The most memory the rows of one chunk of an incremental snapshot take (estimated as the processor holds \
                    them: text at two bytes per character); a chunk ends at the row that reaches it, or at Incremental \
                    Snapshot Chunk Size rows, whichever comes first, and holds at least one row. One chunk is in the heap at \
                    a time: lower it for tables with wide rows on a small heap. Between 64 KB and 1 GB.""")
            .required(true)
            .defaultValue("32 MB")
            .addValidator(StandardValidators.createDataSizeBoundsValidator(MIN_CHUNK_BYTES, MAX_CHUNK_BYTES))
            .build();

    /** The incremental snapshots of a capture of the tables {@code filter} selects. */
    static IncrementalSnapshotConfig config(PropertyContext context, TableFilter filter) {
        return new IncrementalSnapshotConfig(context.getProperty(SNAPSHOT_NEW_TABLES).asBoolean(), filter,
                context.getProperty(CHUNK_SIZE).asInteger(),
                context.getProperty(CHUNK_BYTES).asDataSize(DataUnit.B).longValue());
    }
}
