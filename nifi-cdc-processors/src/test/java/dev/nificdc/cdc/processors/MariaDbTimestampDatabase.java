package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A private MariaDB 10.11 with the MySQL ON UPDATE CURRENT_TIMESTAMP(6) recipe, started before a test class's tests and
 * stopped after them ({@code @RegisterExtension static final}).
 */
final class MariaDbTimestampDatabase implements TimestampTestDatabase {
    private static final Login OBSERVER = new Login("nifi_cdc_trx", "trx-Secret-1");

    private MariaDbServer server;
    private String database;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = MariaDbServer.start();
        database = server.createDatabase("tsfetch");
        server.execute("CREATE USER '" + OBSERVER.user() + "'@'%' IDENTIFIED BY '" + OBSERVER.password() + "'",
                "GRANT SELECT, PROCESS ON *.* TO '" + OBSERVER.user() + "'@'%'");
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
        return withoutTransactionPrivilege();
    }

    @Override
    public Login transactionObserver() {
        return OBSERVER;
    }

    @Override
    public Login withoutTransactionPrivilege() {
        return new Login(MariaDbServer.CDC_USER, MariaDbServer.CDC_PASSWORD);
    }

    @Override
    public String transactionPrivilege() {
        return "PROCESS";
    }

    @Override
    public Connection connect() throws SQLException {
        Connection c = server.adminConnection();
        c.setCatalog(database);
        return c;
    }

    @Override
    public String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    @Override
    public String localTimestampType() {
        return "DATETIME(6)";
    }

    @Override
    public String schemaName() {
        return database;
    }

    @Override
    public String[] standardTable(String table) {
        return new String[]{"CREATE TABLE " + quote(table) + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50), "
                + "updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), "
                + "created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), deleted BOOLEAN NOT NULL DEFAULT FALSE)"};
    }

    @Override
    public String setSessionZone() {
        return "SET time_zone = '+05:45'";
    }

    @Override
    public String insertGenerated(String table, int count, String timestamp) {
        String ts = timestamp != null ? timestamp : "TIMESTAMPADD(MICROSECOND, seq MOD 997, '2024-01-01 00:00:00')";
        return "INSERT INTO " + quote(table) + " (name, updated_at) SELECT CONCAT('r', seq), " + ts + " FROM seq_1_to_" + count;
    }
}
