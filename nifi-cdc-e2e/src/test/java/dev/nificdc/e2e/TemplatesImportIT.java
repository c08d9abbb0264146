package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.testsupport.MariaDbServer;
import dev.nificdc.testsupport.PostgresServer;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every flow definition in templates/ uploads into a new process group through the REST API (the UI's "Import from
 * file"); once its parameters point at a private MariaDB (or, for the PostgreSQL flows, a private PostgreSQL), its
 * controller services enable and its components are valid.
 *
 * <p>This NiFi has no Kafka NAR (none is served for NiFi 2.x, see the module README), so {@code PublishKafka} and
 * {@code Kafka3ConnectionService} of the Kafka flows stay ghost components (NiFi's placeholders for a missing
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
    private static PostgresServer postgres;
    private static String postgresDatabase;

    @BeforeAll
    static void startMariaDb() {
        mariaDb = MariaDbServer.start();
        database = mariaDb.createDatabase("inventory");
        mariaDb.execute("CREATE TABLE `" + database + "`.customers (id INT PRIMARY KEY, name VARCHAR(40), "
                + "updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))");
        postgres = PostgresServer.start();
        postgresDatabase = postgres.createDatabase("inventory");
        postgres.execute(postgresDatabase, "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(40))");
    }

    @AfterAll
    static void stopMariaDb() {
        if (mariaDb != null) {
            mariaDb.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void theTestCoversEveryTemplate() throws Exception {
        try (Stream<java.nio.file.Path> files = Files.list(CdcFlows.templatesDirectory())) {
            Set<String> templates = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(List.of(CdcFlows.BINLOG_KAFKA, CdcFlows.BINLOG_REPLICA, CdcFlows.TIMESTAMP_KAFKA,
                            CdcFlows.POSTGRES_KAFKA, CdcFlows.POSTGRES_REPLICA)), templates,
                    "a new flow definition in templates/ needs its parameters in this test");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {CdcFlows.BINLOG_REPLICA, CdcFlows.BINLOG_KAFKA, CdcFlows.TIMESTAMP_KAFKA, CdcFlows.POSTGRES_KAFKA,
            CdcFlows.POSTGRES_REPLICA})
    void templateImportsAndItsComponentsAreValid(String template) {
        NiFiRestClient client = NIFI.client();
        String group = client.uploadFlowDefinition(client.rootGroupId(), template,
                CdcFlows.flowDefinition(template, template + " " + UUID.randomUUID()));
        client.setParameters(CdcFlows.parameterContextOf(client, group), parameters(template), List.of("mysql.password",
                "postgres.password", "replica.db.password", "db.password").stream().filter(parameters(template)::containsKey).toList());

        Map<String, JsonNode> services = CdcFlows.servicesByName(client, group);
        Set<String> ghosts = new TreeSet<>();
        services.values().stream().filter(TemplatesImportIT::isGhost).forEach(s -> ghosts.add(type(s)));
        for (JsonNode p : client.processorsInTree(group)) {
            if (isGhost(p)) {
                ghosts.add(type(p));
            }
        }
        Set<String> expectedGhosts = template.endsWith("-kafka.json") ? KAFKA_GHOSTS : Set.of();
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

    /**
     * What NiFi 2.3 does with the parameter context a flow definition names, as templates/README.md says: an upload
     * ("Import from file", which offers no choice) binds the new group to an existing context of the same name and
     * keeps that context's values; only when no context has the name does it create one, with the file's values. Our
     * files name their contexts after themselves and the nifi-cdc version, so an import meets only a context made by an
     * earlier import of the same file that was not renamed.
     */
    @Test
    void importBindsToAnExistingParameterContextOfTheSameNameAndKeepsItsValues() {
        NiFiRestClient client = NIFI.client();
        String shipped = CdcFlows.flowDefinition(CdcFlows.BINLOG_REPLICA);
        String first = client.uploadFlowDefinition(client.rootGroupId(), "first replica", shipped);
        String firstContext = CdcFlows.parameterContextOf(client, first);
        String fileContextName = client.parameterContextName(firstContext);
        assertTrue(fileContextName.endsWith("(" + CdcFlows.BINLOG_REPLICA + ", nifi-cdc " + System.getProperty("project.version") + ")"),
                fileContextName);
        assertEquals("mysql.example.com:3306", client.parameterValues(firstContext).get("mysql.hosts"), "the file's example value");
        client.setParameters(firstContext, Map.of("mysql.hosts", "live-db.example.com:3306"), List.of());

        String second = client.uploadFlowDefinition(client.rootGroupId(), "second replica", shipped);
        assertEquals(firstContext, CdcFlows.parameterContextOf(client, second), "NiFi binds the second import to the first one's context");
        assertEquals("live-db.example.com:3306", client.parameterValues(firstContext).get("mysql.hosts"), "and keeps its values");

        String kafka = client.uploadFlowDefinition(client.rootGroupId(), "binlog to kafka", CdcFlows.flowDefinition(CdcFlows.BINLOG_KAFKA));
        assertNotEquals(firstContext, CdcFlows.parameterContextOf(client, kafka), "another file names another context");

        // Renamed (as templates/README.md advises once a flow is configured), the context is left alone by the next import.
        client.renameParameterContext(firstContext, "replica of live-db");
        String third = client.uploadFlowDefinition(client.rootGroupId(), "third replica", shipped);
        String thirdContext = CdcFlows.parameterContextOf(client, third);
        assertNotEquals(firstContext, thirdContext);
        assertEquals(fileContextName, client.parameterContextName(thirdContext));
        assertEquals("mysql.example.com:3306", client.parameterValues(thirdContext).get("mysql.hosts"));
        assertEquals("live-db.example.com:3306", client.parameterValues(firstContext).get("mysql.hosts"));
    }

    /**
     * What templates/README.md and the db.driver.location parameter say about a driver JAR that is not on the NiFi host:
     * the connection pool is invalid with NiFi's own message naming the path, an Enable leaves it ENABLING (NiFi waits for
     * it to become valid), and once the parameter names an existing JAR it enables by itself.
     */
    @Test
    void aDriverJarThatIsNotThereLeavesThePoolEnablingUntilTheParameterNamesOne() {
        NiFiRestClient client = NIFI.client();
        String group = client.uploadFlowDefinition(client.rootGroupId(), "driver not there",
                CdcFlows.flowDefinition(CdcFlows.TIMESTAMP_KAFKA, "driver not there " + UUID.randomUUID()));
        String context = CdcFlows.parameterContextOf(client, group);
        Map<String, String> parameters = new LinkedHashMap<>(parameters(CdcFlows.TIMESTAMP_KAFKA));
        String driver = parameters.remove("db.driver.location");
        String example = client.parameterValues(context).get("db.driver.location");
        client.setParameters(context, parameters, List.of("db.password"));
        String pool = CdcFlows.servicesByName(client, group).get("Source Database").path("id").asText();

        List<String> errors = client.controllerServiceValidationErrors(pool);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.getFirst().contains("The specified resource(s) do not exist or could not be accessed: [" + example + "]"), errors.toString());
        client.requestEnable(pool);
        assertEquals("ENABLING", client.await("the pool to take the enable request", () -> client.controllerServiceState(pool),
                state -> !"DISABLED".equals(state)));

        client.setParameters(context, Map.of("db.driver.location", driver), List.of());
        client.await("the pool to enable once the driver is there", () -> client.controllerServiceState(pool), "ENABLED"::equals);
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
        if (template.startsWith("postgres-")) {
            p.put("postgres.host", postgres.host() + ":" + postgres.port());
            p.put("postgres.database", postgresDatabase);
            p.put("postgres.username", PostgresServer.USER);
            p.put("postgres.password", "unused (trust authentication)");
            p.put("postgres.slot.name", "templates_import_it");
            p.put("cdc.table.include", "public\\.customers");
            db = new JdbcTarget(postgres.jdbcUrl(postgresDatabase), "org.postgresql.Driver", JdbcTarget.jarOf(org.postgresql.Driver.class),
                    PostgresServer.USER, "unused (trust authentication)", "PostgreSQL");
        } else if (!template.equals(CdcFlows.TIMESTAMP_KAFKA)) {
            p.put("mysql.hosts", mariaDb.host() + ":" + mariaDb.port());
            p.put("mysql.username", MariaDbServer.CDC_USER);
            p.put("mysql.password", MariaDbServer.CDC_PASSWORD);
            p.put("cdc.database.include", database);
        }
        switch (template) {
            case CdcFlows.BINLOG_REPLICA, CdcFlows.POSTGRES_REPLICA -> {
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
        if (template.endsWith("-kafka.json")) {
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
