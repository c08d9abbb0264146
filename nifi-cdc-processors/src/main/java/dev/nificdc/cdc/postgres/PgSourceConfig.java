package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.JdbcConnector;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.postgres.types.PgSessionSettings;
import dev.nificdc.cdc.record.ChangeSize;
import org.postgresql.Driver;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/**
 * One PostgreSQL source: the server and database, the capture user, the replication slot and publication, what to
 * capture, and the connections to it. Every connection runs with {@link PgSessionSettings}, under which the server's
 * text output of a value is exact and the same for the stream and the snapshot.
 *
 * @param host              server host
 * @param port              server port
 * @param database          the database captured (a slot belongs to one database)
 * @param username          the capture user
 * @param password          its password; never logged
 * @param slotName          the logical replication slot
 * @param publicationName   the publication the slot streams
 * @param filter            which schemas, tables and columns are captured
 * @param logicalName       the logical server name written into {@code source.name}
 * @param connectTimeout    how long one connection attempt may take
 * @param statusInterval    how often the stream tells the server how far it got (it also answers every keepalive)
 * @param queueCapacity     changes read ahead of the processor at most
 * @param queueKilobytes    their estimated size at most, in KB (one change always fits)
 * @param dropInvalidatedSlot true when an invalidated slot may be dropped and created anew (Snapshot Mode when_needed)
 */
public record PgSourceConfig(String host, int port, String database, String username, String password, String slotName,
                             String publicationName, TableFilter filter, String logicalName, Duration connectTimeout,
                             Duration statusInterval, int queueCapacity, int queueKilobytes, boolean dropInvalidatedSlot) {
    private static final Driver DRIVER = new Driver();
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    public static final int DEFAULT_QUEUE_KILOBYTES = (int) (ChangeSize.BUFFER_BYTES >> 10);

    public PgSourceConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(slotName, "slotName");
        Objects.requireNonNull(publicationName, "publicationName");
        Objects.requireNonNull(filter, "filter");
        if (queueCapacity < 1 || queueKilobytes < 1) {
            throw new IllegalArgumentException("The read-ahead queue needs a positive capacity and budget");
        }
    }

    /** A source with the default timeouts and read-ahead queue. */
    public static PgSourceConfig of(String host, int port, String database, String username, String password, String slotName,
                                    String publicationName, TableFilter filter, String logicalName) {
        return new PgSourceConfig(host, port, database, username, password, slotName, publicationName, filter, logicalName,
                Duration.ofSeconds(30), Duration.ofSeconds(10), DEFAULT_QUEUE_CAPACITY, DEFAULT_QUEUE_KILOBYTES, false);
    }

    public PgSourceConfig withQueue(int capacity, int kilobytes) {
        return new PgSourceConfig(host, port, database, username, password, slotName, publicationName, filter, logicalName,
                connectTimeout, statusInterval, capacity, kilobytes, dropInvalidatedSlot);
    }

    public PgSourceConfig withStatusInterval(Duration interval) {
        return new PgSourceConfig(host, port, database, username, password, slotName, publicationName, filter, logicalName,
                connectTimeout, interval, queueCapacity, queueKilobytes, dropInvalidatedSlot);
    }

    public PgSourceConfig withDropInvalidatedSlot(boolean drop) {
        return new PgSourceConfig(host, port, database, username, password, slotName, publicationName, filter, logicalName,
                connectTimeout, statusInterval, queueCapacity, queueKilobytes, drop);
    }

    public String url() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** Plain JDBC connections (catalog, checks, snapshot), with the session settings. */
    public JdbcConnector jdbc() {
        return () -> {
            Connection connection = connect(properties(false, null));
            try {
                PgSessionSettings.forDatabase(connection).applyTo(connection);
                return connection;
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
        };
    }

    /** A replication connection ({@code replication=database}), started with the session settings. */
    public PGConnection replication() throws SQLException {
        PgSessionSettings settings;
        try (Connection plain = connect(properties(false, null))) {
            settings = PgSessionSettings.forDatabase(plain);
        }
        Connection connection = connect(properties(true, settings));
        return connection.unwrap(PGConnection.class);
    }

    /**
     * A connection from pgjdbc's driver itself rather than DriverManager: inside NiFi, DriverManager knows only drivers
     * that something has registered and that the caller's class loader sees, so the NAR's driver is not found there
     * until its class happens to be loaded ("No suitable driver found" on a first snapshot, seen on NiFi 2.3.0).
     */
    private Connection connect(Properties properties) throws SQLException {
        Connection connection = DRIVER.connect(url(), properties);
        if (connection == null) {
            throw new SQLException("The PostgreSQL driver does not accept the URL " + url());
        }
        return connection;
    }

    private Properties properties(boolean replication, PgSessionSettings settings) {
        Properties p = new Properties();
        PGProperty.USER.set(p, username);
        if (password != null) {
            PGProperty.PASSWORD.set(p, password);
        }
        PGProperty.CONNECT_TIMEOUT.set(p, (int) Math.max(1, connectTimeout.toSeconds()));
        PGProperty.APPLICATION_NAME.set(p, "nifi-cdc");
        if (settings != null) {
            PGProperty.OPTIONS.set(p, settings.connectionOptions());
        }
        if (replication) {
            PGProperty.REPLICATION.set(p, "database");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
            PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        }
        return p;
    }

    @Override
    public String toString() {
        return "PostgreSQL " + host + ":" + port + "/" + database + " (slot " + slotName + ", publication " + publicationName + ")";
    }
}
