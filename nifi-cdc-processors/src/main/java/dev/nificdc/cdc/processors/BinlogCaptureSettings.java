package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.binlog.BinlogCaptureException;
import dev.nificdc.cdc.binlog.BinlogConnectionConfig;
import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.cdc.binlog.BinlogReader;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.JdbcConnector;
import dev.nificdc.cdc.binlog.StartPosition;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.emit.RegistrySchemaIdentifiers;
import dev.nificdc.cdc.binlog.snapshot.ConsistencyMethod;
import dev.nificdc.cdc.binlog.snapshot.ConsistentSnapshot;
import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.registry.SchemaRegistrar;
import dev.nificdc.cdc.record.TableSchema;
import org.apache.avro.Schema;
import org.apache.nifi.context.PropertyContext;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.SchemaIdentifier;
import org.apache.nifi.ssl.SSLContextProvider;

import javax.net.ssl.SSLContext;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static dev.nificdc.cdc.processors.BinlogCaptureProperties.*;

/** CaptureBinlogChange's properties, parsed once when it is scheduled (and for Verify). */
record BinlogCaptureSettings(List<HostPort> hosts, String username, String password, long serverId, Duration connectTimeout,
                             Duration heartbeatInterval, SSLContext sslContext, TableFilter filter,
                             SnapshotMode snapshotMode, InitialBinlogPosition initialPosition, StartPosition startPosition,
                             RecordSetWriterFactory writerFactory,
                             OutputShape outputShape, SchemaRegistrar registrar, String topicPrefix, int maxEventsPerFlowFile, Duration maxWait) {

    record HostPort(String host, int port) {
        static HostPort parse(String value) {
            String trimmed = value.trim();
            int colon = trimmed.lastIndexOf(':');
            return colon < 0 ? new HostPort(trimmed, 3306) : new HostPort(trimmed.substring(0, colon), Integer.parseInt(trimmed.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    static BinlogCaptureSettings from(PropertyContext context, ComponentLog log) {
        List<HostPort> hosts = new ArrayList<>();
        for (String host : context.getProperty(HOSTS).evaluateAttributeExpressions().getValue().split(",")) {
            if (!host.isBlank()) {
                hosts.add(HostPort.parse(host));
            }
        }
        Long configuredId = context.getProperty(SERVER_ID).evaluateAttributeExpressions().asLong();
        long serverId = configuredId != null ? configuredId : ThreadLocalRandom.current().nextLong(65_536, 2_147_483_648L);
        if (configuredId == null && log != null) {
            log.info("No Server ID configured: announcing random replica server id {}", serverId);
        }
        SSLContextProvider ssl = context.getProperty(SSL_CONTEXT_SERVICE).asControllerService(SSLContextProvider.class);
        TableFilter filter = TableFilter.of(patterns(context, DATABASE_INCLUDE), patterns(context, DATABASE_EXCLUDE),
                patterns(context, TABLE_INCLUDE), patterns(context, TABLE_EXCLUDE), patterns(context, COLUMN_EXCLUDE));
        SnapshotMode snapshotMode = context.getProperty(SNAPSHOT_MODE).asAllowableValue(SnapshotMode.class);
        InitialBinlogPosition initial = snapshotMode == SnapshotMode.NEVER
                ? context.getProperty(INITIAL_POSITION).asAllowableValue(InitialBinlogPosition.class) : null;
        // without a snapshot mode of 'never', the start position comes from the snapshot (or the current end for no_data)
        StartPosition start = initial == null ? StartPosition.latest() : switch (initial) {
            case EARLIEST -> StartPosition.earliest();
            case LATEST -> StartPosition.latest();
            case FILE_POSITION -> StartPosition.filePosition(context.getProperty(INITIAL_FILE).evaluateAttributeExpressions().getValue(),
                    context.getProperty(INITIAL_FILE_POSITION).evaluateAttributeExpressions().asLong());
            case GTID -> StartPosition.gtid(context.getProperty(INITIAL_GTID).evaluateAttributeExpressions().getValue());
        };
        String prefix = context.getProperty(TOPIC_PREFIX).evaluateAttributeExpressions().getValue();
        return new BinlogCaptureSettings(hosts,
                context.getProperty(USERNAME).evaluateAttributeExpressions().getValue(),
                context.getProperty(PASSWORD).getValue(),
                serverId,
                Duration.ofMillis(context.getProperty(CONNECT_TIMEOUT).asTimePeriod(TimeUnit.MILLISECONDS)),
                Duration.ofMillis(context.getProperty(HEARTBEAT_INTERVAL).asTimePeriod(TimeUnit.MILLISECONDS)),
                ssl == null ? null : ssl.createContext(),
                filter, snapshotMode, initial, start,
                context.getProperty(RECORD_WRITER).asControllerService(RecordSetWriterFactory.class),
                context.getProperty(OUTPUT_SHAPE).asAllowableValue(OutputShape.class),
                context.getProperty(SCHEMA_REGISTRY).asControllerService(SchemaRegistrar.class),
                prefix == null ? "" : prefix.trim(),
                context.getProperty(MAX_EVENTS_PER_FLOWFILE).asInteger(),
                Duration.ofMillis(context.getProperty(MAX_WAIT).asTimePeriod(TimeUnit.MILLISECONDS)));
    }

    /** Connects to the first host that answers, resuming at {@code resume} or, without it, at the initial position. */
    BinlogReader openReader(BinlogOffset resume, CaptureLogger logger) {
        BinlogCaptureException last = null;
        for (HostPort host : hosts) {
            BinlogReader reader = BinlogReader.builder(connectionConfig(host))
                    .filter(filter)
                    .resumeFrom(resume)
                    .startPosition(startPosition)
                    .jdbc(jdbc(host))
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

    /** Opens a consistent snapshot read view on the first host that answers. */
    ConsistentSnapshot openSnapshot(CaptureLogger logger) throws SQLException {
        SQLException last = null;
        for (HostPort host : hosts) {
            try {
                return ConsistentSnapshot.open(jdbc(host), ConsistencyMethod.AUTO, filter, logicalName(), logger);
            } catch (SQLException e) {
                if (e instanceof SQLNonTransientConnectionException || e.getCause() instanceof java.net.ConnectException) {
                    logger.warn("Could not connect to " + host + " for the snapshot: " + e.getMessage());
                    last = e;
                    continue;
                }
                throw e;
            }
        }
        throw last;
    }

    /** The server's current binlog end (SHOW MASTER STATUS) on the first host that answers, for Snapshot Mode no_data. */
    BinlogOffset currentPosition() throws SQLException {
        SQLException last = null;
        for (HostPort host : hosts) {
            try (Connection connection = jdbc(host).open();
                 Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
                if (!rs.next()) {
                    throw new SQLException("SHOW MASTER STATUS returned nothing: is the binlog enabled (log_bin)?");
                }
                return BinlogOffset.at(rs.getString(1), rs.getLong(2));
            } catch (SQLNonTransientConnectionException e) {
                last = e;
            }
        }
        throw last;
    }

    String logicalName() {
        return topicPrefix.isEmpty() ? hosts.get(0).host() : topicPrefix;
    }

    BinlogConnectionConfig connectionConfig(HostPort host) {
        BinlogConnectionConfig.Builder builder = BinlogConnectionConfig.builder(host.host(), host.port(), username, password)
                .serverId(serverId)
                .connectTimeout(connectTimeout)
                .heartbeatInterval(heartbeatInterval)
                .logicalName(logicalName());
        if (sslContext != null) {
            builder.ssl(BinlogConnectionConfig.SslMode.VERIFY_CA, sslContext);
        }
        return builder.build();
    }

    /** JDBC connections for metadata and server checks, with the same credentials and TLS requirement. */
    JdbcConnector jdbc(HostPort host) {
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

    BiFunction<TableSchema, Schema, SchemaIdentifier> schemaIdentifiers() {
        return RegistrySchemaIdentifiers.forRegistrar(registrar, topicPrefix);
    }

    String transitUri(String database, String table) {
        return "mysql://" + hosts.get(0) + "/" + database + "/" + table;
    }

    private static List<String> patterns(PropertyContext context, org.apache.nifi.components.PropertyDescriptor property) {
        return TableFilter.split(context.getProperty(property).evaluateAttributeExpressions().getValue());
    }
}
