package dev.nificdc.cdc.emit;

import dev.nificdc.cdc.binlog.BinlogSourceInfo;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ChangeSchemas;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.cdc.record.TableSchema;
import dev.nificdc.cdc.record.ValueKind;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Writes change records through NiFi's real AvroRecordSetWriter and reads them back with Avro's own library. */
class ChangeFlowFileWriterTest {
    private static final TableSchema TABLE = new TableSchema("shop", "order items", List.of(
            ColumnSchema.of("id", ValueKind.LONG, false, "bigint"),
            ColumnSchema.decimal("amount", 65, 30, true, "decimal(65,30)"),
            ColumnSchema.of("created", ValueKind.LOCAL_TIMESTAMP_MICROS, true, "datetime(6)"),
            ColumnSchema.of("changed", ValueKind.TIMESTAMP_MICROS, true, "timestamp(6)"),
            ColumnSchema.of("duration", ValueKind.TIME_MICROS, true, "time(6)"),
            ColumnSchema.of("day", ValueKind.DATE, true, "date"),
            ColumnSchema.of("blob", ValueKind.BYTES, true, "blob"),
            ColumnSchema.of("1st name", ValueKind.STRING, true, "varchar(20)")), List.of("id"));

    private static final long DATETIME_MICROS = LocalDateTime.of(1001, 2, 3, 4, 5, 6, 123_456_000).toInstant(ZoneOffset.UTC).toEpochMilli() * 1000 + 456;
    private static final long TIMESTAMP_MICROS = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse("2038-01-19T03:14:07.999999Z"));
    private static final long TIME_MICROS = -((838L * 3600 + 59 * 60 + 59) * 1_000_000 + 999_999);
    private static final BigDecimal AMOUNT = new BigDecimal("12345678901234567890123456789012345.123456789012345678901234567891");

    @Test
    void envelopeKeepsEveryMicrosecondAndExactDecimals() throws Exception {
        Object[] before = {7L, AMOUNT, DATETIME_MICROS, TIMESTAMP_MICROS, TIME_MICROS, (int) LocalDate.of(1000, 1, 1).toEpochDay(),
                new byte[]{0, (byte) 0xFF, 0x7F}, "Zoë"};
        Object[] after = {7L, null, null, null, null, null, null, null};
        ChangeEvent update = new ChangeEvent(Operation.UPDATE, TABLE, before, after,
                new BinlogSourceInfo("mariadb", "prod", 1, 1000L, "false", "shop", "order items", "mysql-bin.000003", 4711, 0, "0-1-42", 9L),
                2000L, new ChangeEvent.TransactionInfo("0-1-42", 1, 1));

        List<GenericRecord> records = writeAndRead(OutputShape.ENVELOPE, List.of(update));
        assertEquals(1, records.size());
        GenericRecord envelope = records.get(0);
        assertEquals("u", envelope.get("op").toString());
        GenericRecord beforeRow = (GenericRecord) envelope.get("before");
        assertEquals(7L, beforeRow.get("id"));
        Schema amountSchema = beforeRow.getSchema().getField("amount").schema().getTypes().get(1);
        assertEquals(AMOUNT, new Conversions.DecimalConversion().fromBytes((ByteBuffer) beforeRow.get("amount"), amountSchema,
                LogicalTypes.decimal(65, 30)));
        assertEquals(DATETIME_MICROS, beforeRow.get("created"));
        assertEquals(TIMESTAMP_MICROS * 1000, beforeRow.get("changed"));
        assertEquals(TIME_MICROS, beforeRow.get("duration"));
        assertEquals((int) LocalDate.of(1000, 1, 1).toEpochDay(), beforeRow.get("day"));
        ByteBuffer blob = (ByteBuffer) beforeRow.get("blob");
        byte[] bytes = new byte[blob.remaining()];
        blob.get(bytes);
        assertArrayEquals(new byte[]{0, (byte) 0xFF, 0x7F}, bytes);
        assertEquals("Zoë", beforeRow.get("_1st_name").toString());
        assertNull(((GenericRecord) envelope.get("after")).get("created"));
        GenericRecord source = (GenericRecord) envelope.get("source");
        assertEquals("mysql-bin.000003", source.get("file").toString());
        assertEquals(4711L, source.get("pos"));
        assertEquals("0-1-42", ((GenericRecord) envelope.get("transaction")).get("id").toString());
        assertEquals("timestamp-nanos", envelope.getSchema().getField("after").schema().getTypes().get(1)
                .getField("changed").schema().getTypes().get(1).getLogicalType().getName());
    }

    @Test
    void operationMixCountsEveryOperationInEnumOrder() {
        BinlogSourceInfo source = new BinlogSourceInfo("mariadb", "prod", 1, 1000L, "false", "shop", "order items", "f", 4, 0, null, null);
        Object[] row = {1L, null, null, null, null, null, null, null};
        List<ChangeEvent> events = new ArrayList<>();
        for (Operation op : List.of(Operation.UPDATE, Operation.CREATE, Operation.UPDATE, Operation.DELETE, Operation.UPDATE)) {
            events.add(new ChangeEvent(op, TABLE, op == Operation.CREATE ? null : row, op == Operation.DELETE ? null : row, source, 0L, null));
        }
        assertEquals("c=1,u=3,d=1,r=0,t=0", ChangeFlowFileWriter.operationMix(events));
    }

    @Test
    void flattenedDeleteCarriesTheBeforeImageAndDeletedFlag() throws Exception {
        Object[] before = {9L, BigDecimal.ONE.setScale(30), null, null, null, null, null, "x"};
        ChangeEvent delete = new ChangeEvent(Operation.DELETE, TABLE, before, null,
                new BinlogSourceInfo("mariadb", "prod", 1, 1000L, "false", "shop", "order items", "mysql-bin.000003", 99, 2, null, null),
                2000L, null);
        GenericRecord row = writeAndRead(OutputShape.FLATTENED, List.of(delete)).get(0);
        assertEquals(9L, row.get("id"));
        assertEquals("d", row.get("__op").toString());
        assertEquals("true", row.get("__deleted").toString());
        assertEquals(99L, row.get("__pos"));
        assertEquals(2, row.get("__row"));
    }

    @Test
    void kafkaWrapperCarriesTopicKeyAndEnvelopeAndFollowsADeleteWithATombstone() throws Exception {
        BinlogSourceInfo source = new BinlogSourceInfo("mariadb", "prod", 1, 1000L, "false", "shop", "order items", "mysql-bin.000003", 99, 0, null, null);
        Object[] seven = {7L, BigDecimal.ONE.setScale(30), DATETIME_MICROS, TIMESTAMP_MICROS, null, null, null, "a"};
        Object[] nine = {9L, null, null, null, null, null, null, "b"};
        ChangeEvent create = new ChangeEvent(Operation.CREATE, TABLE, null, seven, source, 2000L, null);
        ChangeEvent delete = new ChangeEvent(Operation.DELETE, TABLE, nine, null, source, 2001L, null);

        List<GenericRecord> records = writeAndRead(OutputShape.KAFKA_WRAPPER, List.of(create, delete), 3);
        Schema wrapper = records.get(0).getSchema();
        assertEquals(List.of("metadata", "key", "value"), wrapper.getFields().stream().map(Schema.Field::name).toList());
        assertEquals(Schema.createUnion(Schema.create(Schema.Type.NULL), ChangeSchemas.key(TABLE, "prod")), wrapper.getField("key").schema(),
                "key field holds exactly the registered key schema, or null (for a truncate)");
        assertEquals(Schema.createUnion(Schema.create(Schema.Type.NULL), ChangeSchemas.envelope(TABLE, "prod", BinlogSourceInfo.FIELDS)), wrapper.getField("value").schema(),
                "value field holds exactly the registered envelope schema, or null");

        GenericRecord created = records.get(0);
        assertEquals("prod.shop.order_items", ((GenericRecord) created.get("metadata")).get("topic").toString(), "a legal Kafka topic");
        assertNull(((GenericRecord) created.get("metadata")).get("partition"), "null partition: PublishKafka's partitioner decides");
        assertEquals(7L, ((GenericRecord) created.get("key")).get("id"));
        GenericRecord envelope = (GenericRecord) created.get("value");
        assertEquals("c", envelope.get("op").toString());
        GenericRecord after = (GenericRecord) envelope.get("after");
        assertEquals(DATETIME_MICROS, after.get("created"));
        assertEquals(TIMESTAMP_MICROS * 1000, after.get("changed"));

        GenericRecord deleted = records.get(1);
        assertEquals(9L, ((GenericRecord) deleted.get("key")).get("id"), "a delete is keyed by its before-image");
        assertEquals("d", ((GenericRecord) deleted.get("value")).get("op").toString());
        GenericRecord tombstone = records.get(2);
        assertEquals(9L, ((GenericRecord) tombstone.get("key")).get("id"));
        assertNull(tombstone.get("value"), "the tombstone after a delete has a null value");
    }

    @Test
    void aTruncateHasNoImagesNoKeyInTheKafkaWrapperAndOnlyMetadataWhenFlattened() throws Exception {
        BinlogSourceInfo source = new BinlogSourceInfo("mariadb", "prod", 1, 1000L, "false", "shop", "order items", "mysql-bin.000003", 7, 0, null, null);
        ChangeEvent truncate = new ChangeEvent(Operation.TRUNCATE, TABLE, null, null, source, 2000L, null);

        GenericRecord envelope = writeAndRead(OutputShape.ENVELOPE, List.of(truncate), 1).get(0);
        assertEquals("t", envelope.get("op").toString());
        assertNull(envelope.get("before"));
        assertNull(envelope.get("after"));
        GenericRecord wrapped = writeAndRead(OutputShape.KAFKA_WRAPPER, List.of(truncate), 1).get(0);
        assertNull(wrapped.getSchema().getField("key"), "a truncate is about no single row: no key, as Debezium sends it");
        assertEquals("t", ((GenericRecord) wrapped.get("value")).get("op").toString());
        GenericRecord flattened = writeAndRead(OutputShape.FLATTENED, List.of(truncate), 1).get(0);
        assertEquals("t", flattened.get("__op").toString());
        assertNull(flattened.getSchema().getField("id"), "a flattened truncate has no row columns");
        assertEquals("c=0,u=0,d=0,r=0,t=1", ChangeFlowFileWriter.operationMix(List.of(truncate)));
    }

    @Test
    void kafkaWrapperOfATableWithoutPrimaryKeyHasNoKeyFieldAndNoTombstone() throws Exception {
        TableSchema noKey = new TableSchema("shop", "order items", List.of(ColumnSchema.of("note", ValueKind.STRING, true, "text")), List.of());
        BinlogSourceInfo source = new BinlogSourceInfo("mariadb", "prod", 1, 1000L, "false", "shop", "order items", "mysql-bin.000003", 5, 0, null, null);
        ChangeEvent delete = new ChangeEvent(Operation.DELETE, noKey, new Object[]{"x"}, null, source, 2000L, null);

        List<GenericRecord> records = writeAndRead(OutputShape.KAFKA_WRAPPER, List.of(delete), 1);
        assertNull(records.get(0).getSchema().getField("key"));
        assertEquals("x", ((GenericRecord) ((GenericRecord) records.get(0).get("value")).get("before")).get("note").toString());
    }

    @Test
    void keyFieldsNameTheRecordFieldsOfTheKeyInKeyOrder() {
        TableSchema twoColumnKey = new TableSchema("shop", "order items", TABLE.columns(), List.of("1st name", "id"));
        BinlogSourceInfo source = new BinlogSourceInfo("mariadb", "prod", 1, 1000L, "false", "shop", "order items", "mysql-bin.000003", 5, 0, null, null);
        Object[] row = {7L, null, null, null, null, null, null, "Ada"};
        ChangeEvent delete = new ChangeEvent(Operation.DELETE, twoColumnKey, row, null, source, 2000L, null);
        TableSchema noKey = new TableSchema("shop", "notes", List.of(ColumnSchema.of("note", ValueKind.STRING, true, "text")), List.of());
        ChangeEvent insert = new ChangeEvent(Operation.CREATE, noKey, null, new Object[]{"x"}, source, 2000L, null);

        assertEquals("_1st_name,id", written(OutputShape.FLATTENED, delete).getAttribute(ChangeFlowFileWriter.ATTR_KEY_FIELDS),
                "sanitised like the record's fields, in key order: PutDatabaseRecord's Delete Keys compares record field names");
        assertEquals("", written(OutputShape.FLATTENED, insert).getAttribute(ChangeFlowFileWriter.ATTR_KEY_FIELDS));
    }

    private static MockFlowFile written(OutputShape shape, ChangeEvent event) {
        TestRunner runner = TestRunners.newTestRunner(new WritingProcessor(shape, List.of(event)));
        AvroRecordSetWriter writer = new AvroRecordSetWriter();
        try {
            runner.addControllerService("writer", writer);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        runner.setProperty(writer, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, "inherit-record-schema");
        runner.enableControllerService(writer);
        runner.setProperty(WritingProcessor.WRITER, "writer");
        runner.run();
        return runner.getFlowFilesForRelationship(WritingProcessor.SUCCESS).get(0);
    }

    private static List<GenericRecord> writeAndRead(OutputShape shape, List<ChangeEvent> events) throws Exception {
        return writeAndRead(shape, events, events.size());
    }

    private static List<GenericRecord> writeAndRead(OutputShape shape, List<ChangeEvent> events, int expectedRecords) throws Exception {
        WritingProcessor processor = new WritingProcessor(shape, events);
        TestRunner runner = TestRunners.newTestRunner(processor);
        AvroRecordSetWriter writer = new AvroRecordSetWriter();
        runner.addControllerService("writer", writer);
        runner.setProperty(writer, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, "inherit-record-schema");
        runner.enableControllerService(writer);
        runner.setProperty(WritingProcessor.WRITER, "writer");
        runner.run();
        runner.assertAllFlowFilesTransferred(WritingProcessor.SUCCESS, 1);
        MockFlowFile flowFile = runner.getFlowFilesForRelationship(WritingProcessor.SUCCESS).get(0);
        flowFile.assertAttributeEquals("record.count", String.valueOf(expectedRecords));
        flowFile.assertAttributeNotExists(ChangeFlowFileWriter.ATTR_VALUE_SCHEMA_VERSION);
        flowFile.assertAttributeNotExists(ChangeFlowFileWriter.ATTR_KEY_SCHEMA_VERSION);
        flowFile.assertAttributeEquals(ChangeFlowFileWriter.ATTR_TOPIC, "prod.shop.order_items");
        List<GenericRecord> records = new ArrayList<>();
        try (DataFileStream<GenericRecord> in = new DataFileStream<>(new ByteArrayInputStream(flowFile.toByteArray()), new GenericDatumReader<>())) {
            in.forEach(records::add);
        }
        assertEquals(expectedRecords, records.size());
        return records;
    }

    /** The smallest processor that hands events to the writer, so the real NiFi writer runs in a real session. */
    static final class WritingProcessor extends AbstractProcessor {
        static final PropertyDescriptor WRITER = new PropertyDescriptor.Builder().name("Record Writer")
                .identifiesControllerService(RecordSetWriterFactory.class).required(true).build();
        static final Relationship SUCCESS = new Relationship.Builder().name("success").build();
        private final OutputShape shape;
        private final List<ChangeEvent> events;

        WritingProcessor(OutputShape shape, List<ChangeEvent> events) {
            this.shape = shape;
            this.events = events;
        }

        @Override
        protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
            return List.of(WRITER);
        }

        @Override
        public Set<Relationship> getRelationships() {
            return Set.of(SUCCESS);
        }

        @Override
        public void onTrigger(ProcessContext context, ProcessSession session) {
            RecordSetWriterFactory factory = context.getProperty(WRITER).asControllerService(RecordSetWriterFactory.class);
            ChangeFlowFileWriter writer = new ChangeFlowFileWriter(factory, new ChangeRecordFactory(shape, events.get(0).source().fields(), "prod"), "prod", getLogger());
            FlowFile flowFile = writer.write(session, events);
            session.transfer(flowFile, SUCCESS);
        }
    }
}
