package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.PostgresServer;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A private PostgreSQL with the BEFORE UPDATE trigger recipe (the tables belong to the superuser postgres), started
 * before a test class's tests and stopped after them ({@code @RegisterExtension static final}).
 */
final class PostgresTimestampDatabase implements TimestampTestDatabase {
    private static final Login OBSERVER = new Login("cdc_stats", "stats-Secret-1");
    private static final Login PLAIN = new Login("cdc_plain", "plain-Secret-1");

    private PostgresServer server;
    private String database;

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        server = PostgresServer.start();
        database = server.createDatabase("tsfetch");
        try (Connection c = server.connection(database); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE FUNCTION set_updated_at() RETURNS trigger AS $$
                    BEGIN
                      NEW.updated_at := now();
                      RETURN NEW;
                    END;
                    $$ LANGUAGE plpgsql""");
            s.execute("CREATE ROLE " + OBSERVER.user() + " LOGIN PASSWORD '" + OBSERVER.password() + "' IN ROLE pg_read_all_stats");
            s.execute("CREATE ROLE " + PLAIN.user() + " LOGIN PASSWORD '" + PLAIN.password() + "'");
            s.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO " + OBSERVER.user() + ", " + PLAIN.user());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
    }

    @Override
    public String url() {
        return server.jdbcUrl(database);
    }

    @Override
    public Login login() {
        return new Login(PostgresServer.USER, null);
    }

    @Override
    public Login transactionObserver() {
        return OBSERVER;
    }

    @Override
    public Login withoutTransactionPrivilege() {
        return PLAIN;
    }

    @Override
    public String transactionPrivilege() {
        return "pg_read_all_stats";
    }

    @Override
    public Connection connect() throws SQLException {
        return server.connection(database);
    }

    @Override
    public String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    public String localTimestampType() {
        return "timestamp(6)";
    }

    @Override
    public String schemaName() {
        return "public";
    }

    @Override
    public String[] standardTable(String table) {
        return new String[]{"CREATE TABLE " + quote(table) + " (id BIGSERIAL PRIMARY KEY, name VARCHAR(50), "
                + "updated_at timestamp(6) NOT NULL DEFAULT now(), created_at timestamp(6) NOT NULL DEFAULT now(), "
                + "deleted BOOLEAN NOT NULL DEFAULT FALSE)",
                "CREATE TRIGGER " + quote(table + "_updated_at") + " BEFORE UPDATE ON " + quote(table)
                        + " FOR EACH ROW EXECUTE FUNCTION set_updated_at()"};
    }

    @Override
    public String setSessionZone() {
        return "SET TIME ZONE 'Asia/Kathmandu'";
    }

    @Override
    public String insertGenerated(String table, int count, String timestamp) {
        String ts = timestamp != null ? "CAST(" + timestamp + " AS timestamp)" : "timestamp '2024-01-01 00:00:00' + (n % 997) * interval '1 microsecond'";
        return "INSERT INTO " + quote(table) + " (name, updated_at) SELECT 'r' || n, " + ts + " FROM generate_series(1, " + count + ") n";
    }
}
