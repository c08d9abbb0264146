package dev.nificdc.cdc.kafka;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.serialization.RecordReader;
import org.apache.nifi.serialization.RecordReaderFactory;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.PushBackRecordSet;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.RecordSet;
import org.apache.nifi.util.MockFlowFile;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Publishes a FlowFile of change records to Kafka, one message per record, the way NiFi 2's {@code PublishKafka} does
 * with a Record Reader and a Record Writer ("Publish Strategy" = "Use Content as Record Value"); NiFi's Kafka NAR is
 * not available to the build, so this test class does the same steps with the same NiFi record services:
 * <ul>
 *   <li>{@code RecordStreamKafkaRecordConverter}: the Record Reader reads the FlowFile; the Record Writer's schema is
 *       {@code writerFactory.getSchema(attributes, recordSet.getSchema())}; ONE writer is created for the FlowFile and
 *       each record is written with {@code write(record)}, {@code flush()}, then the buffer is taken and reset
 *       ({@code RecordValueFactory}). No {@code beginRecordSet()}: NiFi's Avro writer with a Schema Reference Writer then
 *       writes the schema reference (here the Confluent header) in front of every record.</li>
 *   <li>{@code MessageKeyFactory}/{@code RecordFieldConverter}: a key that is a record is written by the "Record Key
 *       Writer" with {@code keyWriterFactory.getSchema(attributes, key.getSchema())} and one {@code write}+{@code flush}.</li>
 * </ul>
 * The one step PublishKafka cannot do with our Debezium-style envelope is taking the key record: its "Message Key Field"
 * names a top-level field, and the envelope's primary-key columns sit inside {@code after} (or {@code before} for a
 * delete). This publisher projects the key from that image onto the key schema the Record Key Writer resolves from the
 * registry (subject {@code <topic>-key}); see {@link #keyRecord(Record, RecordSchema)}.
 *
 * <p>{@link Strategy#USE_WRAPPER} mirrors PublishKafka's "Publish Strategy" = "Use Wrapper" instead
 * ({@code RecordWrapperStreamKafkaRecordConverter} with {@code RecordFieldConverter}), which is what the Output Shape
 * "Kafka Record Wrapper" is for: per record read from the FlowFile, the field {@code key} (a record) is written by the
 * Record Key Writer and the field {@code value} by the Record Writer, each with a NEW writer
 * ({@code getSchema(flowFile attributes, field schema)}, {@code createWriter}, one {@code write}, {@code flush}); a null
 * field gives a null key or value (a tombstone); {@code headers}, when present, must be a record and each field becomes a
 * UTF-8 header; with "Record Metadata Strategy" = "Metadata From Record" the topic and partition come from the
 * {@code metadata} record, a null one falling back to "Topic Name" ({@code ${cdc.topic}}) and the partitioner.</p>
 */
final class RecordPublisher {
    /** The FlowFile attribute holding the suggested topic, as PublishKafka's "Topic Name" = {@code ${cdc.topic}}. */
    static final String TOPIC_ATTRIBUTE = "cdc.topic";

    /** PublishKafka's "Publish Strategy". */
    enum Strategy {
        /** "Use Content as Record Value", the key projected from the envelope (see the class comment). */
        USE_VALUE,
        /** "Use Wrapper" with "Record Metadata Strategy" = "Metadata From Record". */
        USE_WRAPPER
    }

    private final Strategy strategy;
    private final RecordReaderFactory readerFactory;
    private final RecordSetWriterFactory writerFactory;
    private final RecordSetWriterFactory keyWriterFactory;
    private final Producer<byte[], byte[]> producer;
    private final ComponentLog logger;

    RecordPublisher(RecordReaderFactory readerFactory, RecordSetWriterFactory writerFactory, RecordSetWriterFactory keyWriterFactory,
                    Producer<byte[], byte[]> producer, ComponentLog logger) {
        this(Strategy.USE_VALUE, readerFactory, writerFactory, keyWriterFactory, producer, logger);
    }

    RecordPublisher(Strategy strategy, RecordReaderFactory readerFactory, RecordSetWriterFactory writerFactory,
                    RecordSetWriterFactory keyWriterFactory, Producer<byte[], byte[]> producer, ComponentLog logger) {
        this.strategy = strategy;
        this.readerFactory = readerFactory;
        this.writerFactory = writerFactory;
        this.keyWriterFactory = keyWriterFactory;
        this.producer = producer;
        this.logger = logger;
    }

    /** Sends every record of the FlowFile and waits until Kafka acknowledged each; returns the acknowledgements in order. */
    List<RecordMetadata> publish(MockFlowFile flowFile) throws Exception {
        if (strategy == Strategy.USE_WRAPPER) {
            return publishWrapped(flowFile);
        }
        Map<String, String> attributes = flowFile.getAttributes();
        String topic = attributes.get(TOPIC_ATTRIBUTE);
        if (topic == null) {
            throw new IllegalArgumentException("FlowFile has no " + TOPIC_ATTRIBUTE + " attribute");
        }
        byte[] content = flowFile.toByteArray();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (RecordReader reader = readerFactory.createRecordReader(attributes, new ByteArrayInputStream(content), content.length, logger)) {
            RecordSet recordSet = reader.createRecordSet();
            RecordSchema valueSchema = writerFactory.getSchema(attributes, recordSet.getSchema());
            RecordSchema keySchema = keyWriterFactory.getSchema(attributes, null);
            ByteArrayOutputStream valueBuffer = new ByteArrayOutputStream();
            try (RecordSetWriter writer = writerFactory.createWriter(logger, valueSchema, valueBuffer, attributes)) {
                PushBackRecordSet records = new PushBackRecordSet(recordSet);
                while (records.isAnotherRecord()) {
                    Record record = records.next();
                    byte[] key = keyBytes(keyRecord(record, keySchema), attributes);
                    writer.write(record);
                    writer.flush();
                    byte[] value = valueBuffer.toByteArray();
                    valueBuffer.reset();
                    sent.add(producer.send(new ProducerRecord<>(topic, key, value)));
                }
            }
        }
        producer.flush();
        List<RecordMetadata> acknowledged = new ArrayList<>();
        for (Future<RecordMetadata> future : sent) {
            acknowledged.add(future.get(30, TimeUnit.SECONDS));
        }
        return acknowledged;
    }

    private List<RecordMetadata> publishWrapped(MockFlowFile flowFile) throws Exception {
        Map<String, String> attributes = flowFile.getAttributes();
        String topicProperty = attributes.get(TOPIC_ATTRIBUTE);
        byte[] content = flowFile.toByteArray();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (RecordReader reader = readerFactory.createRecordReader(attributes, new ByteArrayInputStream(content), content.length, logger)) {
            PushBackRecordSet records = new PushBackRecordSet(reader.createRecordSet());
            while (records.isAnotherRecord()) {
                Record wrapper = records.next();
                byte[] key = fieldBytes(wrapper, "key", keyWriterFactory, attributes);
                byte[] value = fieldBytes(wrapper, "value", writerFactory, attributes);
                List<Header> headers = new ArrayList<>();
                MapRecord headersRecord = (MapRecord) wrapper.getValue("headers");
                if (headersRecord != null) {
                    headersRecord.toMap().forEach((name, header) -> headers.add(new RecordHeader(name, header.toString().getBytes(StandardCharsets.UTF_8))));
                }
                MapRecord metadata = (MapRecord) wrapper.getValue("metadata");
                String topic = metadata.getAsString("topic");
                Integer partition = metadata.getAsInt("partition");
                sent.add(producer.send(new ProducerRecord<>(topic == null ? topicProperty : topic, partition, null, key, value, headers)));
            }
        }
        producer.flush();
        List<RecordMetadata> acknowledged = new ArrayList<>();
        for (Future<RecordMetadata> future : sent) {
            acknowledged.add(future.get(30, TimeUnit.SECONDS));
        }
        return acknowledged;
    }

    /** {@code RecordFieldConverter.toBytes}: null stays null, a record is written by a new writer of {@code factory}, text as UTF-8. */
    private byte[] fieldBytes(Record wrapper, String field, RecordSetWriterFactory factory, Map<String, String> attributes) throws Exception {
        Object value = wrapper.getValue(field);
        if (value == null) {
            return null;
        }
        if (value instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (!(value instanceof Record record)) {
            throw new IllegalArgumentException("Failed to convert [" + field + "] record data to byte array: " + value.getClass());
        }
        RecordSchema schema = factory.getSchema(attributes, record.getSchema());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordSetWriter writer = factory.createWriter(logger, schema, out, attributes)) {
            writer.write(record);
            writer.flush();
        }
        return out.toByteArray();
    }

    /**
     * The message key of a change record: the key schema's fields taken from the envelope's after-image, or from its
     * before-image when there is none (a delete); a flattened record holds the row itself.
     */
    static Record keyRecord(Record change, RecordSchema keySchema) {
        boolean envelope = change.getSchema().getField("after").isPresent();
        Object image = !envelope ? change : change.getValue("after") != null ? change.getValue("after") : change.getValue("before");
        if (!(image instanceof Record row)) {
            throw new IllegalArgumentException("Change record has neither an after- nor a before-image: " + change);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (String field : keySchema.getFieldNames()) {
            values.put(field, row.getValue(field));
        }
        return new MapRecord(keySchema, values);
    }

    private byte[] keyBytes(Record key, Map<String, String> attributes) throws Exception {
        RecordSchema schema = keyWriterFactory.getSchema(attributes, key.getSchema());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordSetWriter writer = keyWriterFactory.createWriter(logger, schema, out, attributes)) {
            writer.write(key);
            writer.flush();
        }
        return out.toByteArray();
    }
}
