package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every flow definition in templates/ uploads into a new process group through the REST API (the UI's "Import from
 * file"); once its parameters point at a private MariaDB, its controller services enable and its components are valid.
 *
 * <p>This NiFi has no Kafka NAR (none is served for NiFi 2.x, see the module README), so {@code PublishKafka} and
 * {@code Kafka3ConnectionService} of the two Kafka flows stay ghost components (NiFi's placeholders for a missing
 * extension). The test asserts that they, and only they, are ghosts or invalid: every other component, ours above all,
 * is valid and every other service is enabled.
 */
class TemplatesImportIT {
    private static final Set<String> KAFKA_GHOSTS = Set.of("org.apache.nifi.kafka.processors.PublishKafka",
            "org.apache.nifi.kafka.service.Kafka3ConnectionService");

    @RegisterExtension
    static final SharedNiFi NIFI = new SharedNiFi();

    private static MariaDbServer mariaDb;
    private static String database;

    @BeforeAll
    static void startMariaDb() {
        mariaDb = MariaDbServer.start();
        database = mariaDb.createDatabase("inventory");
        mariaDb.execute("CREATE TABLE `" + database + "`.customers (id INT PRIMARY KEY, name VARCHAR(40), "
                + "updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))");
    }

    @AfterAll
    static void stopMariaDb() {
        if (mariaDb != null) {
            mariaDb.close();
        }
    }

    @Test
    void theTestCoversEveryTemplate() throws Exception {
        try (Stream<java.nio.file.Path> files = Files.list(CdcFlows.templatesDirectory())) {
            Set<String> templates = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(List.of(CdcFlows.BINLOG_KAFKA, CdcFlows.BINLOG_REPLICA, CdcFlows.TIMESTAMP_KAFKA)), templates,
                    "a new flow definition in templates/ needs its parameters in this test");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {CdcFlows.BINLOG_REPLICA, CdcFlows.BINLOG_KAFKA, CdcFlows.TIMESTAMP_KAFKA})
    void templateImportsAndItsComponentsAreValid(String template) {
        NiFiRestClient client = NIFI.client();
        String group = client.uploadFlowDefinition(client.rootGroupId(), template,
                CdcFlows.flowDefinition(template, template + " " + UUID.randomUUID()));
        client.setParameters(CdcFlows.parameterContextOf(client, group), parameters(template), List.of("mysql.password",
                "replica.db.password", "db.password").stream().filter(parameters(template)::containsKey).toList());

        Map<String, JsonNode> services = CdcFlows.servicesByName(client, group);
        Set<String> ghosts = new TreeSet<>();
        services.values().stream().filter(TemplatesImportIT::isGhost).forEach(s -> ghosts.add(type(s)));
        for (JsonNode p : client.processorsInTree(group)) {
            if (isGhost(p)) {
                ghosts.add(type(p));
            }
        }
        Set<String> expectedGhosts = template.equals(CdcFlows.BINLOG_REPLICA) ? Set.of() : KAFKA_GHOSTS;
        assertEquals(new TreeSet<>(expectedGhosts), ghosts,
                "ghost components (missing extensions) of " + template + ": only the Kafka ones, whose NAR is not installed here");

        enableServices(client, services);
        Map<String, String> notEnabled = new TreeMap<>();
        for (JsonNode s : CdcFlows.servicesByName(client, group).values()) {
            String state = client.controllerService(s.path("id").asText()).path("component").path("state").asText();
            if (!isGhost(s) && !"ENABLED".equals(state)) {
                notEnabled.put(s.path("component").path("name").asText(),
                        state + " " + client.controllerServiceValidationErrors(s.path("id").asText()));
            }
        }
        assertEquals(Map.of(), notEnabled, "services of " + template + " that did not enable");

        Map<String, List<String>> invalid = new TreeMap<>();
        boolean ourProcessorSeen = false;
        for (JsonNode p : client.processorsInTree(group)) {
            String id = p.path("id").asText();
            ourProcessorSeen |= type(p).startsWith("dev.nificdc.");
            if (isGhost(p)) {
                assertTrue(KAFKA_GHOSTS.contains(type(p)));
                continue;
            }
            // Validation follows the enabling of services asynchronously.
            List<String> errors = client.await("processor " + p.path("component").path("name").asText() + " of " + template + " to be valid",
                    () -> client.processorValidationErrors(id), e -> e.isEmpty());
            if (!errors.isEmpty()) {
                invalid.put(p.path("component").path("name").asText(), errors);
            }
        }
        assertEquals(Map.of(), invalid, "invalid processors of " + template);
        assertTrue(ourProcessorSeen, template + " holds one of our capture processors");
    }

    /** Enables the services in passes: a service is only valid once the services it references are enabled. */
    private static void enableServices(NiFiRestClient client, Map<String, JsonNode> services) {
        for (int pass = 0; pass < services.size(); pass++) {
            boolean enabledOne = false;
            for (JsonNode s : services.values()) {
                String id = s.path("id").asText();
                if (isGhost(s) || "ENABLED".equals(client.controllerService(id).path("component").path("state").asText())) {
                    continue;
                }
                if (client.controllerServiceValidationErrors(id).isEmpty()) {
                    client.enableControllerService(id);
                    enabledOne = true;
                }
            }
            if (!enabledOne) {
                return;
            }
        }
    }

    private static Map<String, String> parameters(String template) {
        JdbcTarget db = new JdbcTarget(mariaDb.jdbcUrl(database), "org.mariadb.jdbc.Driver", JdbcTarget.jarOf(org.mariadb.jdbc.Driver.class),
                MariaDbServer.CDC_USER, MariaDbServer.CDC_PASSWORD, "MySQL");
        Map<String, String> p = new LinkedHashMap<>();
        if (!template.equals(CdcFlows.TIMESTAMP_KAFKA)) {
            p.put("mysql.hosts", mariaDb.host() + ":" + mariaDb.port());
            p.put("mysql.username", MariaDbServer.CDC_USER);
            p.put("mysql.password", MariaDbServer.CDC_PASSWORD);
            p.put("cdc.database.include", database);
        }
        switch (template) {
            case CdcFlows.BINLOG_REPLICA -> {
                p.put("replica.db.url", db.url());
                p.put("replica.db.driver.class", db.driverClass());
                p.put("replica.db.driver.location", db.driverJar().toString());
                p.put("replica.db.username", db.user());
                p.put("replica.db.password", db.password());
            }
            case CdcFlows.TIMESTAMP_KAFKA -> {
                p.put("db.url", db.url());
                p.put("db.driver.class", db.driverClass());
                p.put("db.driver.location", db.driverJar().toString());
                p.put("db.username", db.user());
                p.put("db.password", db.password());
                p.put("source.table", database + ".customers");
                p.put("source.timestamp.column", "updated_at");
                p.put("source.incrementing.column", "id");
            }
            default -> {
            }
        }
        if (!template.equals(CdcFlows.BINLOG_REPLICA)) {
            p.put("cdc.topic.prefix", "e2e");
            // Nothing listens there: the registry client connects only when used. kafka.bootstrap.servers keeps the
            // template's example value: only the ghost Kafka3ConnectionService uses it, and NiFi refuses to change a
            // parameter that a ghost references (it treats every property of a ghost as sensitive).
            p.put("schema.registry.urls", "http://127.0.0.1:8081");
        }
        return p;
    }

    private static boolean isGhost(JsonNode component) {
        return component.path("component").path("extensionMissing").asBoolean(false);
    }

    private static String type(JsonNode component) {
        return component.path("component").path("type").asText();
    }
}
