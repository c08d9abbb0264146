package dev.nificdc.e2e;

import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.testsupport.PostgresServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@link Demo} with {@code --source postgres}: a private PostgreSQL source ({@code wal_level=logical}) and a private
 * PostgreSQL replica, set up as {@link PostgresCdcServer} describes, and templates/postgres-to-database-replica.json as
 * shipped: its initial snapshot copies the rows already there, then the replication slot streams from exactly there.
 */
final class PostgresDemoSource implements DemoSource {
    private static final String SCHEMA = "public";

    private String table;
    private PostgresCdcServer sourceServer;
    private String database;
    private Connection source;
    private JdbcTarget replicaTarget;
    private Connection replica;

    @Override
    public String template() {
        return "postgres-to-database-replica.json";
    }

    @Override
    public String groupName() {
        return "CDC PostgreSQL to Database Replica (demo)";
    }

    @Override
    public String captureProcessor() {
        return "Capture PostgreSQL changes";
    }

    @Override
    public String lagCounter() {
        return "Replication lag (ms)";
    }

    @Override
    public void start(DemoOptions options, Consumer<String> step, Consumer<AutoCloseable> track) throws Exception {
        table = options.tableName();
        String createTable = DemoTables.sampleTableStatement(quotedTable(), "");
        step.accept("Starting the source: a private PostgreSQL with wal_level=logical");
        sourceServer = PostgresCdcServer.start();
        track.accept(sourceServer);
        database = sourceServer.createSource("nifi_cdc_demo", createTable);
        step.accept("PostgreSQL " + sourceServer.server().majorVersion() + " runs; created the sample table " + database + ".public."
                + table + " (int, varchar, decimal columns), the publication " + PostgresCdcServer.PUBLICATION + " and the CDC user "
                + PostgresCdcServer.CDC_USER + " (LOGIN REPLICATION, SELECT)");
        source = sourceServer.server().connection(database);
        track.accept(source);

        step.accept("Starting the replica: a second private PostgreSQL with the same table. The flow's initial snapshot"
                + " copies the source's rows, then its replication slot streams every change from there");
        PostgresCdcServer replicaServer = PostgresCdcServer.start();
        track.accept(replicaServer);
        replicaTarget = replicaServer.createReplica("nifi_cdc_demo", createTable);
        replica = DriverManager.getConnection(replicaTarget.url(), replicaTarget.user(), replicaTarget.password());
        track.accept(replica);
    }

    @Override
    public Connection source() {
        return source;
    }

    @Override
    public Connection replica() {
        return replica;
    }

    @Override
    public Connection connectSource() throws SQLException {
        return sourceServer.server().connection(database);
    }

    @Override
    public String quotedTable() {
        return "\"" + table.replace("\"", "\"\"") + "\"";
    }

    @Override
    public List<String> primaryKey() {
        try {
            return DemoTables.primaryKey(source, null, SCHEMA, table);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the primary key of " + tableLabel() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String tableLabel() {
        return database + "." + SCHEMA + "." + table;
    }

    @Override
    public Map<String, String> flowParameters() {
        return sourceServer.replicaFlowParameters(database, DemoTables.literalPattern(SCHEMA + "." + table), replicaTarget);
    }

    @Override
    public List<String> sensitiveParameters() {
        return PostgresCdcServer.SENSITIVE_PARAMETERS;
    }

    @Override
    public Map<String, String> captureProperties() {
        return Map.of();
    }

    @Override
    public String canvasNote() {
        return "./demo.sh imported postgres-to-database-replica.json and set it up: its parameters point at the demo's two"
                + " PostgreSQL servers (slot " + database + ", publication " + PostgresCdcServer.PUBLICATION + "), the capture"
                + " copies the table's rows first and then streams the slot, and the demo writes changes into the source. Nothing"
                + " to set here: watch the queue and the processors' counters. Ctrl-C in the demo's terminal stops it and deletes"
                + " everything it started.";
    }

    @Override
    public String clientHint() {
        PostgresServer server = sourceServer.server();
        return String.format("psql -h %s -p %d -U %s %s", server.host(), server.port(), PostgresServer.USER, database);
    }
}
