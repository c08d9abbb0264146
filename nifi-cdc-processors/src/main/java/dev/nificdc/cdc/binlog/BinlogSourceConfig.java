package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CaptureMetrics;
import dev.nificdc.cdc.core.JdbcConnector;
import dev.nificdc.cdc.core.TableFilter;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * One MySQL/MariaDB source: its hosts (a server and the replicas that can stand in for it, tried in order), the capture
 * user, TLS, what to capture and where to start without a stored offset; and the connections to it.
 *
 * @param hosts             the servers, tried in order when connecting; capture moves to the next one when the
 *                          connected host is lost for longer than {@code failoverTimeout}
 * @param username          the capture user
 * @param password          its password; never logged
 * @param serverId          the replica server id the binlog reader announces
 * @param connectTimeout    how long one connection attempt may take
 * @param heartbeatInterval how often the server sends a heartbeat when idle
 * @param tls               TLS for every connection, or null for plain connections
 * @param filter            which tables and columns are captured
 * @param startPosition     where streaming starts without a stored offset
 * @param logicalName       the logical server name written into {@code source.name}
 * @param failoverTimeout   how long the connected host may stay unreachable before capture moves to the next host
 * @param ddlOutput         whether truncates and schema changes are captured
 */
public record BinlogSourceConfig(List<HostPort> hosts, String username, String password, long serverId, Duration connectTimeout,
                                 Duration heartbeatInterval, TlsSettings tls, TableFilter filter,
                                 StartPosition startPosition, String logicalName, Duration failoverTimeout, DdlOutput ddlOutput) {

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
        failoverTimeout = failoverTimeout == null ? Duration.ZERO : failoverTimeout;
        ddlOutput = ddlOutput == null ? DdlOutput.DEFAULT : ddlOutput;
    }

    /** A reader streaming from the host at {@code hostIndex} in {@link #hosts()}. */
    public record OpenReader(BinlogReader reader, int hostIndex) {
    }

    /** Connects to the first host that answers, resuming at {@code resume} or, without it, at the start position. */
    public BinlogReader openReader(BinlogOffset resume, CaptureLogger logger) {
        return openReader(resume, 0, null, new CaptureMetrics(), logger).reader();
    }

    /**
     * Connects to the first host that answers, trying the hosts in order from {@code firstHost} (and around), resuming at
     * {@code resume} (by GTID on a server other than the one it was read from) or, without it, at the start position.
     * A host that cannot be reached, or that cannot serve the position, is skipped.
     *
     * @param requiredServer when not null, only this server may be streamed from (see {@link BinlogReader.Builder#requireServer})
     * @throws BinlogCaptureException when no host can: the first host's reason when none was reachable, else why the
     *                                reachable ones could not serve
     */
    public OpenReader openReader(BinlogOffset resume, int firstHost, ServerIdentity requiredServer, CaptureMetrics metrics,
                                 CaptureLogger logger) {
        List<BinlogCaptureException> unreachable = new ArrayList<>();
        BinlogCaptureException refused = null;
        for (int i = 0; i < hosts.size(); i++) {
            int index = (firstHost + i) % hosts.size();
            HostPort host = hosts.get(index);
            BinlogReader reader = BinlogReader.builder(connectionConfig(host))
                    .filter(filter)
                    .resumeFrom(resume)
                    .startPosition(startPosition)
                    .jdbc(jdbc(host))
                    .requireServer(requiredServer)
                    .metrics(metrics)
                    .ddlOutput(ddlOutput)
                    .logger(logger)
                    .build();
            try {
                reader.start();
                return new OpenReader(reader, index);
            } catch (BinlogCaptureException e) {
                reader.close();
                if (e.reason() == CaptureException.Reason.CONNECTION) {
                    unreachable.add(e);
                } else if (e.reason() == CaptureException.Reason.POSITION_UNAVAILABLE && hosts.size() > 1) {
                    refused = refused == null ? e : refused; // another host may have it (by GTID)
                } else {
                    throw e;
                }
                if (hosts.size() > 1) {
                    logger.warn("Could not stream from " + host + ": " + e.getMessage());
                }
            }
        }
        if (refused != null) {
            throw refused;
        }
        if (unreachable.size() == 1) {
            throw unreachable.get(0);
        }
        BinlogCaptureException none = new BinlogCaptureException(CaptureException.Reason.CONNECTION, "No host could be reached: "
                + unreachable.stream().map(Throwable::getMessage).collect(Collectors.joining(" ")), unreachable.get(0));
        unreachable.stream().skip(1).forEach(none::addSuppressed);
        throw none;
    }

    /**
     * The current binlog end on the first host that answers (Snapshot Mode no_data).
     *
     * @throws BinlogCaptureException CONNECTION when no host can be reached, saying why
     * @throws SQLException           when a host refuses the question (e.g. a missing privilege)
     */
    public BinlogOffset currentPosition() throws SQLException {
        BinlogCaptureException unreachable = null;
        for (HostPort host : hosts) {
            try (Connection connection = jdbc(host).open()) {
                MySqlServer server = new MySqlServer(connection);
                return server.binlogPosition().orElseThrow(() ->
                        new SQLException("SHOW MASTER STATUS returned nothing: is the binlog enabled (log_bin)?"))
                        .withServer(server.identity());
            } catch (SQLNonTransientConnectionException e) {
                if (unreachable == null) {
                    unreachable = new BinlogCaptureException(CaptureException.Reason.CONNECTION,
                            ConnectionProblems.describe(host.toString(), e), e);
                }
            }
        }
        throw unreachable;
    }

    /** The binlog connection to {@code host}; with TLS settings, TLS is required and the certificate verified. */
    public BinlogConnectionConfig connectionConfig(HostPort host) {
        BinlogConnectionConfig.Builder builder = BinlogConnectionConfig.builder(host.host(), host.port(), username, password)
                .serverId(serverId)
                .connectTimeout(connectTimeout)
                .heartbeatInterval(heartbeatInterval)
                .failoverTimeout(failoverTimeout)
                .logicalName(logicalName);
        if (tls != null) {
            builder.ssl(tls.binlogMode(), tls.context());
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
            if (tls != null) {
                tls.applyTo(properties); // verified against the same trust as the binlog connection
            }
            return new org.mariadb.jdbc.Driver().connect("jdbc:mariadb://" + host + "/", properties);
        };
    }

    @Override
    public String toString() {
        return "BinlogSourceConfig[" + username + "@" + hosts + ", serverId=" + serverId + "]";
    }
}
