package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.core.engine.SnapshotPolicy;
import org.apache.nifi.components.DescribedValue;

/** Whether and when CapturePostgresChange reads the existing rows of the captured tables before streaming the WAL. */
public enum PostgresSnapshotMode implements DescribedValue {
    INITIAL("initial", """
            When the processor has no stored state: read every captured table in the snapshot the replication slot exports \
            when it is created (rows as op 'r'), then stream from exactly the slot's position. Later starts resume from the \
            stored position."""),
    WHEN_NEEDED("when_needed", """
            Like 'initial', and also when the slot is gone or the server invalidated it (its WAL was removed): the slot is \
            created anew (an invalidated one is dropped first, with a warning) and the tables are read again, instead of \
            stopping with an error."""),
    NO_DATA("no_data", """
            Read no rows: when the processor has no stored state, create the slot (if absent) and stream from the current \
            end of the WAL."""),
    NEVER("never", """
            Read no rows: when the processor has no stored state, stream from the slot's confirmed position (a new slot: from \
            its creation).""");

    private final String value;
    private final String description;

    PostgresSnapshotMode(String value, String description) {
        this.value = value;
        this.description = description;
    }

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
