package dev.nificdc.registry;

import dev.nificdc.registry.SchemaRegistryException.Reason;
import dev.nificdc.registry.client.RestSchemaRegistryClient;
import dev.nificdc.testsupport.ApicurioRegistry;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.nifi.avro.AvroReader;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.serialization.RecordReader;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.SchemaRegistryRecordSetWriter;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.SchemaIdentifier;
import org.apache.nifi.util.MockComponentLog;
import org.apache.nifi.util.MockConfigurationContext;
import org.apache.nifi.util.MockControllerServiceLookup;
import org.apache.nifi.util.NoOpProcessor;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry client and service against a real Confluent-compatible registry: Apicurio Registry 2.4.2 (built from
 * Maven Central once and cached, see {@link ApicurioRegistry}), with HTTP Basic authentication. Besides the happy path
 * it pins the messages for Apicurio's answers, which differ from Confluent's in their codes: each error must say what
 * actually happened (a subject that is missing, or that holds other schemas or versions; an incompatible schema).
 */
class ApicurioRegistryIT {
    private static final String USER = "nifi";
    private static final String PASSWORD = "p@ss-" + UUID.randomUUID();

    private static ApicurioRegistry registry;
    private String subject;
    private RestSchemaRegistryClient client;

    @BeforeAll
    static void startRegistry() {
        registry = ApicurioRegistry.start(USER, PASSWORD);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void newSubject() {
        subject = "it." + UUID.randomUUID().toString().substring(0, 8) + ".customers-value";
        client = new RestSchemaRegistryClient(List.of(registry.url()), Duration.ofSeconds(10), null, USER, PASSWORD);
    }

    @Test
    void registersLooksUpAndReadsBackByIdAndVersion() throws Exception {
        int v1 = client.register(subject, TestSchemas.customersV1().toString());
        assertEquals(v1, client.register(subject, TestSchemas.customersV1().toString()), "registration is idempotent");
        assertEquals(1, client.lookup(subject, TestSchemas.customersV1().toString()).version());
        assertEquals(TestSchemas.customersV1(), client.schemaById(v1).schema());
        assertEquals(TestSchemas.customersV1(), client.schemaByVersion(subject, 1).schema());

        int v2 = client.register(subject, TestSchemas.customersV2().toString());
        assertFalse(v1 == v2);
        assertEquals(2, client.schemaByVersion(subject, null).version(), "latest");
        assertEquals(v2, client.lookup(subject, TestSchemas.customersV2().toString()).id());
    }

    @Test
    void wrongOrMissingCredentialsAreReportedAsSuch() {
        for (RestSchemaRegistryClient denied : List.of(
                new RestSchemaRegistryClient(List.of(registry.url()), Duration.ofSeconds(10), null, USER, "wrong"),
                new RestSchemaRegistryClient(List.of(registry.url()), Duration.ofSeconds(10), null, null, null))) {
            try (denied) {
                SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> denied.register(subject, TestSchemas.customersV1().toString()));
                assertEquals(Reason.UNAUTHORIZED, e.getReason());
                assertTrue(e.getMessage().contains("HTTP 401 (not authenticated)") && e.getMessage().contains("Check the Authentication Type, Username and Password"),
                        e.getMessage());
                assertFalse(e.getMessage().contains(PASSWORD));
            }
        }
    }

    /** Apicurio answers 40401 here (Confluent: 40403); the subject exists, so the message must not say it does not. */
    @Test
    void aSchemaTheSubjectDoesNotHoldIsReportedAsSuch() throws Exception {
        client.register(subject, TestSchemas.customersV1().toString());
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.lookup(subject, TestSchemas.customersV2().toString()));
        assertEquals(Reason.SCHEMA_NOT_FOUND, e.getReason());
        assertTrue(e.getMessage().startsWith("Subject '" + subject + "' in the Schema Registry at " + registry.url()
                + " does not hold this schema (it holds version 1)"), e.getMessage());
    }

    @Test
    void aMissingSubjectIsReportedAsMissingWhateverWasAsked() {
        String missing = "missing-" + subject;
        SchemaRegistryException lookup = assertThrows(SchemaRegistryException.class, () -> client.lookup(missing, TestSchemas.customersV1().toString()));
        assertEquals(Reason.SUBJECT_NOT_FOUND, lookup.getReason());
        assertTrue(lookup.getMessage().startsWith("Subject '" + missing + "' does not exist"), lookup.getMessage());

        // Apicurio answers 40402 here (Confluent: 40401): not "has no version 1", the subject is not there at all.
        SchemaRegistryException version = assertThrows(SchemaRegistryException.class, () -> client.schemaByVersion(missing, 1));
        assertEquals(Reason.SUBJECT_NOT_FOUND, version.getReason());
        assertTrue(version.getMessage().startsWith("Subject '" + missing + "' does not exist"), version.getMessage());
    }

    @Test
    void aMissingVersionOrIdIsReportedAsSuch() throws Exception {
        client.register(subject, TestSchemas.customersV1().toString());
        SchemaRegistryException version = assertThrows(SchemaRegistryException.class, () -> client.schemaByVersion(subject, 7));
        assertEquals(Reason.VERSION_NOT_FOUND, version.getReason());
        assertTrue(version.getMessage().startsWith("Subject '" + subject + "' has no version 7 in the Schema Registry at " + registry.url()
                + " (it holds version 1)"), version.getMessage());

        SchemaRegistryException id = assertThrows(SchemaRegistryException.class, () -> client.schemaById(987654));
        assertEquals(Reason.SCHEMA_NOT_FOUND, id.getReason());
        assertTrue(id.getMessage().contains("has no schema with id 987654"), id.getMessage());
    }

    /** Apicurio's 409 carries error_code 0: the message gives the HTTP status and the registry's reason, no meaningless code. */
    @Test
    void anIncompatibleSchemaNamesTheSubjectAndTheRegistrysReason() throws Exception {
        client.register(subject, TestSchemas.customersV1().toString());
        assertEquals(200, put("/config/" + subject, "{\"compatibility\": \"BACKWARD\"}"));

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.register(subject, TestSchemas.customersIncompatible().toString()));
        assertEquals(Reason.INCOMPATIBLE_SCHEMA, e.getReason());
        assertTrue(e.getMessage().startsWith("Schema Registry rejected the new schema for subject '" + subject + "' as incompatible (HTTP 409):"),
                e.getMessage());
        assertFalse(e.getMessage().contains("error code 0"), e.getMessage());
        assertTrue(e.getMessage().contains("loyalty_points"), "passes on the registry's reason: " + e.getMessage());
    }

    @Test
    void anInvalidSchemaIsRefused() {
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.register(subject, "{\"type\": \"record\", \"name\": \"NoFields\"}"));
        assertEquals(Reason.INVALID_SCHEMA, e.getReason());
        assertTrue(e.getMessage().contains("subject '" + subject + "' as invalid (HTTP 422"), e.getMessage());
    }

    /** The controller service as NiFi uses it: registration, NiFi's SchemaRegistry look-ups, Verify, auto-registration off. */
    @Test
    void theServiceRegistersRetrievesVerifiesAndNamesUnregisteredSchemas() throws Exception {
        TestRunner runner = TestRunners.newTestRunner(NoOpProcessor.class);
        ConfluentSchemaRegistryService service = service(runner, "registry", true);

        RegisteredSchema registered = service.register(subject, TestSchemas.customersV1());
        assertEquals(1, registered.version());
        RecordSchema byName = service.retrieveSchema(SchemaIdentifier.builder().name(subject).version(1).build());
        assertEquals(registered.id(), byName.getIdentifier().getIdentifier().getAsLong());
        RecordSchema byId = service.retrieveSchema(SchemaIdentifier.builder().id((long) registered.id()).build());
        assertEquals(List.of("id", "name"), byId.getFieldNames());

        Map<PropertyDescriptor, String> properties = new HashMap<>(Map.of(ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, registry.url(),
                ConfluentSchemaRegistryService.AUTHENTICATION_TYPE, AuthenticationType.BASIC.getValue(),
                ConfluentSchemaRegistryService.USERNAME, USER, ConfluentSchemaRegistryService.PASSWORD, PASSWORD));
        MockConfigurationContext context = new MockConfigurationContext(service, properties,
                (MockControllerServiceLookup) runner.getProcessContext().getControllerServiceLookup(), null);
        List<ConfigVerificationResult> verified = service.verify(context, new MockComponentLog("verify", service), Map.of());
        assertTrue(verified.stream().allMatch(r -> r.getOutcome() != ConfigVerificationResult.Outcome.FAILED), verified.toString());
        assertTrue(verified.stream().anyMatch(r -> r.getExplanation().contains("compatibility level is NONE")), verified.toString());

        ConfluentSchemaRegistryService strict = service(runner, "strict", false);
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> strict.register(subject, TestSchemas.customersV2()));
        assertEquals(Reason.NOT_REGISTERED, e.getReason());
        assertTrue(e.getMessage().contains("is not registered under subject '" + subject + "' (the subject holds other schemas only)"), e.getMessage());
    }

    /** Records framed through NiFi's AvroRecordSetWriter carry the real registry's id; plain Avro and NiFi's AvroReader read them back. */
    @Test
    void confluentFramedRecordsRoundTripThroughTheRealRegistry() throws Exception {
        TestRunner runner = TestRunners.newTestRunner(NoOpProcessor.class);
        ConfluentSchemaRegistryService service = service(runner, "registry", true);
        ConfluentWireFormatWriter wireWriter = new ConfluentWireFormatWriter();
        runner.addControllerService("wire-writer", wireWriter);
        runner.enableControllerService(wireWriter);
        ConfluentWireFormatReader wireReader = new ConfluentWireFormatReader();
        runner.addControllerService("wire-reader", wireReader);
        runner.enableControllerService(wireReader);
        AvroRecordSetWriter writer = new AvroRecordSetWriter();
        runner.addControllerService("avro-writer", writer);
        runner.setProperty(writer, "Schema Write Strategy", SchemaRegistryRecordSetWriter.SCHEMA_REFERENCE_WRITER.getValue());
        runner.setProperty(writer, SchemaRegistryRecordSetWriter.SCHEMA_REFERENCE_WRITER_SERVICE, "wire-writer");
        runner.setProperty(writer, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.INHERIT_RECORD_SCHEMA.getValue());
        runner.enableControllerService(writer);
        AvroReader reader = new AvroReader();
        runner.addControllerService("avro-reader", reader);
        runner.setProperty(reader, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.SCHEMA_REFERENCE_READER_PROPERTY.getValue());
        runner.setProperty(reader, SchemaAccessUtils.SCHEMA_REGISTRY, "registry");
        runner.setProperty(reader, SchemaAccessUtils.SCHEMA_REFERENCE_READER, "wire-reader");
        runner.enableControllerService(reader);

        RegisteredSchema registered = service.register(subject, TestSchemas.customersV2());
        RecordSchema schema = registered.toRecordSchema();
        Map<String, Object> values = new HashMap<>();
        values.put("id", 42L);
        values.put("name", "Ada");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordSetWriter recordWriter = writer.createWriter(runner.getLogger(), schema, out, Map.of())) {
            recordWriter.write(new MapRecord(schema, values));
        }
        byte[] message = out.toByteArray();
        assertEquals(0, message[0], "magic byte");
        assertEquals(registered.id(), ByteBuffer.wrap(message, 1, 4).getInt(), "the real registry's id");

        // As a Confluent deserializer: the writer schema by id from the registry, then exactly one binary datum.
        ByteArrayInputStream in = new ByteArrayInputStream(message, 5, message.length - 5);
        Schema writerSchema = new Schema.Parser().parse(client.schemaById(registered.id()).schemaText());
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(in, null);
        GenericRecord decoded = new GenericDatumReader<GenericRecord>(writerSchema).read(null, decoder);
        assertTrue(decoder.isEnd());
        assertEquals(42L, decoded.get("id"));
        assertEquals("Ada", decoded.get("name").toString());
        assertNull(decoded.get("email"));

        try (RecordReader recordReader = reader.createRecordReader(Map.of(), new ByteArrayInputStream(message), message.length, runner.getLogger())) {
            Record record = recordReader.nextRecord();
            assertEquals(42L, record.getValue("id"));
            assertEquals("Ada", record.getValue("name"));
        }
    }

    private static ConfluentSchemaRegistryService service(TestRunner runner, String id, boolean autoRegister) throws Exception {
        ConfluentSchemaRegistryService service = new ConfluentSchemaRegistryService();
        runner.addControllerService(id, service);
        runner.setProperty(service, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, registry.url());
        runner.setProperty(service, ConfluentSchemaRegistryService.AUTHENTICATION_TYPE, AuthenticationType.BASIC.getValue());
        runner.setProperty(service, ConfluentSchemaRegistryService.USERNAME, USER);
        runner.setProperty(service, ConfluentSchemaRegistryService.PASSWORD, PASSWORD);
        runner.setProperty(service, ConfluentSchemaRegistryService.AUTO_REGISTER_SCHEMAS, String.valueOf(autoRegister));
        runner.enableControllerService(service);
        return service;
    }

    /** A raw PUT to the registry's Confluent API (the client does not change configuration). */
    private static int put(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE)
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }
}
