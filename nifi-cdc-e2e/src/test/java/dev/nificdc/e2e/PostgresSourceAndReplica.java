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
    static final String CDC_USER = PostgresCdcServer.CDC_USER;
    static final String CDC_PASSWORD = PostgresCdcServer.CDC_PASSWORD;

    private PostgresCdcServer cdcServer;
    private PostgresServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        cdcServer = PostgresCdcServer.start();
        server = cdcServer.server();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cdcServer != null) {
            cdcServer.close();
        }
    }

    PostgresServer server() {
        return server;
    }

    PostgresCdcServer cdcServer() {
        return cdcServer;
    }

    /** See {@link PostgresCdcServer#createSource}. */
    String createSource(String prefix, String... tableStatements) {
        return cdcServer.createSource(prefix, tableStatements);
    }

    /** See {@link PostgresCdcServer#createReplica}. */
    JdbcTarget createReplica(String prefix, String... tableStatements) {
        return cdcServer.createReplica(prefix, tableStatements);
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
