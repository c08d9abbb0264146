package dev.nificdc.cdc.emit;

import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ChangeSchemas;
import dev.nificdc.cdc.record.ChangeTopics;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.cdc.record.SourceInfo;
import dev.nificdc.cdc.record.TableSchema;
import dev.nificdc.cdc.record.TemporalText;
import org.apache.avro.Schema;
import org.apache.nifi.avro.AvroTypeUtil;
import org.apache.nifi.serialization.record.DataType;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.SchemaIdentifier;
import org.apache.nifi.serialization.record.type.ChoiceDataType;
import org.apache.nifi.serialization.record.type.RecordDataType;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Turns {@link ChangeEvent}s into NiFi {@link Record}s whose {@link RecordSchema} carries the exact Avro schema text
 * (format "avro"), so a writer set to "Inherit Record Schema" writes our schema unchanged. Record schemas are built
 * once per table schema and reused.
 */
public final class ChangeRecordFactory {
    /** The Avro schema version string written into {@code source.version}. */
    public static final String VERSION = "nifi-cdc-1";

    private final OutputShape shape;
    private final String topicPrefix;
    private final BiFunction<TableSchema, Schema, SchemaIdentifier> identifiers;
    private final Map<TableSchema, TableSchemas> schemas = new HashMap<>();
    /** The last table looked up: asked for every record, and consecutive records almost always share one TableSchema instance. */
    private LastTable last;
    /** The field layout of each row and flattened record schema, by identity (the schemas above are built once per table). */
    private final Map<RecordSchema, FieldValues.Layout> layouts = new IdentityHashMap<>();

    /** Per table schema: the record schema records are written with, and the registry identifiers of value and key. */
    private record TableSchemas(RecordSchema record, SchemaIdentifier value, SchemaIdentifier key) {
    }

    private record LastTable(TableSchema table, TableSchemas schemas) {
    }

    /**
     * @param identifiers gives the schema identifier (e.g. registry id and version) of each derived value schema;
     *                    return {@link SchemaIdentifier#EMPTY} when there is no registry. When it is a
     *                    {@link SchemaIdentifiers}, its {@link SchemaIdentifiers#keyIdentifier key identifiers} are used too.
     */
    public ChangeRecordFactory(OutputShape shape, String topicPrefix, BiFunction<TableSchema, Schema, SchemaIdentifier> identifiers) {
        this.shape = shape;
        this.topicPrefix = topicPrefix == null ? "" : topicPrefix;
        this.identifiers = identifiers;
    }

    public ChangeRecordFactory(OutputShape shape, String topicPrefix) {
        this(shape, topicPrefix, SchemaIdentifiers.NONE);
    }

    /** The record schema every record of {@code table} is written with. */
    public RecordSchema recordSchema(TableSchema table) {
        return schemas(table).record();
    }

    /**
     * The registry identifier of the value schema of {@code table} (the envelope or flattened row; for the Kafka wrapper
     * the envelope in its {@code value} field), or {@link SchemaIdentifier#EMPTY} without a registry.
     */
    public SchemaIdentifier valueSchemaIdentifier(TableSchema table) {
        return schemas(table).value();
    }

    /** The registry identifier of the key schema of {@code table}, or {@link SchemaIdentifier#EMPTY}. */
    public SchemaIdentifier keySchemaIdentifier(TableSchema table) {
        return schemas(table).key();
    }

    /** The Avro schema of this factory's output shape for {@code table}. */
    public Schema avroSchema(TableSchema table) {
        return switch (shape) {
            case ENVELOPE -> ChangeSchemas.envelope(table, topicPrefix);
            case FLATTENED -> ChangeSchemas.flattened(table, topicPrefix);
            case KAFKA_WRAPPER -> ChangeSchemas.kafkaWrapper(table, topicPrefix);
        };
    }

    private TableSchemas schemas(TableSchema table) {
        LastTable cached = last;
        if (cached != null && cached.table() == table) {
            return cached.schemas(); // no hashing of the whole column list per record
        }
        TableSchemas found = lookUp(table);
        last = new LastTable(table, found);
        return found;
    }

    private TableSchemas lookUp(TableSchema table) {
        return schemas.computeIfAbsent(table, t -> {
            Schema avro = avroSchema(t);
            if (shape == OutputShape.KAFKA_WRAPPER) {
                // The registry holds the envelope (the Kafka value) and the key; the wrapper itself is only the FlowFile's
                // schema, so it carries no registry identifier: write it with an embedded schema.
                SchemaIdentifier value = identifiers.apply(t, ChangeSchemas.envelope(t, topicPrefix));
                return new TableSchemas(AvroTypeUtil.createSchema(avro, avro.toString(), SchemaIdentifier.EMPTY), value, keyIdentifier(t));
            }
            SchemaIdentifier value = identifiers.apply(t, avro);
            return new TableSchemas(AvroTypeUtil.createSchema(avro, avro.toString(), value), value, keyIdentifier(t));
        });
    }

    private SchemaIdentifier keyIdentifier(TableSchema table) {
        return identifiers instanceof SchemaIdentifiers keyed ? keyed.keyIdentifier(table) : SchemaIdentifier.EMPTY;
    }

    /** The one record of {@code event}; for the Kafka wrapper shape, the first of {@link #toRecords}. */
    public Record toRecord(ChangeEvent event) {
        return toRecords(event).get(0);
    }

    /**
     * The records of {@code event}: one, except for a delete in the Kafka wrapper shape of a table with a primary key,
     * which is followed by its tombstone (same key, null value), as Debezium does by default.
     */
    public List<Record> toRecords(ChangeEvent event) {
        RecordSchema schema = recordSchema(event.schema());
        return switch (shape) {
            case ENVELOPE -> List.of(envelope(event, schema));
            case FLATTENED -> List.of(flattened(event, schema));
            case KAFKA_WRAPPER -> kafkaWrapper(event, schema);
        };
    }

    private List<Record> kafkaWrapper(ChangeEvent event, RecordSchema schema) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put(ChangeSchemas.METADATA_TOPIC, ChangeTopics.of(topicPrefix, event.schema()));
        metadata.put(ChangeSchemas.METADATA_PARTITION, null);
        Record metadataRecord = new MapRecord(childSchema(schema, ChangeSchemas.WRAPPER_METADATA), metadata);
        Record key = schema.getField(ChangeSchemas.WRAPPER_KEY).isPresent()
                ? key(event, childSchema(schema, ChangeSchemas.WRAPPER_KEY)) : null;

        Map<String, Object> values = new LinkedHashMap<>();
        values.put(ChangeSchemas.WRAPPER_METADATA, metadataRecord);
        values.put(ChangeSchemas.WRAPPER_KEY, key);
        values.put(ChangeSchemas.WRAPPER_VALUE, envelope(event, childSchema(schema, ChangeSchemas.WRAPPER_VALUE)));
        Record change = new MapRecord(schema, values);
        if (event.op() != Operation.DELETE || key == null) {
            return List.of(change);
        }
        Map<String, Object> tombstone = new LinkedHashMap<>(values);
        tombstone.put(ChangeSchemas.WRAPPER_VALUE, null);
        return List.of(change, new MapRecord(schema, tombstone));
    }

    /** The primary-key values of the after-image, or of the before-image for a delete. */
    private static Record key(ChangeEvent event, RecordSchema keySchema) {
        TableSchema table = event.schema();
        Object[] image = event.after() != null ? event.after() : event.before();
        Map<String, Object> values = new LinkedHashMap<>();
        for (String pk : table.primaryKey()) {
            ColumnSchema column = table.columns().get(table.indexOf(pk));
            values.put(ChangeSchemas.fieldName(column), recordValue(column, image[table.indexOf(pk)]));
        }
        return new MapRecord(keySchema, values);
    }

    private Record envelope(ChangeEvent event, RecordSchema schema) {
        Map<String, Object> values = new LinkedHashMap<>();
        RecordSchema rowSchema = childSchema(schema, "before");
        values.put("before", event.before() == null ? null : row(event.schema(), event.before(), rowSchema));
        values.put("after", event.after() == null ? null : row(event.schema(), event.after(), rowSchema));
        values.put("source", source(event.source(), childSchema(schema, "source")));
        ChangeEvent.TransactionInfo tx = event.transaction();
        if (tx != null) {
            Map<String, Object> txValues = new LinkedHashMap<>();
            txValues.put("id", tx.id());
            txValues.put("total_order", tx.totalOrder());
            txValues.put("data_collection_order", tx.dataCollectionOrder());
            values.put("transaction", new MapRecord(childSchema(schema, "transaction"), txValues));
        } else {
            values.put("transaction", null);
        }
        values.put("op", event.op().code());
        values.put("ts_ms", event.tsMs());
        return new MapRecord(schema, values);
    }

    private Record flattened(ChangeEvent event, RecordSchema schema) {
        boolean deleted = event.after() == null;
        Map<String, Object> values = rowValues(event.schema(), deleted ? event.before() : event.after(), true, schema);
        SourceInfo source = event.source();
        values.put(ChangeSchemas.OP, event.op().code());
        values.put(ChangeSchemas.DELETED, Boolean.toString(deleted));
        values.put(ChangeSchemas.TS_MS, event.tsMs());
        values.put(ChangeSchemas.SOURCE_TS_MS, source.tsMs());
        values.put(ChangeSchemas.DB, source.db());
        values.put(ChangeSchemas.TABLE, source.table());
        values.put(ChangeSchemas.FILE, source.file());
        values.put(ChangeSchemas.POS, source.pos());
        values.put(ChangeSchemas.ROW, source.row());
        values.put(ChangeSchemas.GTID, source.gtid());
        return new MapRecord(schema, values);
    }

    private Record row(TableSchema table, Object[] row, RecordSchema rowSchema) {
        return new MapRecord(rowSchema, rowValues(table, row, false, rowSchema));
    }

    /** The column values of {@code row}, in a map holding exactly the fields of {@code recordSchema} (the row or the flattened record). */
    private Map<String, Object> rowValues(TableSchema table, Object[] row, boolean temporalText, RecordSchema recordSchema) {
        List<ColumnSchema> columns = table.columns();
        FieldValues values = new FieldValues(layouts.computeIfAbsent(recordSchema, s -> columnLayout(table, s)));
        for (int i = 0; i < columns.size(); i++) {
            ColumnSchema column = columns.get(i);
            Object value = row[i];
            boolean asText = temporalText && value != null && TemporalText.isTextual(column.kind());
            // column i is field i of the record schema (checked once per schema by columnLayout)
            values.set(i, asText ? TemporalText.format(column.kind(), ((Number) value).longValue()) : recordValue(column, value));
        }
        return values;
    }

    /** The layout of a row or flattened record schema, whose first fields are the table's columns in order. */
    private static FieldValues.Layout columnLayout(TableSchema table, RecordSchema recordSchema) {
        FieldValues.Layout layout = new FieldValues.Layout(recordSchema);
        List<String> names = table.columns().stream().map(ChangeSchemas::fieldName).toList();
        if (!layout.startsWith(names)) {
            throw new IllegalStateException("The record schema's fields " + recordSchema.getFieldNames() + " do not start with the columns "
                    + names + " of " + table.qualifiedName());
        }
        return layout;
    }

    private static Record source(SourceInfo source, RecordSchema schema) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("version", VERSION);
        values.put("connector", source.connector());
        values.put("name", source.name());
        values.put("ts_ms", source.tsMs());
        values.put("snapshot", source.snapshot());
        values.put("db", source.db());
        values.put("table", source.table());
        values.put("server_id", source.serverId());
        values.put("gtid", source.gtid());
        values.put("file", source.file());
        values.put("pos", source.pos());
        values.put("row", source.row());
        values.put("thread", source.thread());
        return new MapRecord(schema, values);
    }

    /**
     * Canonical value to the value NiFi's Avro writer turns into exactly our Avro encoding (see {@link ChangeSchemas}):
     * dates go as {@link LocalDate} (NiFi reads a number as epoch milliseconds), instants as epoch nanoseconds.
     */
    static Object recordValue(ColumnSchema column, Object value) {
        if (value == null) {
            return null;
        }
        return switch (column.kind()) {
            case DATE -> LocalDate.ofEpochDay(((Number) value).longValue());
            case TIMESTAMP_MICROS -> Math.multiplyExact(((Number) value).longValue(), 1000L);
            default -> value;
        };
    }

    private static RecordSchema childSchema(RecordSchema parent, String field) {
        RecordField recordField = parent.getField(field).orElseThrow();
        DataType type = recordField.getDataType();
        if (type instanceof ChoiceDataType choice) {
            for (DataType option : choice.getPossibleSubTypes()) {
                if (option instanceof RecordDataType record) {
                    return record.getChildSchema();
                }
            }
        }
        return ((RecordDataType) type).getChildSchema();
    }
}
