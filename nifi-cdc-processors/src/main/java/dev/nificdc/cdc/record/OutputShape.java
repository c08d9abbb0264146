package dev.nificdc.cdc.record;

import org.apache.nifi.components.DescribedValue;

/** What one record of the output looks like. */
public enum OutputShape implements DescribedValue {
    ENVELOPE("Change Envelope", """
            Debezium-compatible change event: before and after images, source position, op ("c", "u", "d", "r"), \
            ts_ms and the transaction block. Consumers that read Debezium topics read these records."""),
    FLATTENED("Flattened Row", """
            The row image itself (after-image; before-image for deletes) plus __op, __deleted, __ts_ms and source \
            position fields, like Debezium's ExtractNewRecordState. Suits sinks such as PutDatabaseRecord.""");

    private final String displayName;
    private final String description;

    OutputShape(String displayName, String description) {
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
