package dev.nificdc.cdc.record;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the Avro schemas of change records from a {@link TableSchema}: the Debezium-style envelope
 * ({@code <prefix>.<db>.<table>.Envelope} with {@code Value} before/after images), the key ({@code ...Key}, the
 * primary-key columns) and the flattened row ({@code ...Value} plus {@code __} metadata fields).
 *
 * <p>Temporal encodings are chosen so NiFi's own Avro writer keeps every microsecond: NiFi 2.x converts
 * {@code timestamp-micros} values through milliseconds, but passes {@code local-timestamp-micros},
 * {@code timestamp-nanos} and plain longs through unchanged. So DATETIME is {@code long local-timestamp-micros},
 * TIMESTAMP is {@code long timestamp-nanos} (MySQL's TIMESTAMP range, 1970-2038, fits), and TIME is a plain
 * {@code long} of signed microseconds tagged {@code "nifi.cdc.type": "duration-micros"} (TIME is a duration up to
 * ±838 hours, not a time of day).
 *
 * <p>The flattened row is meant for database sinks such as PutDatabaseRecord, which convert a number for a date-time
 * column as epoch milliseconds: there DATETIME, TIMESTAMP (in UTC) and TIME are SQL literal text ({@link TemporalText}),
 * which the target database parses exactly.
 */
public final class ChangeSchemas {
    public static final String TRANSACTION_SCHEMA_NAME = "dev.nificdc.cdc.Transaction";
    private static final String NAMESPACE = "dev.nificdc.cdc";
    /** Schema property naming the database type a field came from. */
    public static final String PROP_SOURCE_TYPE = "nifi.cdc.source.type";
    /** Schema property holding the original column name when it had to be sanitised. */
    public static final String PROP_COLUMN_NAME = "nifi.cdc.column.name";
    public static final String PROP_TYPE = "nifi.cdc.type";
    /** {@link #PROP_TYPE} of a {@link ValueKind#SOURCE_TEXT} field. */
    public static final String SOURCE_TEXT_TYPE = "source-text";

    public static final String OP = "__op";
    public static final String DELETED = "__deleted";
    public static final String TS_MS = "__ts_ms";
    public static final String SOURCE_TS_MS = "__source_ts_ms";
    public static final String DB = "__db";
    public static final String TABLE = "__table";

    /** Field names of PublishKafka's "Use Wrapper" record (NiFi's {@code WrapperRecord}). */
    public static final String WRAPPER_KEY = "key";
    public static final String WRAPPER_VALUE = "value";
    public static final String WRAPPER_METADATA = "metadata";
    public static final String METADATA_TOPIC = "topic";
    public static final String METADATA_PARTITION = "partition";
    public static final String KAFKA_METADATA_SCHEMA_NAME = "dev.nificdc.cdc.KafkaMetadata";

    private ChangeSchemas() {
    }

    /** The envelope schema: {@code {before, after, source, transaction, op, ts_ms}}, with the source block of {@code source}. */
    public static Schema envelope(TableSchema table, String topicPrefix, SourceFields<?> source) {
        String namespace = namespace(table, topicPrefix);
        Schema row = rowRecord(table, namespace, "Value", List.of(), false);
        Schema optionalRow = Schema.createUnion(Schema.create(Schema.Type.NULL), row);
        return SchemaBuilder.record("Envelope").namespace(namespace).fields()
                .name("before").type(optionalRow).withDefault(null)
                .name("after").type(optionalRow).withDefault(null)
                .name("source").type(sourceSchema(source)).noDefault()
                .name("transaction").type(Schema.createUnion(Schema.create(Schema.Type.NULL), transactionSchema())).withDefault(null)
                .name("op").type().stringType().noDefault()
                .name("ts_ms").type().longType().noDefault()
                .endRecord();
    }

    /**
     * The flattened row: the table's columns followed by {@code __op}, {@code __deleted}, {@code __ts_ms},
     * {@code __source_ts_ms}, {@code __db}, {@code __table} and the position fields of {@code source}.
     */
    public static Schema flattened(TableSchema table, String topicPrefix, SourceFields<?> source) {
        return rowRecord(table, namespace(table, topicPrefix), "Value", flattenedMetadata(source), true);
    }

    /**
     * The flattened record of a TRUNCATE ({@code <namespace>.Value} like the row's): only the metadata fields of
     * {@link #flattened}, since a truncate has no row.
     */
    public static Schema flattenedTruncate(TableSchema table, String topicPrefix, SourceFields<?> source) {
        return Schema.createRecord("Value", null, namespace(table, topicPrefix), false, flattenedMetadata(source));
    }

    private static List<Schema.Field> flattenedMetadata(SourceFields<?> source) {
        List<Schema.Field> metadata = new ArrayList<>(List.of(
                new Schema.Field(OP, Schema.create(Schema.Type.STRING)),
                new Schema.Field(DELETED, Schema.create(Schema.Type.STRING)),
                new Schema.Field(TS_MS, Schema.create(Schema.Type.LONG)),
                new Schema.Field(SOURCE_TS_MS, Schema.create(Schema.Type.LONG)),
                new Schema.Field(DB, optional(Schema.create(Schema.Type.STRING)), null, Schema.Field.NULL_DEFAULT_VALUE),
                new Schema.Field(TABLE, Schema.create(Schema.Type.STRING))));
        source.flattenedFields().forEach(field -> metadata.add(field.avroField()));
        return metadata;
    }

    /**
     * The record PublishKafka reads with Publish Strategy "Use Wrapper" ({@code <namespace>.KafkaRecord}):
     * <ul>
     *   <li>{@code metadata}: {@code {topic: string, partition: ["null", int]}}, read only with Record Metadata Strategy
     *       "Metadata From Record"; a null topic or partition falls back to the processor's Topic Name and partitioner;</li>
     *   <li>{@code key}: {@code ["null", Key]}, the table's {@link #key Key} record, written by PublishKafka's Record Key
     *       Writer; null for a truncate (no single row); absent when the table has no primary key (PublishKafka then sends
     *       no key);</li>
     *   <li>{@code value}: {@code ["null", Envelope]}, written by the Record Writer; null makes a tombstone.</li>
     * </ul>
     * There is no {@code headers} field: PublishKafka reads it as a record of string values, while an Avro map (what
     * ConsumeKafka's wrapper writes) fails its cast, and our records carry nothing for headers.
     */
    public static Schema kafkaWrapper(TableSchema table, String topicPrefix, SourceFields<?> source) {
        return kafkaWrapper(table, topicPrefix, source, true);
    }

    /** The Kafka wrapper of a TRUNCATE: no {@code key} (it is about the whole table), the table's envelope as value. */
    public static Schema kafkaWrapperWithoutKey(TableSchema table, String topicPrefix, SourceFields<?> source) {
        return kafkaWrapper(table, topicPrefix, source, false);
    }

    private static Schema kafkaWrapper(TableSchema table, String topicPrefix, SourceFields<?> source, boolean withKey) {
        Schema envelope = envelope(table, topicPrefix, source);
        Schema key = withKey ? key(table, topicPrefix) : null;
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("KafkaRecord").namespace(namespace(table, topicPrefix)).fields()
                .name(WRAPPER_METADATA).type(kafkaMetadataSchema()).noDefault();
        if (key != null) {
            // null only for a truncate, which is about no single row (Debezium sends it without a key)
            fields = fields.name(WRAPPER_KEY).type(optional(key)).withDefault(null);
        }
        return fields.name(WRAPPER_VALUE).type(optional(envelope)).withDefault(null).endRecord();
    }

    static Schema kafkaMetadataSchema() {
        return SchemaBuilder.record(KAFKA_METADATA_SCHEMA_NAME).fields()
                .name(METADATA_TOPIC).type().stringType().noDefault()
                .name(METADATA_PARTITION).type().optional().intType()
                .endRecord();
    }

    /** The key: the primary-key columns, or null when the table has no primary key. */
    public static Schema key(TableSchema table, String topicPrefix) {
        if (table.primaryKey().isEmpty()) {
            return null;
        }
        List<Schema.Field> fields = new ArrayList<>();
        for (String pk : table.primaryKey()) {
            int index = table.indexOf(pk);
            if (index < 0) {
                throw new IllegalArgumentException("Primary-key column " + pk + " is not a column of " + table.qualifiedName());
            }
            fields.add(columnField(table.columns().get(index)));
        }
        return Schema.createRecord("Key", null, namespace(table, topicPrefix), false, fields);
    }

    /** The Avro type of one column's values (a {@code ["null", T]} union when nullable). */
    public static Schema columnType(ColumnSchema column) {
        Schema type = switch (column.kind()) {
            case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
            case INT -> Schema.create(Schema.Type.INT);
            case LONG -> Schema.create(Schema.Type.LONG);
            case FLOAT -> Schema.create(Schema.Type.FLOAT);
            case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
            case DECIMAL -> LogicalTypes.decimal(Math.max(column.precision(), 1), column.scale()).addToSchema(Schema.create(Schema.Type.BYTES));
            case STRING -> Schema.create(Schema.Type.STRING);
            case BYTES -> Schema.create(Schema.Type.BYTES);
            case DATE -> LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
            case TIME_MICROS -> {
                Schema duration = Schema.create(Schema.Type.LONG);
                duration.addProp(PROP_TYPE, "duration-micros");
                yield duration;
            }
            case TIMESTAMP_MICROS -> LogicalTypes.timestampNanos().addToSchema(Schema.create(Schema.Type.LONG));
            case LOCAL_TIMESTAMP_MICROS -> LogicalTypes.localTimestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
            case SOURCE_TEXT -> {
                Schema text = Schema.create(Schema.Type.STRING);
                text.addProp(PROP_TYPE, SOURCE_TEXT_TYPE);
                yield text;
            }
        };
        return column.nullable() ? optional(type) : type;
    }

    /** The Avro field name of a column. */
    public static String fieldName(ColumnSchema column) {
        return AvroNames.sanitize(column.name());
    }

    /** The {@code source} record: the fields every source shares, then those of {@code source}. */
    static Schema sourceSchema(SourceFields<?> source) {
        Schema shared = SchemaBuilder.record(source.schemaName()).fields()
                .name("version").type().stringType().noDefault()
                .name("connector").type().stringType().noDefault()
                .name("name").type().stringType().noDefault()
                .name("ts_ms").type().longType().noDefault()
                .name("snapshot").type().optional().stringType()
                .name("db").type().optional().stringType()
                .name("table").type().optional().stringType()
                .endRecord();
        List<Schema.Field> fields = new ArrayList<>();
        shared.getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        source.envelopeFields().forEach(field -> fields.add(field.avroField()));
        return Schema.createRecord(shared.getName(), null, shared.getNamespace(), false, fields);
    }

    /**
     * A schema-change record ({@code dev.nificdc.cdc.SchemaChange}, after Debezium's schema change value):
     * {@code source}, {@code ts_ms}, {@code databaseName}, {@code ddl}, {@code type} (e.g. {@code ALTER TABLE}) and
     * {@code tableChanges}: per table its {@code id} ({@code db.table}), {@code columns} after the change
     * ({@code name}, {@code typeName}, {@code optional}; null when not known) and {@code primaryKeyColumnNames}.
     */
    public static Schema schemaChange(SourceFields<?> source) {
        Schema column = SchemaBuilder.record("Column").namespace(NAMESPACE).fields()
                .name("name").type().stringType().noDefault()
                .name("typeName").type().stringType().noDefault()
                .name("optional").type().booleanType().noDefault()
                .endRecord();
        Schema tableChange = SchemaBuilder.record("TableChange").namespace(NAMESPACE).fields()
                .name("id").type().stringType().noDefault()
                .name("columns").type(optional(Schema.createArray(column))).withDefault(null)
                .name("primaryKeyColumnNames").type(optional(Schema.createArray(Schema.create(Schema.Type.STRING)))).withDefault(null)
                .endRecord();
        return SchemaBuilder.record("SchemaChange").namespace(NAMESPACE).fields()
                .name("source").type(sourceSchema(source)).noDefault()
                .name("ts_ms").type().longType().noDefault()
                .name("databaseName").type().optional().stringType()
                .name("ddl").type().stringType().noDefault()
                .name("type").type().stringType().noDefault()
                .name("tableChanges").type(Schema.createArray(tableChange)).noDefault()
                .endRecord();
    }

    static Schema transactionSchema() {
        return SchemaBuilder.record(TRANSACTION_SCHEMA_NAME).fields()
                .name("id").type().stringType().noDefault()
                .name("total_order").type().longType().noDefault()
                .name("data_collection_order").type().longType().noDefault()
                .endRecord();
    }

    private static Schema rowRecord(TableSchema table, String namespace, String name, List<Schema.Field> extra, boolean temporalText) {
        List<Schema.Field> fields = new ArrayList<>();
        for (ColumnSchema column : table.columns()) {
            fields.add(temporalText && TemporalText.isTextual(column.kind()) ? textField(column) : columnField(column));
        }
        for (Schema.Field field : extra) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        return Schema.createRecord(name, null, namespace, false, fields);
    }

    /** A DATETIME/TIMESTAMP/TIME column as SQL literal text (see {@link TemporalText}), for database sinks. */
    private static Schema.Field textField(ColumnSchema column) {
        Schema text = Schema.create(Schema.Type.STRING);
        text.addProp(PROP_TYPE, switch (column.kind()) {
            case TIMESTAMP_MICROS -> "timestamp-utc-text";
            case TIME_MICROS -> "duration-text";
            default -> "local-timestamp-text";
        });
        return describe(column, column.nullable()
                ? new Schema.Field(fieldName(column), optional(text), null, Schema.Field.NULL_DEFAULT_VALUE)
                : new Schema.Field(fieldName(column), text));
    }

    private static Schema.Field columnField(ColumnSchema column) {
        Schema type = columnType(column);
        return describe(column, column.nullable()
                ? new Schema.Field(fieldName(column), type, null, Schema.Field.NULL_DEFAULT_VALUE)
                : new Schema.Field(fieldName(column), type));
    }

    private static Schema.Field describe(ColumnSchema column, Schema.Field field) {
        if (!column.sourceType().isEmpty()) {
            field.addProp(PROP_SOURCE_TYPE, column.sourceType());
        }
        if (!fieldName(column).equals(column.name())) {
            field.addProp(PROP_COLUMN_NAME, column.name());
        }
        return field;
    }

    private static Schema optional(Schema type) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), type);
    }

    private static String namespace(TableSchema table, String topicPrefix) {
        return AvroNames.namespace(topicPrefix, table.database(), table.table());
    }
}
