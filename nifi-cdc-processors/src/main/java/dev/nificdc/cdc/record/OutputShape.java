package dev.nificdc.cdc.record;

import org.apache.nifi.components.DescribedValue;

/** What one record of the output looks like. */
public enum OutputShape implements DescribedValue {
    ENVELOPE("Change Envelope", """
            Debezium-compatible change event: before and after images, source position, op ("c", "u", "d", "r"), \
            ts_ms and the transaction block. Consumers that read Debezium topics read these records."""),
    FLATTENED("Flattened Row", """
            The row image itself (after-image; before-image for deletes) plus __op, __deleted, __ts_ms and source \
            position fields, like Debezium's ExtractNewRecordState. Suits sinks such as PutDatabaseRecord."""),
    KAFKA_WRAPPER("Kafka Record Wrapper", """
            For PublishKafka with Publish Strategy "Use Wrapper": each record is {metadata: {topic, partition}, key: the \
            primary-key record, value: the Change Envelope}, so PublishKafka's Record Key Writer writes the key and its \
            Record Writer the value, each with its own registry schema (see the attributes cdc.key.schema.version and \
            cdc.value.schema.version). A delete is followed by a tombstone (same key, null value) so log compaction can \
            drop the key. Tables without a primary key have no key field (messages without key, no tombstones).""");

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
