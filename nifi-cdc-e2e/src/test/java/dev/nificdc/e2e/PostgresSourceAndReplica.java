package dev.nificdc.e2e;

import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.testsupport.PostgresServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * A private PostgreSQL server ({@code wal_level=logical}) holding both ends of a PostgreSQL replication test: a source
 * database captured by {@code CapturePostgresChange} as the CDC user the processor's documentation describes (LOGIN,
 * REPLICATION, SELECT on the tables, a publication created by the administrator), and a replica database written by
 * its own user. Register it as a static field: the server starts before the class's tests and stops after them.
 */
final class PostgresSourceAndReplica implements BeforeAllCallback, AfterAllCallback {
    static final String CDC_USER = "nifi_cdc";
    static final String CDC_PASSWORD = "cdc-Secret-1";
    static final String REPLICA_USER = "nifi_replica";
    static final String REPLICA_PASSWORD = "replica-Secret-1";

    private PostgresServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = PostgresServer.start();
        server.execute(null, "CREATE ROLE " + CDC_USER + " WITH LOGIN REPLICATION PASSWORD '" + CDC_PASSWORD + "'",
                "CREATE ROLE " + REPLICA_USER + " WITH LOGIN PASSWORD '" + REPLICA_PASSWORD + "'");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
    }

    PostgresServer server() {
        return server;
    }

    /**
     * A new source database whose tables (created by {@code tableStatements} as the administrator) the CDC user may read
     * and a publication {@code nifi_cdc} publishes; returns its name.
     */
    String createSource(String prefix, String... tableStatements) {
        String db = server.createDatabase(prefix);
        server.execute(db, tableStatements);
        server.execute(db, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + CDC_USER,
                "CREATE PUBLICATION nifi_cdc FOR ALL TABLES");
        return db;
    }

    /** A new replica database with the same tables, written by the replica user; the target NiFi writes to. */
    JdbcTarget createReplica(String prefix, String... tableStatements) {
        String db = server.createDatabase(prefix);
        server.execute(db, tableStatements);
        server.execute(db, "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO " + REPLICA_USER,
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + REPLICA_USER);
        return new JdbcTarget(server.jdbcUrl(db) + "?stringtype=unspecified", "org.postgresql.Driver",
                JdbcTarget.jarOf(org.postgresql.Driver.class), REPLICA_USER, REPLICA_PASSWORD, "PostgreSQL");
    }

    /** Runs {@code statements} on the replica database of {@code replica} as the administrator (its tables' owner). */
    void executeOnReplica(JdbcTarget replica, String... statements) {
        String url = replica.url();
        int query = url.indexOf('?');
        server.execute(url.substring(url.lastIndexOf('/') + 1, query < 0 ? url.length() : query), statements);
    }

    Connection admin(String database) throws SQLException {
        return server.connection(database);
    }

    /** Whether a connection streams from the slot now. */
    boolean slotActive(String slot) {
        try (Connection c = server.connection(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return rs.next() && rs.getBoolean(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Drops the slot once no connection streams from it (within 30 s), so a test leaves the server without its slot. */
    void dropSlot(String slot) {
        Instant deadline = Instant.now().plusSeconds(30);
        do {
            try (Connection c = server.connection(null); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
                if (!rs.next()) {
                    return;
                }
                if (!rs.getBoolean(1)) {
                    s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
                    return;
                }
            } catch (SQLException e) {
                throw new IllegalStateException("Could not drop slot " + slot + ": " + e.getMessage(), e);
            }
            NiFiInstance.sleep(200);
        } while (Instant.now().isBefore(deadline));
        throw new IllegalStateException("Slot " + slot + " is still active 30 s after its processor stopped");
    }
}
