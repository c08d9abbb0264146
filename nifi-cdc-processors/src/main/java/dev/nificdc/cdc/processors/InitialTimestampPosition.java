package dev.nificdc.cdc.processors;

import org.apache.nifi.components.DescribedValue;

/** Where CaptureTimestampChange starts a table when the state holds no watermark for it and its columns. */
public enum InitialTimestampPosition implements DescribedValue {
    BEGINNING("Beginning", "Fetch every existing row first (ordered by the timestamp), then the changes."),
    NOW("Now", "Skip existing rows: start at the upper bound of the table's first run (database clock minus Commit Lag, "
            + "or earlier while a write transaction is open)."),
    GIVEN_TIMESTAMP("Given Timestamp", "Start with rows whose update timestamp is at or after Initial Timestamp.");

    private final String displayName;
    private final String description;

    InitialTimestampPosition(String displayName, String description) {
        this.displayName = displayName;
        this.description = description;
    }

    @Override
    public String getValue() {
        return name();
    }

    @Override
    public String getDisplayName() {
        return displayName;
    }

    @Override
    public String getDescription() {
        return description;
    }
}
