package dev.nificdc.registry;

import org.apache.avro.Schema;
import org.apache.nifi.components.DescribedValue;

/**
 * How a subject is named, with the semantics of Confluent's serializer strategies of the same names.
 */
public enum SubjectNameStrategy implements DescribedValue {
    TOPIC_NAME("Topic Name Strategy",
            "<topic>-key or <topic>-value: one schema lineage per topic (Confluent's default TopicNameStrategy)."),
    RECORD_NAME("Record Name Strategy",
            "<fully qualified record name>: the same record type shares a subject across topics (RecordNameStrategy)."),
    TOPIC_RECORD_NAME("Topic Record Name Strategy",
            "<topic>-<fully qualified record name>: several record types per topic, each with its own lineage (TopicRecordNameStrategy).");

    private final String displayName;
    private final String description;

    SubjectNameStrategy(final String displayName, final String description) {
        this.displayName = displayName;
        this.description = description;
    }

    /**
     * The subject for a topic's key or value schema.
     *
     * @throws IllegalArgumentException when the strategy needs a topic and it is blank, or needs a record name and the
     *                                  schema is not a named record
     */
    public String subject(final String topic, final Schema schema, final boolean key) {
        return switch (this) {
            case TOPIC_NAME -> requireTopic(topic) + (key ? "-key" : "-value");
            case RECORD_NAME -> recordName(schema);
            case TOPIC_RECORD_NAME -> requireTopic(topic) + "-" + recordName(schema);
        };
    }

    private String requireTopic(final String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("Subject Name Strategy '" + displayName + "' needs a Kafka topic name, but none was given");
        }
        return topic;
    }

    private String recordName(final Schema schema) {
        if (schema == null || schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("Subject Name Strategy '" + displayName + "' needs an Avro record schema to take its full name from, but got "
                    + (schema == null ? "no schema" : "a schema of type " + schema.getType())
                    + "; use the Topic Name Strategy for non-record schemas");
        }
        return schema.getFullName();
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
