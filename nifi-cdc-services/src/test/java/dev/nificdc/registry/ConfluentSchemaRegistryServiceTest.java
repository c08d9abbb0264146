package dev.nificdc.registry;

import dev.nificdc.registry.SchemaRegistryException.Reason;
import dev.nificdc.testsupport.ConfluentRegistryFixture;
import org.apache.avro.Schema;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.schemaregistry.services.SchemaDefinition;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.SchemaIdentifier;
import org.apache.nifi.util.MockConfigurationContext;
import org.apache.nifi.util.MockControllerServiceLookup;
import org.apache.nifi.util.NoOpProcessor;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfluentSchemaRegistryServiceTest {

    private ConfluentRegistryFixture registry;
    private TestRunner runner;
    private ConfluentSchemaRegistryService service;

    @BeforeEach
    void setUp() throws IOException, InitializationException {
        registry = ConfluentRegistryFixture.start();
        runner = TestRunners.newTestRunner(NoOpProcessor.class);
        service = new ConfluentSchemaRegistryService();
        runner.addControllerService("registry", service);
        runner.setProperty(service, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, registry.url());
    }

    @AfterEach
    void tearDown() {
        if (runner.isControllerServiceEnabled(service)) {
            runner.disableControllerService(service);
        }
        registry.close();
    }

    private void enable() {
        runner.assertValid(service);
        runner.enableControllerService(service);
    }

    @Test
    void registersOnceAndServesRepeatsFromTheCache() throws Exception {
        enable();
        final Schema v1 = TestSchemas.customersV1();
        final RegisteredSchema first = service.register("customers-value", v1);
        assertEquals("customers-value", first.subject());
        assertEquals(1, first.version());
        assertEquals(v1, first.schema());
        final int requestsAfterFirst = registry.requestCount();
        assertEquals(List.of("POST /subjects/customers-value", "GET /subjects/customers-value/versions", "POST /subjects/customers-value/versions",
                "POST /subjects/customers-value"), registry.requests(),
                "look up, ask whether the subject exists (registries differ in their not-found codes), register, look up again for the version");

        for (int i = 0; i < 100; i++) {
            assertEquals(first, service.register("customers-value", TestSchemas.customersV1()));
        }
        assertEquals(requestsAfterFirst, registry.requestCount(), "repeats do no HTTP");

        final RegisteredSchema second = service.register("customers-value", TestSchemas.customersV2());
        assertEquals(2, second.version());
        assertTrue(second.id() != first.id());

        final RecordSchema recordSchema = second.toRecordSchema();
        assertEquals("customers-value", recordSchema.getIdentifier().getName().orElseThrow());
        assertEquals(second.id(), recordSchema.getIdentifier().getIdentifier().orElseThrow());
        assertEquals(2, recordSchema.getIdentifier().getVersion().orElseThrow());
        assertEquals(TestSchemas.customersV2().toString(), recordSchema.getSchemaText().orElseThrow());
        assertEquals("avro", recordSchema.getSchemaFormat().orElseThrow());
    }

    @Test
    void alreadyRegisteredSchemaTakesOneLookup() throws Exception {
        final int id = registry.registerDirectly("customers-value", TestSchemas.customersV1().toString());
        enable();
        final RegisteredSchema registered = service.register("customers-value", TestSchemas.customersV1());
        assertEquals(id, registered.id());
        assertEquals(List.of("POST /subjects/customers-value"), registry.requests());
    }

    @Test
    void autoRegisterOffRequiresRegisteredSchemas() throws Exception {
        runner.setProperty(service, ConfluentSchemaRegistryService.AUTO_REGISTER_SCHEMAS, "false");
        enable();

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> service.register("customers-value", TestSchemas.customersV1()));
        assertEquals(Reason.NOT_REGISTERED, e.getReason());
        assertTrue(e.getMessage().contains("record dbserver1.inventory.customers.Value is not registered under subject 'customers-value'"), e.getMessage());
        assertTrue(e.getMessage().contains("the subject does not exist") && e.getMessage().contains("Auto-Register Schemas is false"), e.getMessage());
        assertTrue(registry.requests().stream().noneMatch(r -> r.startsWith("POST") && r.endsWith("/versions")), "never registers: " + registry.requests());

        final int id = registry.registerDirectly("customers-value", TestSchemas.customersV1().toString());
        assertEquals(id, service.register("customers-value", TestSchemas.customersV1()).id(), "a registered schema is found");

        e = assertThrows(SchemaRegistryException.class, () -> service.register("customers-value", TestSchemas.customersV2()));
        assertEquals(Reason.NOT_REGISTERED, e.getReason());
        assertTrue(e.getMessage().contains("the subject holds other schemas only"), e.getMessage());
    }

    @Test
    void incompatibleSchemaIsReported() throws Exception {
        enable();
        service.register("customers-value", TestSchemas.customersV1());
        final SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                () -> service.register("customers-value", TestSchemas.customersIncompatible()));
        assertEquals(Reason.INCOMPATIBLE_SCHEMA, e.getReason());
        assertTrue(e.getMessage().contains("subject 'customers-value'") && e.getMessage().contains("compatibility setting"), e.getMessage());
    }

    @Test
    void subjectNamesFollowTheConfiguredStrategy() {
        final Schema value = TestSchemas.customersV1();
        enable();
        assertEquals("dbserver1.inventory.customers-value", service.subjectName("dbserver1.inventory.customers", value, false));
        assertEquals("dbserver1.inventory.customers-key", service.subjectName("dbserver1.inventory.customers", value, true));

        runner.disableControllerService(service);
        runner.setProperty(service, ConfluentSchemaRegistryService.SUBJECT_NAME_STRATEGY, SubjectNameStrategy.RECORD_NAME.getValue());
        enable();
        assertEquals("dbserver1.inventory.customers.Value", service.subjectName("any-topic", value, false));

        runner.disableControllerService(service);
        runner.setProperty(service, ConfluentSchemaRegistryService.SUBJECT_NAME_STRATEGY, SubjectNameStrategy.TOPIC_RECORD_NAME.getValue());
        enable();
        assertEquals("cdc.customers-dbserver1.inventory.customers.Value", service.subjectName("cdc.customers", value, true));
    }

    @Test
    void registerForTopicUsesTheStrategy() throws Exception {
        enable();
        final RegisteredSchema registered = service.registerForTopic("cdc.orders", TestSchemas.ordersV1(), false);
        assertEquals("cdc.orders-value", registered.subject());
        assertEquals(registered.id(), registry.registerDirectly("cdc.orders-value", TestSchemas.ordersV1().toString()));
    }

    @Test
    void nifiSchemaRegistryLookUps() throws Exception {
        final int id1 = registry.registerDirectly("customers-value", TestSchemas.customersV1().toString());
        final int id2 = registry.registerDirectly("customers-value", TestSchemas.customersV2().toString());
        enable();

        final RecordSchema latest = service.retrieveSchema(SchemaIdentifier.builder().name("customers-value").build());
        assertEquals(id2, latest.getIdentifier().getIdentifier().orElseThrow());
        assertEquals(2, latest.getIdentifier().getVersion().orElseThrow());
        assertEquals(List.of("id", "name", "email"), latest.getFieldNames());

        final RecordSchema version1 = service.retrieveSchema(SchemaIdentifier.builder().name("customers-value").version(1).build());
        assertEquals(id1, version1.getIdentifier().getIdentifier().orElseThrow());
        assertEquals(List.of("id", "name"), version1.getFieldNames());
        assertEquals(TestSchemas.customersV1().toString(), version1.getSchemaText().orElseThrow());

        final RecordSchema byId = service.retrieveSchema(SchemaIdentifier.builder().id((long) id1).build());
        assertEquals(List.of("id", "name"), byId.getFieldNames());
        final RecordSchema byVersionId = service.retrieveSchema(SchemaIdentifier.builder().schemaVersionId((long) id2).build());
        assertEquals(List.of("id", "name", "email"), byVersionId.getFieldNames(), "NiFi's Confluent reader puts the id in schemaVersionId");

        final int requests = registry.requestCount();
        for (int i = 0; i < 50; i++) {
            service.retrieveSchema(SchemaIdentifier.builder().id((long) id1).build());
            service.retrieveSchema(SchemaIdentifier.builder().name("customers-value").version(1).build());
        }
        assertEquals(requests, registry.requestCount(), "repeated look-ups are served from the cache");

        final SchemaDefinition definition = service.retrieveSchemaDefinition(SchemaIdentifier.builder().id((long) id2).build());
        assertEquals(SchemaDefinition.SchemaType.AVRO, definition.getSchemaType());
        assertEquals(TestSchemas.customersV2(), new Schema.Parser().parse(definition.getText()));
    }

    @Test
    void nifiSchemaRegistryNotFound() {
        registry.registerDirectly("customers-value", TestSchemas.customersV1().toString());
        enable();
        SchemaNotFoundException e = assertThrows(SchemaNotFoundException.class,
                () -> service.retrieveSchema(SchemaIdentifier.builder().name("nope-value").build()));
        assertTrue(e.getMessage().contains("Subject 'nope-value' does not exist"), e.getMessage());

        e = assertThrows(SchemaNotFoundException.class, () -> service.retrieveSchema(SchemaIdentifier.builder().name("customers-value").version(3).build()));
        assertTrue(e.getMessage().contains("has no version 3"), e.getMessage());

        e = assertThrows(SchemaNotFoundException.class, () -> service.retrieveSchema(SchemaIdentifier.builder().id(999L).build()));
        assertTrue(e.getMessage().contains("no schema with id 999"), e.getMessage());

        e = assertThrows(SchemaNotFoundException.class, () -> service.retrieveSchema(SchemaIdentifier.EMPTY));
        assertTrue(e.getMessage().contains("neither a name (subject) nor an id"), e.getMessage());
    }

    @Test
    void unreachableRegistryIsAnIOExceptionNotSchemaNotFound() throws Exception {
        runner.setProperty(service, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, ConfluentRegistryFixture.deadUrl());
        enable();
        final IOException e = assertThrows(IOException.class, () -> service.retrieveSchema(SchemaIdentifier.builder().id(1L).build()));
        assertEquals(Reason.UNREACHABLE, assertInstanceOf(SchemaRegistryException.class, e).getReason(), "an outage is not a missing schema");
        assertTrue(e.getMessage().contains("Could not reach the Schema Registry"), e.getMessage());
    }

    @Test
    void failOverIsLoggedAsAWarning() throws Exception {
        final String dead = ConfluentRegistryFixture.deadUrl();
        runner.setProperty(service, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, dead + "," + registry.url());
        enable();
        assertEquals(1, service.register("customers-value", TestSchemas.customersV1()).version());
        final List<String> warnings = runner.getControllerServiceLogger("registry").getWarnMessages().stream().map(m -> m.getMsg()).toList();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().contains(dead) && warnings.getFirst().contains("trying " + registry.url()), warnings.getFirst());
    }

    @Test
    void basicAuthenticationThroughProperties() throws Exception {
        registry.requireBasicAuth("nifi", "p@ss");
        runner.setProperty(service, ConfluentSchemaRegistryService.AUTHENTICATION_TYPE, AuthenticationType.BASIC.getValue());
        runner.assertNotValid(service);
        runner.setProperty(service, ConfluentSchemaRegistryService.USERNAME, "nifi");
        runner.assertNotValid(service);
        runner.setProperty(service, ConfluentSchemaRegistryService.PASSWORD, "p@ss");
        enable();
        assertEquals(1, service.register("customers-value", TestSchemas.customersV1()).version());
    }

    @Test
    void usernameIsIgnoredWithoutBasicAuthentication() {
        runner.setProperty(service, ConfluentSchemaRegistryService.USERNAME, "someone");
        runner.assertValid(service);
    }

    @Test
    void validatesUrls() {
        runner.setProperty(service, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, "http://a:8081, ftp://b");
        runner.assertNotValid(service);
        runner.setProperty(service, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, "http://a:8081,,http://b:8081");
        runner.assertNotValid(service);
        runner.setProperty(service, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, "http://a:8081, https://b:8081/");
        runner.assertValid(service);
    }

    @Test
    void verifyReportsEachUrl() throws Exception {
        final String dead = ConfluentRegistryFixture.deadUrl();
        runner.setProperty(service, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, registry.url() + "," + dead);
        final MockConfigurationContext context = new MockConfigurationContext(service,
                Map.of(ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, registry.url() + "," + dead), (MockControllerServiceLookup) runner.getProcessContext().getControllerServiceLookup(), null);
        final List<ConfigVerificationResult> results = service.verify(context, runner.getLogger(), Map.of());
        assertEquals(2, results.size());
        assertEquals(Outcome.SUCCESSFUL, results.get(0).getOutcome());
        assertTrue(results.get(0).getExplanation().contains("global compatibility level is BACKWARD"), results.get(0).getExplanation());
        assertEquals(Outcome.FAILED, results.get(1).getOutcome());
        assertTrue(results.get(1).getExplanation().contains(dead), results.get(1).getExplanation());
    }
}
