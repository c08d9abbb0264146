package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.testsupport.MariaDbServer;
import dev.nificdc.testsupport.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The headless NiFi runs a flow of standard components built only through the REST API:
 * GenerateFlowFile (JSON) -> PutDatabaseRecord (JsonTreeReader, DBCPConnectionPool) into a private PostgreSQL and
 * a private MariaDB, and the same kind of flow imported from a flow definition with a parameter context.
 */
class StandardFlowIT {
    private static final String CREATE_PEOPLE = "CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, city VARCHAR(40))";

    @RegisterExtension
    static final SharedNiFi NIFI = new SharedNiFi();

    private static PostgresServer postgres;

    @BeforeAll
    static void startPostgres() {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void generatedJsonRecordsLandInPostgres() throws Exception {
        String database = postgres.createDatabase("smoke");
        try (Connection c = postgres.connection(database); Statement s = c.createStatement()) {
            s.execute(CREATE_PEOPLE);
        }
        runGenerateToPutDatabaseRecord(JdbcTargets.postgres(postgres, database), () -> readPeople(() -> postgres.connection(database)));
    }

    @Test
    void generatedJsonRecordsLandInMariaDb() throws Exception {
        try (MariaDbServer mariaDb = MariaDbServer.start()) {
            String database = mariaDb.createDatabase("smoke");
            mariaDb.execute("CREATE TABLE `" + database + "`.people (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, city VARCHAR(40))");
            JdbcTarget target = JdbcTargets.mariaDb(mariaDb, database, "nifi_writer", "writer-Secret-1");
            runGenerateToPutDatabaseRecord(target,
                    () -> readPeople(() -> DriverManager.getConnection(target.url(), target.user(), target.password())));
        }
    }

    /** GenerateFlowFile (three JSON records, run once) -> PutDatabaseRecord into {@code people} of {@code target}. */
    private static void runGenerateToPutDatabaseRecord(JdbcTarget target, RowReader rows) throws Exception {
        NiFiRestClient client = NIFI.client();
        String group = client.createProcessGroup(client.rootGroupId(), "Standard flow into " + target.databaseType());
        DatabaseSink sink = DatabaseSink.create(client, group, target, DatabaseSink.JSON_TREE_READER, Map.of(),
                Map.of("Statement Type", "INSERT", "Table Name", "people"));
        String generate = client.createProcessor(group, "org.apache.nifi.processors.standard.GenerateFlowFile", "Generate people", Map.of(
                "Custom Text", """
                        [{"id": 1, "name": "Ada", "city": "London"},
                         {"id": 2, "name": "Grace", "city": null},
                         {"id": 3, "name": "Émilie", "city": "Paris"}]"""));
        String queue = client.connect(group, generate, sink.putDatabaseRecordId(), "success");

        client.startProcessor(sink.putDatabaseRecordId());
        client.runProcessorOnce(generate);

        assertEquals(List.of("1|Ada|London", "2|Grace|null", "3|Émilie|Paris"), awaitRows(rows, 3));
        client.await("the queue into PutDatabaseRecord to drain", () -> client.queued(queue), n -> n == 0L);
        client.stopProcessor(sink.putDatabaseRecordId());
    }

    /**
     * A flow definition downloaded from one group imports into another (multipart upload, as the UI's
     * "Import from file"), takes its table name from a parameter context and runs.
     */
    @Test
    void uploadedFlowDefinitionRunsWithItsParameters() throws Exception {
        String database = postgres.createDatabase("imported");
        try (Connection c = postgres.connection(database); Statement s = c.createStatement()) {
            s.execute(CREATE_PEOPLE);
        }
        NiFiRestClient client = NIFI.client();
        String root = client.rootGroupId();
        String template = client.createProcessGroup(root, "Template");
        DatabaseSink sink = DatabaseSink.create(client, template, JdbcTargets.postgres(postgres, database), DatabaseSink.JSON_TREE_READER, Map.of(),
                Map.of("Statement Type", "INSERT", "Table Name", "#{target.table}"));
        String generate = client.createProcessor(template, "org.apache.nifi.processors.standard.GenerateFlowFile", "Generate people",
                Map.of("Custom Text", "[{\"id\": 7, \"name\": \"Hedy\", \"city\": \"Vienna\"}]"));
        // Runs once when started, then waits: the imported group is started as a whole.
        client.updateProcessorConfig(generate, JsonNodeFactory.instance.objectNode().put("schedulingPeriod", "1 day"));
        client.connect(template, generate, sink.putDatabaseRecordId(), "success");
        String definition = client.downloadFlowDefinition(template);

        String imported = client.uploadFlowDefinition(root, "Imported", definition);
        assertEquals(new TreeSet<>(List.of("Generate people", "PutDatabaseRecord")), new TreeSet<>(client.processorIdsByName(imported).keySet()));
        String context = client.createParameterContext("Imported parameters", Map.of("target.table", "no_such_table"), List.of());
        client.bindParameterContext(imported, context);
        client.setParameters(context, Map.of("target.table", "people"), List.of());
        client.startGroup(imported);

        assertEquals(List.of("7|Hedy|Vienna"), awaitRows(() -> readPeople(() -> postgres.connection(database)), 1));
        client.await("the imported group's queues to drain", () -> client.queuedInGroup(imported), n -> n == 0L);
        client.stopGroup(imported);
    }

    private interface RowReader {
        List<String> read() throws SQLException;
    }

    private interface ConnectionSource {
        Connection open() throws SQLException;
    }

    private static List<String> awaitRows(RowReader reader, int expected) throws SQLException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        List<String> rows = reader.read();
        while (rows.size() < expected && Instant.now().isBefore(deadline)) {
            NiFiInstance.sleep(250);
            rows = reader.read();
        }
        return rows;
    }

    private static List<String> readPeople(ConnectionSource database) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.open(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT id, name, city FROM people ORDER BY id")) {
            while (r.next()) {
                rows.add(r.getInt(1) + "|" + r.getString(2) + "|" + r.getString(3));
            }
        }
        return rows;
    }
}
