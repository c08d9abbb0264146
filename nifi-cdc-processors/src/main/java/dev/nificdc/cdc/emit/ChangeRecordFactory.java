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
    /** The fields the flattened shape adds after the columns ({@code __op} ... {@code __gtid}). */
    private static final int FLATTENED_EXTRA_FIELDS = 10;

    private final OutputShape shape;
    private final String topicPrefix;
    private final BiFunction<TableSchema, Schema, SchemaIdentifier> identifiers;
    private final Map<TableSchema, TablePlan> plans = new HashMap<>();
    /** The plan of the last table asked for: consecutive events of one table skip hashing the table schema. */
    private TablePlan lastPlan;

    /**
     * Everything about one table schema that every record of it shares, worked out once: the record schema records are
     * written with, its nested record schemas, the Avro field name of each column, and the registry identifiers.
     */
    private static final class TablePlan {
        final TableSchema table;
        final RecordSchema record;
        final SchemaIdentifier value;
        final SchemaIdentifier key;
        final RecordSchema envelope;
        final RecordSchema row;
        final RecordSchema source;
        final RecordSchema transaction;
        final RecordSchema wrapperMetadata;
        final RecordSchema wrapperKey;
        final String[] fieldNames;
        final boolean[] temporalText;
        final int[] keyColumns;
        final int rowMappings;

        TablePlan(TableSchema table, RecordSchema record, SchemaIdentifier value, SchemaIdentifier key, OutputShape shape) {
            this.table = table;
            this.record = record;
            this.value = value;
            this.key = key;
            List<ColumnSchema> columns = table.columns();
            fieldNames = new String[columns.size()];
            temporalText = new boolean[columns.size()];
            for (int i = 0; i < fieldNames.length; i++) {
                fieldNames[i] = ChangeSchemas.fieldName(columns.get(i));
                temporalText[i] = shape == OutputShape.FLATTENED && TemporalText.isTextual(columns.get(i).kind());
            }
            keyColumns = table.primaryKey().stream().mapToInt(table::indexOf).toArray();
            rowMappings = columns.size() + (shape == OutputShape.FLATTENED ? FLATTENED_EXTRA_FIELDS : 0);
            boolean wrapper = shape == OutputShape.KAFKA_WRAPPER;
            envelope = shape == OutputShape.FLATTENED ? null : wrapper ? childSchema(record, ChangeSchemas.WRAPPER_VALUE) : record;
            row = envelope == null ? null : childSchema(envelope, "before");
            source = envelope == null ? null : childSchema(envelope, "source");
            transaction = envelope == null ? null : childSchema(envelope, "transaction");
            wrapperMetadata = wrapper ? childSchema(record, ChangeSchemas.WRAPPER_METADATA) : null;
            wrapperKey = wrapper && record.getField(ChangeSchemas.WRAPPER_KEY).isPresent() ? childSchema(record, ChangeSchemas.WRAPPER_KEY) : null;
        }
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
        return plan(table).record;
    }

    /**
     * The registry identifier of the value schema of {@code table} (the envelope or flattened row; for the Kafka wrapper
     * the envelope in its {@code value} field), or {@link SchemaIdentifier#EMPTY} without a registry.
     */
    public SchemaIdentifier valueSchemaIdentifier(TableSchema table) {
        return plan(table).value;
    }

    /** The registry identifier of the key schema of {@code table}, or {@link SchemaIdentifier#EMPTY}. */
    public SchemaIdentifier keySchemaIdentifier(TableSchema table) {
        return plan(table).key;
    }

    /** The Avro schema of this factory's output shape for {@code table}. */
    public Schema avroSchema(TableSchema table) {
        return switch (shape) {
            case ENVELOPE -> ChangeSchemas.envelope(table, topicPrefix);
            case FLATTENED -> ChangeSchemas.flattened(table, topicPrefix);
            case KAFKA_WRAPPER -> ChangeSchemas.kafkaWrapper(table, topicPrefix);
        };
    }

    private TablePlan plan(TableSchema table) {
        TablePlan last = lastPlan;
        if (last != null && last.table == table) {
            return last;
        }
        TablePlan plan = plans.computeIfAbsent(table, this::newPlan);
        lastPlan = plan;
        return plan;
    }

    private TablePlan newPlan(TableSchema table) {
        Schema avro = avroSchema(table);
        SchemaIdentifier key = identifiers instanceof SchemaIdentifiers keyed ? keyed.keyIdentifier(table) : SchemaIdentifier.EMPTY;
        if (shape == OutputShape.KAFKA_WRAPPER) {
            // The registry holds the envelope (the Kafka value) and the key; the wrapper itself is only the FlowFile's
            // schema, so it carries no registry identifier: write it with an embedded schema.
            SchemaIdentifier value = identifiers.apply(table, ChangeSchemas.envelope(table, topicPrefix));
            return new TablePlan(table, AvroTypeUtil.createSchema(avro, avro.toString(), SchemaIdentifier.EMPTY), value, key, shape);
        }
        SchemaIdentifier value = identifiers.apply(table, avro);
        return new TablePlan(table, AvroTypeUtil.createSchema(avro, avro.toString(), value), value, key, shape);
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
        TablePlan plan = plan(event.schema());
        return switch (shape) {
            case ENVELOPE -> List.of(envelope(event, plan));
            case FLATTENED -> List.of(flattened(event, plan));
            case KAFKA_WRAPPER -> kafkaWrapper(event, plan);
        };
    }

    private List<Record> kafkaWrapper(ChangeEvent event, TablePlan plan) {
        Map<String, Object> metadata = LinkedHashMap.newLinkedHashMap(3);
        metadata.put(ChangeSchemas.METADATA_TOPIC, ChangeTopics.of(topicPrefix, event.schema()));
        metadata.put(ChangeSchemas.METADATA_PARTITION, null);
        Record metadataRecord = new NestedRecord(plan.wrapperMetadata, metadata);
        Record key = plan.wrapperKey != null ? key(event, plan) : null;

        Map<String, Object> values = LinkedHashMap.newLinkedHashMap(3);
        values.put(ChangeSchemas.WRAPPER_METADATA, metadataRecord);
        values.put(ChangeSchemas.WRAPPER_KEY, key);
        values.put(ChangeSchemas.WRAPPER_VALUE, envelope(event, plan));
        Record change = new MapRecord(plan.record, values);
        if (event.op() != Operation.DELETE || key == null) {
            return List.of(change);
        }
        Map<String, Object> tombstone = new LinkedHashMap<>(values);
        tombstone.put(ChangeSchemas.WRAPPER_VALUE, null);
        return List.of(change, new MapRecord(plan.record, tombstone));
    }

    /** The primary-key values of the after-image, or of the before-image for a delete. */
    private static Record key(ChangeEvent event, TablePlan plan) {
        List<ColumnSchema> columns = plan.table.columns();
        Object[] image = event.after() != null ? event.after() : event.before();
        Map<String, Object> values = LinkedHashMap.newLinkedHashMap(plan.keyColumns.length);
        for (int index : plan.keyColumns) {
            values.put(plan.fieldNames[index], recordValue(columns.get(index), image[index]));
        }
        return new NestedRecord(plan.wrapperKey, values);
    }

    private static Record envelope(ChangeEvent event, TablePlan plan) {
        Map<String, Object> values = LinkedHashMap.newLinkedHashMap(6);
        values.put("before", event.before() == null ? null : new NestedRecord(plan.row, rowValues(plan, event.before())));
        values.put("after", event.after() == null ? null : new NestedRecord(plan.row, rowValues(plan, event.after())));
        values.put("source", source(event.source(), plan.source));
        ChangeEvent.TransactionInfo tx = event.transaction();
        if (tx != null) {
            Map<String, Object> txValues = LinkedHashMap.newLinkedHashMap(3);
            txValues.put("id", tx.id());
            txValues.put("total_order", tx.totalOrder());
            txValues.put("data_collection_order", tx.dataCollectionOrder());
            values.put("transaction", new NestedRecord(plan.transaction, txValues));
        } else {
            values.put("transaction", null);
        }
        values.put("op", event.op().code());
        values.put("ts_ms", event.tsMs());
        return plan.envelope == plan.record ? new MapRecord(plan.record, values) : new NestedRecord(plan.envelope, values);
    }

    private static Record flattened(ChangeEvent event, TablePlan plan) {
        boolean deleted = event.after() == null;
        Map<String, Object> values = rowValues(plan, deleted ? event.before() : event.after());
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
        return new MapRecord(plan.record, values);
    }

    /** Field name to record value of each column; sized so the flattened shape's extra fields fit without a resize. */
    private static Map<String, Object> rowValues(TablePlan plan, Object[] row) {
        List<ColumnSchema> columns = plan.table.columns();
        Map<String, Object> values = LinkedHashMap.newLinkedHashMap(plan.rowMappings);
        for (int i = 0; i < plan.fieldNames.length; i++) {
            ColumnSchema column = columns.get(i);
            Object value = row[i];
            values.put(plan.fieldNames[i], plan.temporalText[i] && value != null
                    ? TemporalText.format(column.kind(), ((Number) value).longValue())
                    : recordValue(column, value));
        }
        return values;
    }

    private static Record source(SourceInfo source, RecordSchema schema) {
        Map<String, Object> values = LinkedHashMap.newLinkedHashMap(13);
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
        return new NestedRecord(schema, values);
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
