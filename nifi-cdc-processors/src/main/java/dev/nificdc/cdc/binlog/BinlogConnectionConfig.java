package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.record.ChangeSize;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.Objects;

/**
 * How the reader connects to the server's replication stream. Build with {@link #builder(String, int, String, String)}.
 *
 * @param host              server host name
 * @param port              server port
 * @param user              replication user (needs REPLICATION SLAVE, REPLICATION CLIENT and SELECT)
 * @param password          its password; never logged, left out of {@link #toString()}
 * @param serverId          the replica server id this reader announces; unique among the server's replicas
 * @param connectTimeout    how long one connection attempt may take
 * @param heartbeatInterval how often the server sends a heartbeat when idle; a connection silent for three
 *                          intervals is considered dead and reconnected
 * @param sslMode           TLS use (the library's modes: DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY)
 * @param sslContext        the TLS context to use (e.g. from NiFi's SSLContextService), or null for the JVM default
 * @param queueCapacity     capacity of the bounded queue between the network thread and {@code poll}; when full the
 *                          network thread waits (back-pressure)
 * @param queueKilobytes    the queue's budget in KB of estimated change size, so wide rows are bounded too (one change always fits)
 * @param reconnectBackoff  first wait before reconnecting after a dropped connection; doubles up to {@code maxReconnectBackoff}
 * @param maxReconnectBackoff the longest wait between reconnection attempts
 * @param logicalName       the logical server name written into {@code source.name} (the topic prefix)
 * @param failoverTimeout   how long a lost connection is retried before the reader gives up on the host so that capture
 *                          can move to another one ({@link BinlogReader#hostLost()}); zero retries forever
 */
public record BinlogConnectionConfig(String host, int port, String user, String password, long serverId,
                                     Duration connectTimeout, Duration heartbeatInterval, SslMode sslMode,
                                     SSLContext sslContext, int queueCapacity, int queueKilobytes, Duration reconnectBackoff,
                                     Duration maxReconnectBackoff, String logicalName, Duration failoverTimeout) {

    /** TLS modes, mirroring the binlog library's and MySQL's {@code --ssl-mode}. */
    public enum SslMode {
        DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY
    }

    public BinlogConnectionConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("Port must be between 1 and 65535, was " + port);
        }
        if (serverId <= 0 || serverId > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("Server ID must be between 1 and 4294967295, was " + serverId);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("Queue capacity must be positive, was " + queueCapacity);
        }
        if (queueKilobytes < 1) {
            throw new IllegalArgumentException("Queue budget must be positive, was " + queueKilobytes + " KB");
        }
        password = password == null ? "" : password;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(30) : connectTimeout;
        heartbeatInterval = heartbeatInterval == null ? Duration.ofSeconds(30) : heartbeatInterval;
        sslMode = sslMode == null ? SslMode.DISABLED : sslMode;
        reconnectBackoff = reconnectBackoff == null ? Duration.ofMillis(500) : reconnectBackoff;
        maxReconnectBackoff = maxReconnectBackoff == null ? Duration.ofSeconds(30) : maxReconnectBackoff;
        logicalName = logicalName == null || logicalName.isBlank() ? host : logicalName;
        failoverTimeout = failoverTimeout == null ? Duration.ZERO : failoverTimeout;
    }

    public static Builder builder(String host, int port, String user, String password) {
        return new Builder(host, port, user, password);
    }

    @Override
    public String toString() {
        return "BinlogConnectionConfig[" + user + "@" + host + ":" + port + ", serverId=" + serverId + ", ssl=" + sslMode + "]";
    }

    /** Builder with the defaults documented on the record components. */
    public static final class Builder {
        private final String host;
        private final int port;
        private final String user;
        private final String password;
        private long serverId = 65535;
        private Duration connectTimeout;
        private Duration heartbeatInterval;
        private SslMode sslMode;
        private SSLContext sslContext;
        private int queueCapacity = 10_000;
        private int queueKilobytes = (int) (ChangeSize.BUFFER_BYTES >> 10);
        private Duration reconnectBackoff;
        private Duration maxReconnectBackoff;
        private String logicalName;
        private Duration failoverTimeout;

        private Builder(String host, int port, String user, String password) {
            this.host = host;
            this.port = port;
            this.user = user;
            this.password = password;
        }

        public Builder serverId(long value) {
            this.serverId = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        public Builder heartbeatInterval(Duration value) {
            this.heartbeatInterval = value;
            return this;
        }

        public Builder ssl(SslMode mode, SSLContext context) {
            this.sslMode = mode;
            this.sslContext = context;
            return this;
        }

        public Builder queueKilobytes(int value) {
            this.queueKilobytes = value;
            return this;
        }

        public Builder queueCapacity(int value) {
            this.queueCapacity = value;
            return this;
        }

        public Builder reconnectBackoff(Duration first, Duration max) {
            this.reconnectBackoff = first;
            this.maxReconnectBackoff = max;
            return this;
        }

        public Builder logicalName(String value) {
            this.logicalName = value;
            return this;
        }

        public Builder failoverTimeout(Duration value) {
            this.failoverTimeout = value;
            return this;
        }

        public BinlogConnectionConfig build() {
            return new BinlogConnectionConfig(host, port, user, password, serverId, connectTimeout, heartbeatInterval,
                    sslMode, sslContext, queueCapacity, queueKilobytes, reconnectBackoff, maxReconnectBackoff, logicalName,
                    failoverTimeout);
        }
    }
}
