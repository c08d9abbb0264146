package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.cdc.binlog.BinlogSourceConfig.HostPort;
import dev.nificdc.cdc.binlog.BinlogSourceConfig;
import dev.nificdc.cdc.binlog.BinlogStreamingSource;
import dev.nificdc.cdc.binlog.DdlOutput;
import dev.nificdc.cdc.binlog.StartPosition;
import dev.nificdc.cdc.binlog.TlsSettings;
import dev.nificdc.cdc.binlog.snapshot.ConsistencyMethod;
import dev.nificdc.cdc.binlog.snapshot.MySqlSnapshotSource;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.IncrementalSnapshotConfig;
import dev.nificdc.cdc.emit.RegistrySchemaIdentifiers;
import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.cdc.record.TableSchema;
import dev.nificdc.registry.SchemaRegistrar;
import org.apache.avro.Schema;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.context.PropertyContext;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.SchemaIdentifier;
import org.apache.nifi.ssl.SSLContextProvider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static dev.nificdc.cdc.processors.BinlogCaptureProperties.*;

/** CaptureBinlogChange's properties, parsed once when it is scheduled (and for Verify). */
record BinlogCaptureConfig(BinlogSourceConfig source, SnapshotMode snapshotMode, InitialBinlogPosition initialPosition,
                             RecordSetWriterFactory writerFactory, OutputShape outputShape, SchemaRegistrar registrar,
                             String topicPrefix, int maxEventsPerFlowFile, Duration maxWait,
                             IncrementalSnapshotConfig incremental) {

    /** The TLS settings from the SSL Context Service, or null without one. */
    private static TlsSettings tls(PropertyContext context) {
        SSLContextProvider ssl = context.getProperty(SSL_CONTEXT_SERVICE).asControllerService(SSLContextProvider.class);
        if (ssl == null) {
            return null;
        }
        return new TlsSettings(ssl.createContext(), ssl.createTrustManager(), ssl.createKeyManager().orElse(null),
                context.getProperty(VERIFY_HOST_NAME).asBoolean());
    }

    static BinlogCaptureConfig from(PropertyContext context, ComponentLog log) {
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
        String prefix = context.getProperty(OutputProperties.TOPIC_PREFIX).evaluateAttributeExpressions().getValue();
        String topicPrefix = prefix == null ? "" : prefix.trim();
        BinlogSourceConfig source = new BinlogSourceConfig(hosts,
                context.getProperty(USERNAME).evaluateAttributeExpressions().getValue(),
                context.getProperty(PASSWORD).getValue(),
                serverId,
                Duration.ofMillis(context.getProperty(CONNECT_TIMEOUT).asTimePeriod(TimeUnit.MILLISECONDS)),
                Duration.ofMillis(context.getProperty(HEARTBEAT_INTERVAL).asTimePeriod(TimeUnit.MILLISECONDS)),
                tls(context),
                filter, start,
                topicPrefix.isEmpty() ? hosts.get(0).host() : topicPrefix,
                Duration.ofMillis(context.getProperty(FAILOVER_TIMEOUT).asTimePeriod(TimeUnit.MILLISECONDS)),
                new DdlOutput(context.getProperty(INCLUDE_TRUNCATES).asBoolean(), context.getProperty(INCLUDE_SCHEMA_CHANGES).asBoolean()));
        return new BinlogCaptureConfig(source, snapshotMode, initial,
                context.getProperty(OutputProperties.RECORD_WRITER).asControllerService(RecordSetWriterFactory.class),
                context.getProperty(OutputProperties.OUTPUT_SHAPE).asAllowableValue(OutputShape.class),
                context.getProperty(OutputProperties.SCHEMA_REGISTRY).asControllerService(SchemaRegistrar.class),
                topicPrefix,
                context.getProperty(MAX_EVENTS_PER_FLOWFILE).asInteger(),
                Duration.ofMillis(context.getProperty(MAX_WAIT).asTimePeriod(TimeUnit.MILLISECONDS)),
                IncrementalSnapshotProperties.config(context, filter));
    }

    /** The engine that runs this capture: MySQL snapshot read views, then the binlog. */
    CaptureCoordinator<BinlogOffset> coordinator(CaptureLogger logger) {
        return new CaptureCoordinator<>(snapshotSource(logger), new BinlogStreamingSource(source, logger),
                new CaptureCoordinator.Config(snapshotMode.policy(), maxEventsPerFlowFile, maxWait, source.heartbeatInterval()),
                incremental, logger);
    }

    /** Snapshot read views as the processor opens them (Verify only previews them, without a lock). */
    MySqlSnapshotSource snapshotSource(CaptureLogger logger) {
        return new MySqlSnapshotSource(source, ConsistencyMethod.AUTO, logger);
    }

    BiFunction<TableSchema, Schema, SchemaIdentifier> schemaIdentifiers() {
        return RegistrySchemaIdentifiers.forRegistrar(registrar, topicPrefix);
    }

    String transitUri(String database, String table) {
        return "mysql://" + source.hosts().get(0) + "/" + database + "/" + table;
    }

    private static List<String> patterns(PropertyContext context, PropertyDescriptor property) {
        return TableFilter.split(context.getProperty(property).evaluateAttributeExpressions().getValue());
    }
}
