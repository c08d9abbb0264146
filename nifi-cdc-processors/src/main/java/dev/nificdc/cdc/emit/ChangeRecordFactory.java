package dev.nificdc.cdc.emit;

import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ChangeSchemas;
import dev.nificdc.cdc.record.ChangeTopics;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.cdc.record.SchemaChange;
import dev.nificdc.cdc.record.SourceFields;
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
import org.apache.nifi.serialization.record.type.ArrayDataType;
import org.apache.nifi.serialization.record.type.ChoiceDataType;
import org.apache.nifi.serialization.record.type.RecordDataType;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Turns {@link ChangeEvent}s into NiFi {@link Record}s whose {@link RecordSchema} carries the exact Avro schema text
 * (format "avro"), so a writer set to "Inherit Record Schema" writes our schema unchanged. Record schemas are built
 * once per table schema and reused. Safe for use by several threads (CaptureTimestampChange builds records on the
 * thread that reads rows while its own thread writes them).
 */
public final class ChangeRecordFactory {
    /** The Avro schema version string written into {@code source.version}. */
    public static final String VERSION = "nifi-cdc-1";
    // The field names of the fixed records, in the order of ChangeSchemas and of the set(position, value) calls below.
    private static final FieldValues.Names ENVELOPE = FieldValues.Names.of("before", "after", "source", "transaction", "op", "ts_ms");
    /** The fields every source block starts with; the source kind's own fields follow. */
    private static final List<String> SOURCE_SHARED = List.of("version", "connector", "name", "ts_ms", "snapshot", "db", "table");
    private static final FieldValues.Names TRANSACTION = FieldValues.Names.of("id", "total_order", "data_collection_order");
    private static final FieldValues.Names WRAPPER = FieldValues.Names.of(ChangeSchemas.WRAPPER_METADATA, ChangeSchemas.WRAPPER_KEY,
            ChangeSchemas.WRAPPER_VALUE);
    private static final FieldValues.Names METADATA = FieldValues.Names.of(ChangeSchemas.METADATA_TOPIC, ChangeSchemas.METADATA_PARTITION);
    /** The fields the flattened shape adds after the columns, before the source kind's position fields. */
    private static final List<String> FLATTENED_SHARED = List.of(ChangeSchemas.OP, ChangeSchemas.DELETED, ChangeSchemas.TS_MS,
            ChangeSchemas.SOURCE_TS_MS, ChangeSchemas.DB, ChangeSchemas.TABLE);

    private final OutputShape shape;
    private final SourceFields<?> sourceFields;
    private final FieldValues.Names sourceNames;
    private final List<String> flattenedExtra;
    private final String topicPrefix;
    private final BiFunction<TableSchema, Schema, SchemaIdentifier> identifiers;
    /** Set when the topic names the records' registry subjects or destination: two tables must not share one then. */
    private final TopicOwners topicOwners;
    private final Map<TableSchema, TablePlan> plans = new ConcurrentHashMap<>();
    /** Plans of TRUNCATE records, which carry no row: in the flattened and Kafka wrapper shapes their schema differs. */
    private final Map<TableSchema, TablePlan> truncatePlans = new ConcurrentHashMap<>();
    private volatile RecordSchema schemaChangeSchema;
    /** The plan of the last table asked for: consecutive events of one table skip hashing the table schema. */
    private volatile TablePlan lastPlan;

    /**
     * Everything about one table schema that every record of it shares, worked out once: the record schema records are
     * written with, its nested record schemas, the Avro field name of each column, and the registry identifiers.
     */
    private static final class TablePlan {
        final TableSchema table;
        final String topic;
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
        final FieldValues.Names rowNames;
        final FieldValues.Names flattenedNames;
        final FieldValues.Names keyNames;

        TablePlan(TableSchema table, String topic, RecordSchema record, SchemaIdentifier value, SchemaIdentifier key, OutputShape shape,
                  List<String> flattenedExtra) {
            this.table = table;
            this.topic = topic;
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
            rowNames = new FieldValues.Names(List.of(fieldNames));
            flattenedNames = new FieldValues.Names(Stream.concat(Stream.of(fieldNames), flattenedExtra.stream()).toList());
            keyNames = new FieldValues.Names(IntStream.of(keyColumns).mapToObj(i -> fieldNames[i]).toList());
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
     * @param sourceFields the layout of the source blocks of every event this factory gets (one kind of source)
     * @param identifiers  gives the schema identifier (e.g. registry id and version) of each derived value schema;
     *                     return {@link SchemaIdentifier#EMPTY} when there is no registry. When it is a
     *                     {@link SchemaIdentifiers}, its {@link SchemaIdentifiers#keyIdentifier key identifiers} are used too.
     *                     With a registry, or in the Kafka wrapper shape, the topic names subjects and destinations: a
     *                     table whose topic another table already has is then refused ({@link TopicOwners}).
     */
    public ChangeRecordFactory(OutputShape shape, SourceFields<?> sourceFields, String topicPrefix,
                               BiFunction<TableSchema, Schema, SchemaIdentifier> identifiers) {
        this.shape = shape;
        this.sourceFields = sourceFields;
        this.topicPrefix = topicPrefix == null ? "" : topicPrefix;
        this.identifiers = identifiers;
        this.topicOwners = shape == OutputShape.KAFKA_WRAPPER || identifiers != SchemaIdentifiers.NONE ? new TopicOwners(this.topicPrefix) : null;
        this.sourceNames = new FieldValues.Names(Stream.concat(SOURCE_SHARED.stream(),
                sourceFields.envelopeFields().stream().map(SourceFields.Field::name)).toList());
        this.flattenedExtra = Stream.concat(FLATTENED_SHARED.stream(),
                sourceFields.flattenedFields().stream().map(SourceFields.Field::name)).toList();
    }

    public ChangeRecordFactory(OutputShape shape, SourceFields<?> sourceFields, String topicPrefix) {
        this(shape, sourceFields, topicPrefix, SchemaIdentifiers.NONE);
    }

    /** The record schema every record of {@code table} is written with. */
    public RecordSchema recordSchema(TableSchema table) {
        return plan(table).record;
    }

    /**
     * The record schema of {@code table}'s change records, or of its TRUNCATE records when {@code truncate}: the same
     * envelope; in the flattened shape only the metadata fields, in the Kafka wrapper shape no key.
     */
    public RecordSchema recordSchema(TableSchema table, boolean truncate) {
        return plan(table, truncate).record;
    }

    /**
     * The registry identifier of the value schema of {@code table} (the envelope or flattened row; for the Kafka wrapper
     * the envelope in its {@code value} field), or {@link SchemaIdentifier#EMPTY} without a registry.
     */
    public SchemaIdentifier valueSchemaIdentifier(TableSchema table) {
        return plan(table).value;
    }

    /** As {@link #valueSchemaIdentifier(TableSchema)}, for TRUNCATE records when {@code truncate}. */
    public SchemaIdentifier valueSchemaIdentifier(TableSchema table, boolean truncate) {
        return plan(table, truncate).value;
    }

    /** The registry identifier of the key schema of {@code table}, or {@link SchemaIdentifier#EMPTY}. */
    public SchemaIdentifier keySchemaIdentifier(TableSchema table) {
        return plan(table).key;
    }

    /** As {@link #keySchemaIdentifier(TableSchema)}; TRUNCATE records have no key. */
    public SchemaIdentifier keySchemaIdentifier(TableSchema table, boolean truncate) {
        return truncate ? SchemaIdentifier.EMPTY : plan(table).key;
    }

    /** The record schema of schema-change records ({@link ChangeSchemas#schemaChange}), embedded, without registry id. */
    public RecordSchema schemaChangeSchema() {
        RecordSchema schema = schemaChangeSchema;
        if (schema == null) {
            Schema avro = ChangeSchemas.schemaChange(sourceFields);
            schema = AvroTypeUtil.createSchema(avro, avro.toString(), SchemaIdentifier.EMPTY);
            schemaChangeSchema = schema;
        }
        return schema;
    }

    /** The record of a schema change. */
    public Record toRecord(SchemaChange change) {
        RecordSchema schema = schemaChangeSchema();
        RecordSchema tableChange = elementSchema(schema, "tableChanges");
        RecordSchema column = elementSchema(tableChange, "columns");
        Object[] tables = new Object[change.tables().size()];
        for (int t = 0; t < tables.length; t++) {
            SchemaChange.TableChange table = change.tables().get(t);
            Object[] columns = null;
            if (table.columns() != null) {
                columns = new Object[table.columns().size()];
                for (int c = 0; c < columns.length; c++) {
                    SchemaChange.Column col = table.columns().get(c);
                    columns[c] = new MapRecord(column, Map.of("name", col.name(), "typeName", col.typeName(), "optional", col.optional()));
                }
            }
            Map<String, Object> values = new java.util.HashMap<>();
            values.put("id", table.id());
            values.put("columns", columns);
            values.put("primaryKeyColumnNames", table.primaryKey() == null ? null : table.primaryKey().toArray());
            tables[t] = new MapRecord(tableChange, values);
        }
        Map<String, Object> values = new java.util.HashMap<>();
        values.put("source", source(change.source(), childSchema(schema, "source")));
        values.put("ts_ms", change.tsMs());
        values.put("databaseName", change.database());
        values.put("ddl", change.ddl());
        values.put("type", change.type());
        values.put("tableChanges", tables);
        return new MapRecord(schema, values);
    }

    /** The Avro schema of this factory's output shape for {@code table}. */
    public Schema avroSchema(TableSchema table) {
        return switch (shape) {
            case ENVELOPE -> ChangeSchemas.envelope(table, topicPrefix, sourceFields);
            case FLATTENED -> ChangeSchemas.flattened(table, topicPrefix, sourceFields);
            case KAFKA_WRAPPER -> ChangeSchemas.kafkaWrapper(table, topicPrefix, sourceFields);
        };
    }

    private TablePlan plan(TableSchema table, boolean truncate) {
        return truncate && shape != OutputShape.ENVELOPE ? truncatePlans.computeIfAbsent(table, this::newTruncatePlan) : plan(table);
    }

    private TablePlan newTruncatePlan(TableSchema table) {
        TablePlan rows = plan(table); // claims the table's topic, as its rows do
        if (shape == OutputShape.FLATTENED) {
            Schema avro = ChangeSchemas.flattenedTruncate(table, topicPrefix, sourceFields);
            SchemaIdentifier value = identifiers.apply(table, avro);
            TableSchema noColumns = new TableSchema(table.database(), table.table(), List.of(), List.of());
            return new TablePlan(noColumns, rows.topic, AvroTypeUtil.createSchema(avro, avro.toString(), value), value,
                    SchemaIdentifier.EMPTY, shape, flattenedExtra);
        }
        Schema avro = ChangeSchemas.kafkaWrapperWithoutKey(table, topicPrefix, sourceFields);
        return new TablePlan(table, rows.topic, AvroTypeUtil.createSchema(avro, avro.toString(), SchemaIdentifier.EMPTY), rows.value,
                SchemaIdentifier.EMPTY, shape, flattenedExtra);
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
        if (topicOwners != null) {
            topicOwners.claim(table); // before anything of the table is registered
        }
        String topic = ChangeTopics.of(topicPrefix, table);
        Schema avro = avroSchema(table);
        SchemaIdentifier key = identifiers instanceof SchemaIdentifiers keyed ? keyed.keyIdentifier(table) : SchemaIdentifier.EMPTY;
        if (shape == OutputShape.KAFKA_WRAPPER) {
            // The registry holds the envelope (the Kafka value) and the key; the wrapper itself is only the FlowFile's
            // schema, so it carries no registry identifier: write it with an embedded schema.
            SchemaIdentifier value = identifiers.apply(table, ChangeSchemas.envelope(table, topicPrefix, sourceFields));
            return new TablePlan(table, topic, AvroTypeUtil.createSchema(avro, avro.toString(), SchemaIdentifier.EMPTY), value, key, shape,
                    flattenedExtra);
        }
        SchemaIdentifier value = identifiers.apply(table, avro);
        return new TablePlan(table, topic, AvroTypeUtil.createSchema(avro, avro.toString(), value), value, key, shape, flattenedExtra);
    }

    /** The one record of {@code event}; for the Kafka wrapper shape, the first of {@link #toRecords}. */
    public Record toRecord(ChangeEvent event) {
        return toRecords(event).get(0);
    }

    /**
     * The records of {@code event}: one, except for a delete in the Kafka wrapper shape of a table with a primary key,
     * which is followed by its tombstone (same key, null value), as Debezium does by default. A truncate has no key (it
     * is about no single row); in the flattened shape its record has only the metadata fields.
     */
    public List<Record> toRecords(ChangeEvent event) {
        TablePlan plan = plan(event.schema(), event.op() == Operation.TRUNCATE);
        return switch (shape) {
            case ENVELOPE -> List.of(envelope(event, plan));
            case FLATTENED -> List.of(flattened(event, plan));
            case KAFKA_WRAPPER -> kafkaWrapper(event, plan);
        };
    }

    private List<Record> kafkaWrapper(ChangeEvent event, TablePlan plan) {
        FieldValues metadata = METADATA.newValues()
                .set(0, plan.topic)
                .set(1, null);
        Record key = plan.wrapperKey != null && event.op() != Operation.TRUNCATE ? key(event, plan) : null;
        Record value = envelope(event, plan);
        Record change = new MapRecord(plan.record, WRAPPER.newValues().set(0, new NestedRecord(plan.wrapperMetadata, metadata)).set(1, key).set(2, value));
        if (event.op() != Operation.DELETE || key == null) {
            return List.of(change);
        }
        Record tombstone = new MapRecord(plan.record, WRAPPER.newValues().set(0, change.getValue(ChangeSchemas.WRAPPER_METADATA)).set(1, key).set(2, null));
        return List.of(change, tombstone);
    }

    /** The primary-key values of the after-image, or of the before-image for a delete. */
    private static Record key(ChangeEvent event, TablePlan plan) {
        List<ColumnSchema> columns = plan.table.columns();
        Object[] image = event.after() != null ? event.after() : event.before();
        FieldValues values = plan.keyNames.newValues();
        for (int k = 0; k < plan.keyColumns.length; k++) {
            int index = plan.keyColumns[k];
            values.set(k, recordValue(columns.get(index), image[index]));
        }
        return new NestedRecord(plan.wrapperKey, values);
    }

    private Record envelope(ChangeEvent event, TablePlan plan) {
        ChangeEvent.TransactionInfo tx = event.transaction();
        FieldValues values = ENVELOPE.newValues()
                .set(0, event.before() == null ? null : new NestedRecord(plan.row, rowValues(plan, plan.rowNames, event.before())))
                .set(1, event.after() == null ? null : new NestedRecord(plan.row, rowValues(plan, plan.rowNames, event.after())))
                .set(2, source(event.source(), plan.source))
                .set(3, tx == null ? null : new NestedRecord(plan.transaction, TRANSACTION.newValues()
                        .set(0, tx.id()).set(1, tx.totalOrder()).set(2, tx.dataCollectionOrder())))
                .set(4, event.op().code())
                .set(5, event.tsMs());
        return plan.envelope == plan.record ? new MapRecord(plan.record, values) : new NestedRecord(plan.envelope, values);
    }

    private Record flattened(ChangeEvent event, TablePlan plan) {
        boolean deleted = event.after() == null;
        FieldValues values = rowValues(plan, plan.flattenedNames, deleted ? event.before() : event.after());
        SourceInfo source = event.source();
        int extra = plan.fieldNames.length;
        values.set(extra, event.op().code())
                .set(extra + 1, Boolean.toString(deleted))
                .set(extra + 2, event.tsMs())
                .set(extra + 3, source.tsMs())
                .set(extra + 4, source.db())
                .set(extra + 5, source.table());
        for (int i = 0; i < sourceFields.flattenedFields().size(); i++) {
            values.set(extra + 6 + i, sourceFields.flattenedValue(i, source));
        }
        return new MapRecord(plan.record, values);
    }

    /** The record value of each column, in the first positions of {@code names}. */
    private static FieldValues rowValues(TablePlan plan, FieldValues.Names names, Object[] row) {
        List<ColumnSchema> columns = plan.table.columns();
        FieldValues values = names.newValues();
        for (int i = 0; i < plan.fieldNames.length; i++) {
            ColumnSchema column = columns.get(i);
            Object value = row[i];
            values.set(i, plan.temporalText[i] && value != null
                    ? TemporalText.format(column.kind(), ((Number) value).longValue())
                    : recordValue(column, value));
        }
        return values;
    }

    private Record source(SourceInfo source, RecordSchema schema) {
        FieldValues values = sourceNames.newValues()
                .set(0, VERSION)
                .set(1, source.connector())
                .set(2, source.name())
                .set(3, source.tsMs())
                .set(4, source.snapshot())
                .set(5, source.db())
                .set(6, source.table());
        int shared = SOURCE_SHARED.size();
        for (int i = 0; i < sourceFields.envelopeFields().size(); i++) {
            values.set(shared + i, sourceFields.envelopeValue(i, source));
        }
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

    /** The record schema of the elements of an array field (also inside a {@code ["null", array]} union). */
    private static RecordSchema elementSchema(RecordSchema parent, String field) {
        DataType type = parent.getField(field).orElseThrow().getDataType();
        if (type instanceof ChoiceDataType choice) {
            type = choice.getPossibleSubTypes().stream().filter(ArrayDataType.class::isInstance).findFirst().orElseThrow();
        }
        return ((RecordDataType) ((ArrayDataType) type).getElementType()).getChildSchema();
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
