package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.JdbcConnector;
import dev.nificdc.cdc.core.TableFilter;

import javax.net.ssl.SSLContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * One MySQL/MariaDB source: its hosts (fail-over candidates with the same binlog, tried in order), the capture user,
 * TLS, what to capture and where to start without a stored offset; and the connections to it.
 *
 * @param hosts             the servers, tried in order when connecting
 * @param username          the capture user
 * @param password          its password; never logged
 * @param serverId          the replica server id the binlog reader announces
 * @param connectTimeout    how long one connection attempt may take
 * @param heartbeatInterval how often the server sends a heartbeat when idle
 * @param sslContext        TLS for every connection, or null for plain connections
 * @param filter            which tables and columns are captured
 * @param startPosition     where streaming starts without a stored offset
 * @param logicalName       the logical server name written into {@code source.name}
 * @param ddlOutput         whether truncates and schema changes are captured
 */
public record BinlogSourceConfig(List<HostPort> hosts, String username, String password, long serverId, Duration connectTimeout,
                                 Duration heartbeatInterval, SSLContext sslContext, TableFilter filter,
                                 StartPosition startPosition, String logicalName, DdlOutput ddlOutput) {

    /** One server address. */
    public record HostPort(String host, int port) {
        /** {@code host[:port]}, port 3306 when omitted. */
        public static HostPort parse(String value) {
            String trimmed = value.trim();
            int colon = trimmed.lastIndexOf(':');
            return colon < 0 ? new HostPort(trimmed, 3306) : new HostPort(trimmed.substring(0, colon), Integer.parseInt(trimmed.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public BinlogSourceConfig {
        hosts = List.copyOf(hosts);
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("At least one host is needed");
        }
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(startPosition, "startPosition");
        ddlOutput = ddlOutput == null ? DdlOutput.DEFAULT : ddlOutput;
    }

    /** A source capturing truncates and no schema changes ({@link DdlOutput#DEFAULT}). */
    public BinlogSourceConfig(List<HostPort> hosts, String username, String password, long serverId, Duration connectTimeout,
                              Duration heartbeatInterval, SSLContext sslContext, TableFilter filter, StartPosition startPosition,
                              String logicalName) {
        this(hosts, username, password, serverId, connectTimeout, heartbeatInterval, sslContext, filter, startPosition, logicalName,
                DdlOutput.DEFAULT);
    }

    /** Connects to the first host that answers, resuming at {@code resume} or, without it, at the start position. */
    public BinlogReader openReader(BinlogOffset resume, CaptureLogger logger) {
        BinlogCaptureException last = null;
        for (HostPort host : hosts) {
            BinlogReader reader = BinlogReader.builder(connectionConfig(host))
                    .filter(filter)
                    .resumeFrom(resume)
                    .startPosition(startPosition)
                    .jdbc(jdbc(host))
                    .ddlOutput(ddlOutput)
                    .logger(logger)
                    .build();
            try {
                reader.start();
                return reader;
            } catch (BinlogCaptureException e) {
                reader.close();
                if (e.reason() != BinlogCaptureException.Reason.CONNECTION) {
                    throw e;
                }
                logger.warn("Could not connect to " + host + ": " + e.getMessage());
                last = e;
            }
        }
        throw last;
    }

    /** The current binlog end on the first host that answers (Snapshot Mode no_data). */
    public BinlogOffset currentPosition() throws SQLException {
        SQLException last = null;
        for (HostPort host : hosts) {
            try (Connection connection = jdbc(host).open()) {
                return new MySqlServer(connection).binlogPosition().orElseThrow(() ->
                        new SQLException("SHOW MASTER STATUS returned nothing: is the binlog enabled (log_bin)?"));
            } catch (SQLNonTransientConnectionException e) {
                last = e;
            }
        }
        throw last;
    }

    /** The binlog connection to {@code host}; with an SSL context, TLS is required and the certificate verified. */
    public BinlogConnectionConfig connectionConfig(HostPort host) {
        BinlogConnectionConfig.Builder builder = BinlogConnectionConfig.builder(host.host(), host.port(), username, password)
                .serverId(serverId)
                .connectTimeout(connectTimeout)
                .heartbeatInterval(heartbeatInterval)
                .logicalName(logicalName);
        if (sslContext != null) {
            builder.ssl(BinlogConnectionConfig.SslMode.VERIFY_CA, sslContext);
        }
        return builder.build();
    }

    /** JDBC connections to {@code host} for metadata, server checks and the snapshot, with the same credentials and TLS requirement. */
    public JdbcConnector jdbc(HostPort host) {
        return () -> {
            Properties properties = new Properties();
            properties.setProperty("user", username);
            if (password != null) {
                properties.setProperty("password", password);
            }
            properties.setProperty("connectTimeout", String.valueOf(connectTimeout.toMillis()));
            if (sslContext != null) {
                // The binlog connection verifies the certificate with the SSL Context Service; metadata queries only need encryption.
                properties.setProperty("sslMode", "trust");
            }
            return new org.mariadb.jdbc.Driver().connect("jdbc:mariadb://" + host + "/", properties);
        };
    }

    @Override
    public String toString() {
        return "BinlogSourceConfig[" + username + "@" + hosts + ", serverId=" + serverId + "]";
    }
}
