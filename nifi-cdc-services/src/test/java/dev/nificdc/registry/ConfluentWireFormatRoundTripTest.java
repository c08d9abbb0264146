package dev.nificdc.registry;

import dev.nificdc.testsupport.ConfluentRegistryFixture;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.nifi.avro.AvroReader;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.serialization.RecordReader;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.SchemaRegistryRecordSetWriter;
import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.util.NoOpProcessor;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Confluent framing through NiFi's real AvroRecordSetWriter ("Schema Write Strategy" = "Schema Reference Writer") and
 * AvroReader ("Schema Access Strategy" = "Schema Reference Reader") from nifi-record-serialization-services 2.6.0.
 */
class ConfluentWireFormatRoundTripTest {

    private ConfluentRegistryFixture registry;
    private TestRunner runner;
    private ConfluentSchemaRegistryService registryService;
    private AvroRecordSetWriter avroWriter;
    private AvroReader avroReader;

    @BeforeEach
    void setUp() throws Exception {
        registry = ConfluentRegistryFixture.start();
        runner = TestRunners.newTestRunner(NoOpProcessor.class);

        registryService = new ConfluentSchemaRegistryService();
        runner.addControllerService("registry", registryService);
        runner.setProperty(registryService, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, registry.url());
        runner.enableControllerService(registryService);

        final ConfluentWireFormatWriter wireWriter = new ConfluentWireFormatWriter();
        runner.addControllerService("wire-writer", wireWriter);
        runner.enableControllerService(wireWriter);

        final ConfluentWireFormatReader wireReader = new ConfluentWireFormatReader();
        runner.addControllerService("wire-reader", wireReader);
        runner.enableControllerService(wireReader);

        avroWriter = new AvroRecordSetWriter();
        runner.addControllerService("avro-writer", avroWriter);
        runner.setProperty(avroWriter, "Schema Write Strategy", SchemaRegistryRecordSetWriter.SCHEMA_REFERENCE_WRITER.getValue());
        runner.setProperty(avroWriter, SchemaRegistryRecordSetWriter.SCHEMA_REFERENCE_WRITER_SERVICE, "wire-writer");
        runner.setProperty(avroWriter, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.INHERIT_RECORD_SCHEMA.getValue());
        runner.assertValid(avroWriter);
        runner.enableControllerService(avroWriter);

        avroReader = new AvroReader();
        runner.addControllerService("avro-reader", avroReader);
        runner.setProperty(avroReader, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.SCHEMA_REFERENCE_READER_PROPERTY.getValue());
        runner.setProperty(avroReader, SchemaAccessUtils.SCHEMA_REGISTRY, "registry");
        runner.setProperty(avroReader, SchemaAccessUtils.SCHEMA_REFERENCE_READER, "wire-reader");
        runner.assertValid(avroReader);
        runner.enableControllerService(avroReader);
    }

    @AfterEach
    void tearDown() {
        runner.disableControllerService(avroReader);
        runner.disableControllerService(avroWriter);
        runner.disableControllerService(registryService);
        registry.close();
    }

    @Test
    void writerFramesRecordsAndPlainAvroDecodesThem() throws Exception {
        final RegisteredSchema registered = registryService.register("customers-value", TestSchemas.customersV2());
        final byte[] message = write(registered.toRecordSchema(), customer(registered.toRecordSchema(), 7L, "Ada", null));

        assertEquals(0, message[0], "magic byte");
        assertEquals(registered.id(), ByteBuffer.wrap(message, 1, 4).getInt(), "big-endian schema id");

        // What a Confluent deserializer does: read the id, fetch the writer schema by id, decode the rest as one binary datum.
        final ByteArrayInputStream in = new ByteArrayInputStream(message);
        final int id = ConfluentWireFormat.readSchemaId(in);
        final Schema writerSchema = new Schema.Parser().parse(registryService.retrieveSchemaDefinition(
                org.apache.nifi.serialization.record.SchemaIdentifier.builder().id((long) id).build()).getText());
        final BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(in, null);
        final GenericRecord decoded = new GenericDatumReader<GenericRecord>(writerSchema).read(null, decoder);
        assertTrue(decoder.isEnd(), "exactly one datum follows the header");
        assertEquals(7L, decoded.get("id"));
        assertEquals("Ada", decoded.get("name").toString());
        assertNull(decoded.get("email"));
    }

    @Test
    void avroReaderReadsWhatTheWriterWrote() throws Exception {
        final RecordSchema schema = registryService.register("customers-value", TestSchemas.customersV2()).toRecordSchema();
        final byte[] message = write(schema, customer(schema, 1L, "Grace", "grace@example.com"), customer(schema, 2L, null, null));
        final int requestsBeforeReading = registry.requestCount();

        try (RecordReader reader = avroReader.createRecordReader(Map.of(), new ByteArrayInputStream(message), message.length, runner.getLogger())) {
            final Record first = reader.nextRecord();
            assertEquals(1L, first.getValue("id"));
            assertEquals("Grace", first.getValue("name"));
            assertEquals("grace@example.com", first.getValue("email"));
            final Record second = reader.nextRecord();
            assertEquals(2L, second.getValue("id"));
            assertNull(second.getValue("name"));
            assertNull(reader.nextRecord());
            assertEquals(List.of("id", "name", "email"), reader.getSchema().getFieldNames());
        }
        assertEquals(requestsBeforeReading + 1, registry.requestCount(), "one GET /schemas/ids/{id}");

        try (RecordReader reader = avroReader.createRecordReader(Map.of(), new ByteArrayInputStream(message), message.length, runner.getLogger())) {
            assertEquals(1L, reader.nextRecord().getValue("id"));
        }
        assertEquals(requestsBeforeReading + 1, registry.requestCount(), "the second read is served from the cache");
    }

    @Test
    void avroReaderReadsForeignConfluentData() throws Exception {
        // Another producer registered v1 and wrote a Confluent-framed message with plain Avro.
        final Schema v1 = TestSchemas.customersV1();
        final int id = registry.registerDirectly("customers-value", v1.toString());
        final GenericRecord datum = new GenericData.Record(v1);
        datum.put("id", 99L);
        datum.put("name", "Linus");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConfluentWireFormat.writeHeader(id, out);
        final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(v1).write(datum, encoder);
        encoder.flush();
        final byte[] message = out.toByteArray();

        try (RecordReader reader = avroReader.createRecordReader(Map.of(), new ByteArrayInputStream(message), message.length, runner.getLogger())) {
            final Record record = reader.nextRecord();
            assertEquals(99L, record.getValue("id"));
            assertEquals("Linus", record.getValue("name"));
        }
    }

    @Test
    void writerLooksUpTheSchemaByNameInTheRegistry() throws Exception {
        final int id = registry.registerDirectly("customers-value", TestSchemas.customersV1().toString());
        runner.disableControllerService(avroWriter);
        runner.setProperty(avroWriter, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.SCHEMA_NAME_PROPERTY.getValue());
        runner.setProperty(avroWriter, SchemaAccessUtils.SCHEMA_REGISTRY, "registry");
        runner.assertValid(avroWriter);
        runner.enableControllerService(avroWriter);

        final RecordSchema schema = avroWriter.getSchema(Map.of("schema.name", "customers-value"), null);
        final Map<String, Object> values = new HashMap<>();
        values.put("id", 5L);
        values.put("name", "Barbara");
        final byte[] message = write(schema, new MapRecord(schema, values));
        assertEquals(0, message[0]);
        assertEquals(id, ByteBuffer.wrap(message, 1, 4).getInt());
    }

    @Test
    void readerNamesUnframedContent() {
        final byte[] notFramed = "Obj\u0001 this is an Avro container file".getBytes();
        final Exception e = assertThrows(Exception.class,
                () -> avroReader.createRecordReader(Map.of(), new ByteArrayInputStream(notFramed), notFramed.length, runner.getLogger()));
        assertTrue(messages(e).contains("magic byte 0x00"), messages(e));
    }

    @Test
    void writerRefusesASchemaWithoutRegistryId() {
        final RecordSchema unregistered = new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.LONG.getDataType())));
        final ProcessException e = assertThrows(ProcessException.class,
                () -> avroWriter.createWriter(runner.getLogger(), unregistered, new ByteArrayOutputStream(), Map.of()));
        assertTrue(messages(e).contains("carries no Schema Registry id"), messages(e));
    }

    private byte[] write(final RecordSchema schema, final Record... records) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordSetWriter writer = avroWriter.createWriter(runner.getLogger(), schema, out, Map.of())) {
            writer.beginRecordSet();
            for (final Record record : records) {
                writer.write(record);
            }
            writer.finishRecordSet();
        }
        return out.toByteArray();
    }

    private static Record customer(final RecordSchema schema, final long id, final String name, final String email) {
        final Map<String, Object> values = new HashMap<>();
        values.put("id", id);
        values.put("name", name);
        values.put("email", email);
        return new MapRecord(schema, values);
    }

    private static String messages(final Throwable e) {
        final StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
