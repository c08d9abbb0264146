package dev.nificdc.e2e;

import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.testsupport.PostgresServer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A private PostgreSQL server ({@code wal_level=logical}) set up as templates/postgres-to-database-replica.json expects:
 * a CDC user as CapturePostgresChange's documentation describes it (LOGIN, REPLICATION, SELECT on the tables, a
 * publication created by the administrator) and a replica user that writes the replica's tables. Source and replica
 * databases may live on one such server (the tests) or on two (the demo).
 */
public final class PostgresCdcServer implements AutoCloseable {
    public static final String CDC_USER = "nifi_cdc";
    public static final String CDC_PASSWORD = "cdc-Secret-1";
    public static final String REPLICA_USER = "nifi_replica";
    public static final String REPLICA_PASSWORD = "replica-Secret-1";
    public static final String PUBLICATION = "nifi_cdc";
    public static final List<String> SENSITIVE_PARAMETERS = List.of("postgres.password", "replica.db.password");

    private final PostgresServer server;

    private PostgresCdcServer(PostgresServer server) {
        this.server = server;
    }

    public static PostgresCdcServer start() {
        PostgresServer server = PostgresServer.start();
        try {
            server.execute(null, "CREATE ROLE " + CDC_USER + " WITH LOGIN REPLICATION PASSWORD '" + CDC_PASSWORD + "'",
                    "CREATE ROLE " + REPLICA_USER + " WITH LOGIN PASSWORD '" + REPLICA_PASSWORD + "'");
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return new PostgresCdcServer(server);
    }

    public PostgresServer server() {
        return server;
    }

    /**
     * A new source database whose tables (created by {@code tableStatements} as the administrator) the CDC user may read
     * and the publication {@link #PUBLICATION} publishes; returns its name.
     */
    public String createSource(String prefix, String... tableStatements) {
        String db = server.createDatabase(prefix);
        server.execute(db, tableStatements);
        server.execute(db, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + CDC_USER,
                "CREATE PUBLICATION " + PUBLICATION + " FOR ALL TABLES");
        return db;
    }

    /**
     * A new replica database with the same tables, written by the replica user. Its URL has {@code stringtype=unspecified}
     * (as the template's parameter says), so values carried as text (numeric, timestamps, json, uuid) are cast by the server.
     */
    public JdbcTarget createReplica(String prefix, String... tableStatements) {
        String db = server.createDatabase(prefix);
        server.execute(db, tableStatements);
        server.execute(db, "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO " + REPLICA_USER,
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + REPLICA_USER);
        return new JdbcTarget(server.jdbcUrl(db) + "?stringtype=unspecified", "org.postgresql.Driver",
                JdbcTarget.jarOf(org.postgresql.Driver.class), REPLICA_USER, REPLICA_PASSWORD, "PostgreSQL");
    }

    /**
     * The parameters of templates/postgres-to-database-replica.json for capturing {@code sourceDatabase} of this server
     * (tables matching {@code tablePattern}, schema.table) as the CDC user, with a slot named after the database and the
     * publication {@link #PUBLICATION}, into {@code replica}. {@link #SENSITIVE_PARAMETERS} are the sensitive ones.
     */
    public Map<String, String> replicaFlowParameters(String sourceDatabase, String tablePattern, JdbcTarget replica) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("postgres.host", server.host() + ":" + server.port());
        parameters.put("postgres.database", sourceDatabase);
        parameters.put("postgres.username", CDC_USER);
        parameters.put("postgres.password", CDC_PASSWORD);
        parameters.put("postgres.slot.name", sourceDatabase);
        parameters.put("postgres.publication.name", PUBLICATION);
        parameters.put("cdc.table.include", tablePattern);
        parameters.putAll(FlowDefinitions.replicaParameters(replica));
        return parameters;
    }

    @Override
    public void close() {
        server.close();
    }
}
