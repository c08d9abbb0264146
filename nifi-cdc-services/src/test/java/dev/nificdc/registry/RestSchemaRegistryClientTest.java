package dev.nificdc.registry;

import dev.nificdc.registry.SchemaRegistryException.Reason;
import dev.nificdc.registry.client.RestSchemaRegistryClient;
import dev.nificdc.registry.client.SubjectSchema;
import dev.nificdc.testsupport.ConfluentRegistryFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestSchemaRegistryClientTest {

    private static final String V1 = TestSchemas.customersV1().toString();
    private static final String V2 = TestSchemas.customersV2().toString();
    private static final String INCOMPATIBLE = TestSchemas.customersIncompatible().toString();

    private ConfluentRegistryFixture registry;

    @BeforeEach
    void startRegistry() throws IOException {
        registry = ConfluentRegistryFixture.start();
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    private RestSchemaRegistryClient client(final String... urls) {
        return new RestSchemaRegistryClient(List.of(urls), Duration.ofSeconds(5), null, null, null);
    }

    @Test
    void registersLooksUpAndReadsBack() throws Exception {
        try (RestSchemaRegistryClient client = client(registry.url())) {
            final int id = client.register("customers-value", V1);
            assertEquals(id, client.register("customers-value", V1), "registering the same schema again returns the existing id");

            final SubjectSchema found = client.lookup("customers-value", V1);
            assertEquals("customers-value", found.subject());
            assertEquals(id, found.id());
            assertEquals(1, found.version());
            assertEquals(TestSchemas.customersV1(), found.schema());

            final int id2 = client.register("customers-value", V2);
            assertNotEquals(id, id2);
            assertEquals(2, client.lookup("customers-value", V2).version());
            assertEquals(2, client.schemaByVersion("customers-value", null).version(), "latest");
            assertEquals(id, client.schemaByVersion("customers-value", 1).id());

            final SubjectSchema byId = client.schemaById(id2);
            assertEquals(TestSchemas.customersV2(), byId.schema());
            assertNull(byId.subject());

            assertEquals(id, client.register("other-subject", V1), "the same schema under another subject keeps its id");
            assertEquals("BACKWARD", client.compatibilityLevel().level());
        }
        assertTrue(registry.requestContentTypes().stream().allMatch(RestSchemaRegistryClient.CONTENT_TYPE::equals),
                "every POST carries the registry's content type: " + registry.requestContentTypes());
    }

    @Test
    void encodesSubjectsInThePath() throws Exception {
        try (RestSchemaRegistryClient client = client(registry.url())) {
            final int id = client.register("odd/subject name+1", V1);
            assertEquals(id, client.lookup("odd/subject name+1", V1).id());
            assertEquals("odd/subject name+1", client.schemaByVersion("odd/subject name+1", 1).subject());
        }
    }

    @Test
    void incompatibleSchemaNamesTheSubjectAndTheCompatibilitySetting() throws Exception {
        try (RestSchemaRegistryClient client = client(registry.url())) {
            client.register("customers-value", V1);
            final SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.register("customers-value", INCOMPATIBLE));
            assertEquals(Reason.INCOMPATIBLE_SCHEMA, e.getReason());
            assertTrue(e.getMessage().contains("subject 'customers-value'"), e.getMessage());
            assertTrue(e.getMessage().contains("compatibility setting"), e.getMessage());
            assertTrue(e.getMessage().contains("40901"), e.getMessage());
            assertTrue(e.getMessage().contains("loyalty_points"), "passes on the registry's details: " + e.getMessage());

            registry.setCompatibility("customers-value", "NONE");
            client.register("customers-value", INCOMPATIBLE);
            assertEquals(2, client.lookup("customers-value", INCOMPATIBLE).version(), "with compatibility NONE the same schema registers as version 2");
        }
    }

    @Test
    void invalidSchema() throws Exception {
        try (RestSchemaRegistryClient client = client(registry.url())) {
            final SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                    () -> client.register("customers-value", "{\"type\": \"record\", \"name\": \"NoFields\"}"));
            assertEquals(Reason.INVALID_SCHEMA, e.getReason());
            assertTrue(e.getMessage().contains("subject 'customers-value'") && e.getMessage().contains("42201"), e.getMessage());
        }
    }

    @Test
    void notFoundErrors() throws Exception {
        try (RestSchemaRegistryClient client = client(registry.url())) {
            SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.lookup("missing-value", V1));
            assertEquals(Reason.SUBJECT_NOT_FOUND, e.getReason());
            assertTrue(e.getMessage().contains("Subject 'missing-value' does not exist") && e.getMessage().contains("40401"), e.getMessage());

            e = assertThrows(SchemaRegistryException.class, () -> client.schemaByVersion("missing-value", null));
            assertEquals(Reason.SUBJECT_NOT_FOUND, e.getReason());

            client.register("customers-value", V1);
            e = assertThrows(SchemaRegistryException.class, () -> client.lookup("customers-value", V2));
            assertEquals(Reason.SCHEMA_NOT_FOUND, e.getReason());
            assertTrue(e.getMessage().contains("Subject 'customers-value'") && e.getMessage().contains("does not hold this schema"), e.getMessage());

            e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(4242));
            assertEquals(Reason.SCHEMA_NOT_FOUND, e.getReason());
            assertTrue(e.getMessage().contains("no schema with id 4242") && e.getMessage().contains("40403"), e.getMessage());

            e = assertThrows(SchemaRegistryException.class, () -> client.schemaByVersion("customers-value", 7));
            assertEquals(Reason.VERSION_NOT_FOUND, e.getReason());
            assertTrue(e.getMessage().contains("has no version 7") && e.getMessage().contains("40402"), e.getMessage());

            e = assertThrows(SchemaRegistryException.class, () -> client.schemaByVersion("customers-value", 0));
            assertEquals(Reason.INVALID_VERSION, e.getReason());
            assertTrue(e.getMessage().contains("42202"), e.getMessage());
        }
    }

    @Test
    void failsOverFromADeadUrl() throws Exception {
        final String dead = ConfluentRegistryFixture.deadUrl();
        final List<String> failovers = new CopyOnWriteArrayList<>();
        try (RestSchemaRegistryClient client = new RestSchemaRegistryClient(List.of(dead, registry.url()), Duration.ofSeconds(5), null, null, null,
                (failedUrl, reason, nextUrl) -> failovers.add(failedUrl + " -> " + nextUrl + ": " + reason))) {
            final int id = client.register("customers-value", V1);
            assertEquals(id, client.lookup("customers-value", V1).id());
        }
        assertEquals(1, failovers.size(), "failed over once, then stayed on the live URL: " + failovers);
        assertTrue(failovers.getFirst().startsWith(dead + " -> " + registry.url() + ": ConnectException"), failovers.getFirst());
    }

    @Test
    void failsOverFromAUrlThatNeverAnswers() throws Exception {
        // The kernel completes the TCP handshake from the listen backlog, but nobody ever reads or answers.
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             RestSchemaRegistryClient client = new RestSchemaRegistryClient(List.of("http://127.0.0.1:" + silent.getLocalPort(), registry.url()),
                     Duration.ofMillis(500), null, null, null)) {
            final int id = client.register("customers-value", V1);
            assertEquals(id, client.schemaById(id).id());
        }
    }

    @Test
    void failsOverOnServerErrorsAndSticksToTheUrlThatAnswered() throws Exception {
        try (ConfluentRegistryFixture broken = ConfluentRegistryFixture.start();
             RestSchemaRegistryClient client = client(broken.url(), registry.url())) {
            broken.serviceUnavailable(true);
            client.register("customers-value", V1);
            assertEquals(1, broken.requestCount(), "the first URL was tried once");
            assertEquals(1, registry.requestCount());

            client.lookup("customers-value", V1);
            client.schemaByVersion("customers-value", 1);
            assertEquals(1, broken.requestCount(), "later requests go straight to the URL that answered");
            assertEquals(3, registry.requestCount());
        }
    }

    @Test
    void unreachableListsEveryUrlTried() throws Exception {
        final String dead1 = ConfluentRegistryFixture.deadUrl();
        try (ConfluentRegistryFixture broken = ConfluentRegistryFixture.start();
             RestSchemaRegistryClient client = client(dead1, broken.url())) {
            broken.serviceUnavailable(true);
            final SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.register("customers-value", V1));
            assertEquals(Reason.UNREACHABLE, e.getReason());
            assertTrue(e.getMessage().contains(dead1 + " (") && e.getMessage().contains("ConnectException"), e.getMessage());
            assertTrue(e.getMessage().contains(broken.url() + " (HTTP 503"), e.getMessage());
            assertTrue(e.getMessage().contains("register a schema under subject 'customers-value'"), e.getMessage());
        }
    }

    @Test
    void basicAuthentication() throws Exception {
        registry.requireBasicAuth("sr-user", "s3cret:with:colons");
        try (RestSchemaRegistryClient good = new RestSchemaRegistryClient(List.of(registry.url()), Duration.ofSeconds(5), null, "sr-user", "s3cret:with:colons")) {
            assertTrue(good.register("customers-value", V1) > 0);
        }
        try (RestSchemaRegistryClient wrong = new RestSchemaRegistryClient(List.of(registry.url()), Duration.ofSeconds(5), null, "sr-user", "wrong-password");
             RestSchemaRegistryClient none = client(registry.url())) {
            SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> wrong.register("customers-value", V1));
            assertEquals(Reason.UNAUTHORIZED, e.getReason());
            assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("Username and Password"), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-password"), "never echo the password");

            e = assertThrows(SchemaRegistryException.class, () -> none.schemaById(1));
            assertEquals(Reason.UNAUTHORIZED, e.getReason());
        }
    }

    @Test
    void reportsANonRegistryUrl() throws Exception {
        try (RestSchemaRegistryClient client = client(registry.url() + "/not-the-api")) {
            final SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(1));
            assertEquals(Reason.UNEXPECTED_RESPONSE, e.getReason());
            assertTrue(e.getMessage().contains("base URL of a Schema Registry"), e.getMessage());
        }
    }
}
