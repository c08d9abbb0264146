package dev.nificdc.e2e;

import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.testsupport.MariaDbServer;
import dev.nificdc.testsupport.PostgresServer;

/** {@link JdbcTarget}s for the test harness's private servers, with the JDBC driver jars from the test class path. */
final class JdbcTargets {
    private JdbcTargets() {
    }

    static JdbcTarget postgres(PostgresServer server, String database) {
        return new JdbcTarget(server.jdbcUrl(database), "org.postgresql.Driver", JdbcTarget.jarOf(org.postgresql.Driver.class),
                PostgresServer.USER, "", "PostgreSQL");
    }

    /**
     * A MariaDB database NiFi writes to as {@code user}, who is created here with all privileges on that database
     * only (the CDC user of the harness may only read).
     */
    static JdbcTarget mariaDb(MariaDbServer server, String database, String user, String password) {
        server.execute("CREATE USER IF NOT EXISTS '" + user + "'@'%' IDENTIFIED BY '" + password + "'",
                "GRANT ALL PRIVILEGES ON `" + database + "`.* TO '" + user + "'@'%'");
        return new JdbcTarget(server.jdbcUrl(database), "org.mariadb.jdbc.Driver", JdbcTarget.jarOf(org.mariadb.jdbc.Driver.class),
                user, password, "MySQL");
    }
}
