package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.core.engine.SnapshotPolicy;
import org.apache.nifi.components.DescribedValue;

/** Whether and when CaptureBinlogChange reads the existing rows of the captured tables before streaming the binlog. */
public enum SnapshotMode implements DescribedValue {
    INITIAL("initial", """
            When the processor has no stored state: read every captured table in one consistent view (rows as op 'r'), \
            then stream the binlog from exactly the position of that view. Later starts resume from the stored position."""),
    WHEN_NEEDED("when_needed", """
            Like 'initial', and also when the stored binlog position is no longer on the server (purged): the state is \
            replaced by a new snapshot followed by streaming, instead of stopping with an error."""),
    NO_DATA("no_data", """
            Read no rows: when the processor has no stored state, store the server's current binlog position and stream \
            from there. Table schemas come from the binlog itself."""),
    NEVER("never", """
            Read no rows: stream the binlog from the Initial Binlog Position when the processor has no stored state (the \
            behaviour of versions without snapshots).""");

    private final String value;
    private final String description;

    SnapshotMode(String value, String description) {
        this.value = value;
        this.description = description;
    }

    /** What the capture coordinator does for this mode. */
    SnapshotPolicy policy() {
        return SnapshotPolicy.valueOf(name());
    }

    @Override
    public String getValue() {
        return value;
    }

    @Override
    public String getDisplayName() {
        return value;
    }

    @Override
    public String getDescription() {
        return description;
    }
}
