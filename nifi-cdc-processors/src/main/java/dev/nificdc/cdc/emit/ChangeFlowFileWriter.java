package dev.nificdc.cdc.emit;

import dev.nificdc.cdc.record.AvroNames;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ChangeTopics;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.SchemaChange;
import dev.nificdc.cdc.record.TableSchema;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.flowfile.attributes.CoreAttributes;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.WriteResult;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.SchemaIdentifier;

import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a run of change events of one table schema into one FlowFile through the configured Record Writer,
 * and sets the attributes every nifi-cdc FlowFile carries. Records stream to the content repository one by one.
 */
public final class ChangeFlowFileWriter {
    public static final String ATTR_DATABASE = "cdc.database";
    public static final String ATTR_TABLE = "cdc.table";
    /** The tables a schema change names, {@code db.table} comma-separated. */
    public static final String ATTR_TABLES = "cdc.tables";
    public static final String ATTR_OPERATIONS = "cdc.operations";
    public static final String ATTR_TOPIC = "cdc.topic";
    /**
     * The record fields that hold the table's key (primary key), comma-separated, empty when the table has none: what
     * PutDatabaseRecord's Delete Keys and Update Keys need when a before-image holds more (or less) than the key.
     */
    public static final String ATTR_KEY_FIELDS = "cdc.key.fields";
    public static final String ATTR_RECORD_COUNT = "record.count";
    /** Registry id and version of the value schema (the envelope or flattened row), when a registry is configured. */
    public static final String ATTR_VALUE_SCHEMA_ID = "cdc.value.schema.id";
    public static final String ATTR_VALUE_SCHEMA_VERSION = "cdc.value.schema.version";
    /** Registry id and version of the key schema (the primary key), when a registry is configured and the table has one. */
    public static final String ATTR_KEY_SCHEMA_ID = "cdc.key.schema.id";
    public static final String ATTR_KEY_SCHEMA_VERSION = "cdc.key.schema.version";

    private final RecordSetWriterFactory writerFactory;
    private final ChangeRecordFactory records;
    private final String topicPrefix;
    private final ComponentLog logger;

    public ChangeFlowFileWriter(RecordSetWriterFactory writerFactory, ChangeRecordFactory records, String topicPrefix, ComponentLog logger) {
        this.writerFactory = writerFactory;
        this.records = records;
        this.topicPrefix = topicPrefix == null ? "" : topicPrefix;
        this.logger = logger;
    }

    /**
     * Creates a FlowFile holding {@code events} (all of the same {@link TableSchema}) with its standard attributes.
     * The FlowFile is not transferred: the caller adds its own attributes and transfers it.
     */
    public FlowFile write(ProcessSession session, List<ChangeEvent> events) {
        return write(session, events, null);
    }

    /** The records of {@code event}, to hand to {@link #write(ProcessSession, List, List)} later, possibly from another thread. */
    public List<Record> records(ChangeEvent event) {
        return records.toRecords(event);
    }

    /**
     * Like {@link #write(ProcessSession, List)}, with the events' records already built by {@link #records}:
     * {@code prepared} holds every record of {@code events}, in order (null: build them while writing).
     */
    public FlowFile write(ProcessSession session, List<ChangeEvent> events, List<Record> prepared) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("No events to write");
        }
        TableSchema table = events.get(0).schema();
        // a TRUNCATE is a FlowFile of its own (the capture engine cuts runs around it); its records may have their own schema
        boolean truncate = events.get(0).op() == Operation.TRUNCATE;
        RecordSchema schema = records.recordSchema(table, truncate);
        FlowFile flowFile = session.create();
        Map<String, String> attributes = new HashMap<>();
        attributes.put(ATTR_DATABASE, table.database() == null ? "" : table.database());
        attributes.put(ATTR_TABLE, table.table());
        attributes.put(ATTR_TOPIC, topic(table));
        attributes.put(ATTR_KEY_FIELDS, String.join(",", table.primaryKey().stream().map(AvroNames::sanitize).toList()));
        // One table schema per FlowFile, so these name exactly the schemas of every record in it.
        putIdentifier(attributes, records.valueSchemaIdentifier(table, truncate), ATTR_VALUE_SCHEMA_ID, ATTR_VALUE_SCHEMA_VERSION);
        putIdentifier(attributes, records.keySchemaIdentifier(table, truncate), ATTR_KEY_SCHEMA_ID, ATTR_KEY_SCHEMA_VERSION);
        try {
            Map<String, String> writerAttributes = new HashMap<>();
            flowFile = session.write(flowFile, out -> writerAttributes.putAll(writeRecords(out, events, prepared, schema, attributes, table)));
            attributes.putAll(writerAttributes);
        } catch (RuntimeException e) {
            session.remove(flowFile);
            throw new ProcessException("Could not write " + events.size() + " change records of " + table.qualifiedName()
                    + " with the Record Writer: " + e.getMessage(), e);
        }
        attributes.put(ATTR_OPERATIONS, operationMix(events));
        return session.putAllAttributes(flowFile, attributes);
    }

    /**
     * Creates a FlowFile holding one schema-change record ({@link ChangeRecordFactory#schemaChangeSchema}, no registry
     * id) with {@code cdc.database} (the statement's default database), {@code cdc.tables} (the tables it names,
     * comma-separated {@code db.table}), {@code cdc.topic} (the Topic Prefix: Debezium's schema change topic) and the
     * writer's attributes. The FlowFile is not transferred.
     */
    public FlowFile write(ProcessSession session, SchemaChange change) {
        FlowFile flowFile = session.create();
        Map<String, String> attributes = new HashMap<>();
        attributes.put(ATTR_DATABASE, change.database() == null ? "" : change.database());
        attributes.put(ATTR_TABLES, String.join(",", change.tables().stream().map(SchemaChange.TableChange::id).toList()));
        attributes.put(ATTR_TOPIC, topicPrefix);
        try {
            Map<String, String> writerAttributes = new HashMap<>();
            RecordSchema schema = records.schemaChangeSchema();
            flowFile = session.write(flowFile, out -> {
                try (RecordSetWriter writer = writerFactory.createWriter(logger, writerFactory.getSchema(attributes, schema), out, attributes)) {
                    writer.beginRecordSet();
                    writer.write(records.toRecord(change));
                    WriteResult result = writer.finishRecordSet();
                    writerAttributes.putAll(result.getAttributes());
                    writerAttributes.put(ATTR_RECORD_COUNT, String.valueOf(result.getRecordCount()));
                    writerAttributes.put(CoreAttributes.MIME_TYPE.key(), writer.getMimeType());
                } catch (Exception e) {
                    throw e instanceof RuntimeException re ? re : new ProcessException(e);
                }
            });
            attributes.putAll(writerAttributes);
        } catch (RuntimeException e) {
            session.remove(flowFile);
            throw new ProcessException("Could not write the schema change " + change.type() + " " + attributes.get(ATTR_TABLES)
                    + " with the Record Writer: " + e.getMessage(), e);
        }
        return session.putAllAttributes(flowFile, attributes);
    }

    /** The suggested Kafka topic: {@code <prefix>.<db>.<table>} (the prefix and database only when set). */
    public String topic(TableSchema table) {
        return ChangeTopics.of(topicPrefix, table);
    }

    private Map<String, String> writeRecords(OutputStream out, List<ChangeEvent> events, List<Record> prepared, RecordSchema schema,
                                             Map<String, String> attributes, TableSchema table) {
        for (ChangeEvent event : events) {
            if (!event.schema().equals(table) || (event.op() == Operation.TRUNCATE) != (events.get(0).op() == Operation.TRUNCATE)) {
                throw new IllegalArgumentException("Events of one FlowFile must share one table schema, and a TRUNCATE is alone");
            }
        }
        try {
            RecordSchema writeSchema = writerFactory.getSchema(attributes, schema);
            try (RecordSetWriter writer = writerFactory.createWriter(logger, writeSchema, out, attributes)) {
                writer.beginRecordSet();
                if (prepared != null) {
                    for (Record record : prepared) {
                        writer.write(record);
                    }
                } else {
                    for (ChangeEvent event : events) {
                        for (Record record : records.toRecords(event)) {
                            writer.write(record);
                        }
                    }
                }
                WriteResult result = writer.finishRecordSet();
                Map<String, String> written = new HashMap<>(result.getAttributes());
                written.put(ATTR_RECORD_COUNT, String.valueOf(result.getRecordCount()));
                written.put(CoreAttributes.MIME_TYPE.key(), writer.getMimeType());
                return written;
            }
        } catch (Exception e) {
            throw e instanceof RuntimeException re ? re : new ProcessException(e);
        }
    }

    private static void putIdentifier(Map<String, String> attributes, SchemaIdentifier identifier, String idAttribute, String versionAttribute) {
        identifier.getIdentifier().ifPresent(id -> attributes.put(idAttribute, String.valueOf(id)));
        identifier.getVersion().ifPresent(version -> attributes.put(versionAttribute, String.valueOf(version)));
    }

    /** E.g. {@code c=3,u=1,d=0,r=0,t=0}: how many events of each operation the FlowFile holds. */
    static String operationMix(List<ChangeEvent> events) {
        Operation[] operations = Operation.values();
        long[] counts = new long[operations.length];
        for (ChangeEvent event : events) {
            counts[event.op().ordinal()]++; // a plain array: this runs once per change
        }
        StringBuilder mix = new StringBuilder();
        for (Operation op : operations) {
            mix.append(mix.isEmpty() ? "" : ",").append(op.code()).append('=').append(counts[op.ordinal()]);
        }
        return mix.toString();
    }
}
