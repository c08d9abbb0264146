package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.testsupport.MariaDbServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Shared pieces of the capture end-to-end tests: the flow definitions of templates/, the replica flow, table dumps. */
final class CdcFlows {
    static final String BINLOG_REPLICA = "binlog-to-database-replica.json";
    static final String BINLOG_KAFKA = "binlog-to-kafka.json";
    static final String TIMESTAMP_KAFKA = "timestamp-to-kafka.json";
    static final String POSTGRES_REPLICA = "postgres-to-database-replica.json";
    static final String POSTGRES_KAFKA = "postgres-to-kafka.json";

    private CdcFlows() {
    }

    static Path templatesDirectory() {
        for (Path candidate : List.of(Path.of("..", "templates"), Path.of("templates"))) {
            if (Files.isRegularFile(candidate.resolve(BINLOG_REPLICA))) {
                return candidate;
            }
        }
        throw new IllegalStateException("templates/ not found from " + Path.of("").toAbsolutePath() + ": run the tests from the repository or module root");
    }

    /**
     * The flow definition's JSON with its parameter context renamed to {@code contextName}: NiFi binds an imported
     * flow to an existing context of the same name, and the tests share one NiFi, so each import gets its own context.
     */
    static String flowDefinition(String file, String contextName) {
        return FlowDefinitions.withParameterContext(flowDefinition(file), contextName);
    }

    /** The flow definition's JSON as shipped. */
    static String flowDefinition(String file) {
        try {
            return Files.readString(templatesDirectory().resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String parameterContextOf(NiFiRestClient client, String groupId) {
        String id = client.get("/process-groups/" + groupId).path("component").path("parameterContext").path("id").asText();
        if (id.isEmpty()) {
            throw new IllegalStateException("Imported group " + groupId + " has no parameter context");
        }
        return id;
    }

    /** Controller services defined in the group itself, by name. */
    static Map<String, JsonNode> servicesByName(NiFiRestClient client, String groupId) {
        Map<String, JsonNode> services = new LinkedHashMap<>();
        for (JsonNode s : client.get("/flow/process-groups/" + groupId + "/controller-services?includeAncestorGroups=false"
                + "&includeDescendantGroups=false").path("controllerServices")) {
            services.put(s.path("component").path("name").asText(), s);
        }
        return services;
    }

    /** The binlog-to-database-replica flow, imported and pointed at a source MariaDB and a target database. */
    record ReplicaFlow(String groupId, String contextId, String captureId, String putId, String readerId, String poolId, String queueId) {
    }

    /** The source's current binlog file and position ({@code SHOW MASTER STATUS}). */
    static Map.Entry<String, Long> binlogEnd(MariaDbServer source) throws SQLException {
        try (Connection c = source.adminConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW MASTER STATUS")) {
            if (!r.next()) {
                throw new IllegalStateException("SHOW MASTER STATUS returned nothing: binary logging is off on the test server");
            }
            return Map.entry(r.getString(1), r.getLong(2));
        }
    }

    /**
     * Imports templates/binlog-to-database-replica.json, sets its parameters (CDC user of {@code source}, databases
     * matching {@code database}, {@code target}), starts capture at the source's current binlog end (so nothing written
     * after this call is missed however long NiFi takes to start the processor). The flow is otherwise as shipped
     * (PutDatabaseRecord's UPSERT: the standard processors here are 2.6.0, see the module's README). Nothing is started.
     */
    static ReplicaFlow importReplica(NiFiRestClient client, String name, MariaDbServer source, String database, JdbcTarget target) throws SQLException {
        return importReplica(client, name, source, database, target, false);
    }

    /**
     * As {@link #importReplica(NiFiRestClient, String, MariaDbServer, String, JdbcTarget)}; with {@code snapshot} the
     * template's own Snapshot Mode (initial) stays: existing rows are copied first, then the binlog streams.
     */
    static ReplicaFlow importReplica(NiFiRestClient client, String name, MariaDbServer source, String database, JdbcTarget target,
                                     boolean snapshot) throws SQLException {
        String group = client.uploadFlowDefinition(client.rootGroupId(), name, flowDefinition(BINLOG_REPLICA, name + " " + UUID.randomUUID()));
        String context = parameterContextOf(client, group);
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("mysql.hosts", source.host() + ":" + source.port());
        parameters.put("mysql.username", MariaDbServer.CDC_USER);
        parameters.put("mysql.password", MariaDbServer.CDC_PASSWORD);
        parameters.put("cdc.database.include", database);
        parameters.putAll(FlowDefinitions.replicaParameters(target));
        client.setParameters(context, parameters, List.of("mysql.password", "replica.db.password"));

        Map<String, String> processors = client.processorIdsByNameInTree(group);
        String capture = processors.get("Capture binlog changes");
        String put = processors.get("Apply changes to the replica");
        if (!snapshot) {
            Map.Entry<String, Long> end = binlogEnd(source);
            client.updateProcessorProperties(capture, Map.of("Snapshot Mode", "never", "Initial Binlog Position", "FILE_POSITION",
                    "Initial Binlog File", end.getKey(), "Initial Binlog Position Offset", Long.toString(end.getValue())));
        }

        Map<String, JsonNode> services = servicesByName(client, group);
        String queue = client.groupFlow(group).path("connections").get(0).path("id").asText();
        return new ReplicaFlow(group, context, capture, put, services.get("Avro Reader (embedded schema)").path("id").asText(),
                services.get("Replica Database").path("id").asText(), queue);
    }

    /**
     * Imports templates/postgres-to-database-replica.json and sets its parameters: the CDC user of {@code databases},
     * the source database and its tables matching {@code tablePattern} (schema.table), a slot named after the source
     * database, the administrator's publication {@code nifi_cdc}, and {@code target}. The template's Snapshot Mode
     * (initial) stays: rows already in the tables are copied first, then the slot streams from exactly there.
     * PutDatabaseRecord runs as shipped (UPSERT; the standard processors here are 2.6.0). Nothing is started.
     */
    static ReplicaFlow importPostgresReplica(NiFiRestClient client, String name, PostgresSourceAndReplica databases, String sourceDatabase,
                                             String tablePattern, JdbcTarget target) {
        String group = client.uploadFlowDefinition(client.rootGroupId(), name, flowDefinition(POSTGRES_REPLICA, name + " " + UUID.randomUUID()));
        String context = parameterContextOf(client, group);
        client.setParameters(context, databases.cdcServer().replicaFlowParameters(sourceDatabase, tablePattern, target),
                PostgresCdcServer.SENSITIVE_PARAMETERS);

        Map<String, String> processors = client.processorIdsByNameInTree(group);
        String capture = processors.get("Capture PostgreSQL changes");
        String put = processors.get("Apply changes to the replica");
        Map<String, JsonNode> services = servicesByName(client, group);
        String queue = client.groupFlow(group).path("connections").get(0).path("id").asText();
        return new ReplicaFlow(group, context, capture, put, services.get("Avro Reader (embedded schema)").path("id").asText(),
                services.get("Replica Database").path("id").asText(), queue);
    }

    /** Every row of the table, ordered by its first column, as text ("1|abc|12.50|null"). */
    static List<String> dump(Connection connection, String table) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM " + table + " ORDER BY 1")) {
            ResultSetMetaData meta = r.getMetaData();
            while (r.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.append(i > 1 ? "|" : "").append(r.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    static Connection open(JdbcTarget target) throws SQLException {
        return DriverManager.getConnection(target.url(), target.user(), target.password());
    }
}
