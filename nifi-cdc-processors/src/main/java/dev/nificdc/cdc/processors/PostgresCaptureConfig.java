package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.IncrementalSnapshotConfig;
import dev.nificdc.cdc.emit.RegistrySchemaIdentifiers;
import dev.nificdc.cdc.postgres.PgOffset;
import dev.nificdc.cdc.postgres.PgSnapshotSource;
import dev.nificdc.cdc.postgres.PgSourceConfig;
import dev.nificdc.cdc.postgres.PgStreamingSource;
import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.cdc.record.TableSchema;
import dev.nificdc.registry.SchemaRegistrar;
import org.apache.avro.Schema;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.context.PropertyContext;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.SchemaIdentifier;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static dev.nificdc.cdc.processors.PostgresCaptureProperties.*;

/**
 * CapturePostgresChange's properties, parsed once when it is scheduled (and for Verify).
 *
 * @param topicNamespace what precedes {@code <schema>.<table>} in topics and Avro namespaces: {@code <Topic Prefix>.<database>}
 *                       (just the database without a prefix), so topics are {@code <prefix>.<db>.<schema>.<table>}
 */
record PostgresCaptureConfig(PgSourceConfig source, PostgresSnapshotMode snapshotMode, RecordSetWriterFactory writerFactory,
                             OutputShape outputShape, SchemaRegistrar registrar, String topicNamespace, int maxEventsPerFlowFile,
                             Duration maxWait, IncrementalSnapshotConfig incremental) {

    static PostgresCaptureConfig from(PropertyContext context) {
        String hostPort = context.getProperty(HOST).evaluateAttributeExpressions().getValue().trim();
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        int port = colon < 0 ? 5432 : Integer.parseInt(hostPort.substring(colon + 1).trim());
        String database = context.getProperty(DATABASE).evaluateAttributeExpressions().getValue().trim();
        TableFilter filter = TableFilter.of(patterns(context, SCHEMA_INCLUDE), patterns(context, SCHEMA_EXCLUDE),
                patterns(context, TABLE_INCLUDE), patterns(context, TABLE_EXCLUDE), patterns(context, COLUMN_EXCLUDE))
                .withSystemNames(TableFilter.POSTGRES_SYSTEM_SCHEMAS);
        PostgresSnapshotMode mode = context.getProperty(SNAPSHOT_MODE).asAllowableValue(PostgresSnapshotMode.class);
        String prefix = context.getProperty(OutputProperties.TOPIC_PREFIX).evaluateAttributeExpressions().getValue();
        String topicPrefix = prefix == null ? "" : prefix.trim();
        PgSourceConfig source = new PgSourceConfig(host, port, database,
                context.getProperty(USERNAME).evaluateAttributeExpressions().getValue(),
                context.getProperty(PASSWORD).getValue(),
                context.getProperty(SLOT_NAME).evaluateAttributeExpressions().getValue(),
                context.getProperty(PUBLICATION_NAME).evaluateAttributeExpressions().getValue(),
                filter, topicPrefix.isEmpty() ? host : topicPrefix,
                Duration.ofMillis(context.getProperty(CONNECT_TIMEOUT).asTimePeriod(TimeUnit.MILLISECONDS)),
                Duration.ofMillis(context.getProperty(STATUS_INTERVAL).asTimePeriod(TimeUnit.MILLISECONDS)),
                PgSourceConfig.DEFAULT_QUEUE_CAPACITY, PgSourceConfig.DEFAULT_QUEUE_KILOBYTES, mode == PostgresSnapshotMode.WHEN_NEEDED);
        return new PostgresCaptureConfig(source, mode,
                context.getProperty(OutputProperties.RECORD_WRITER).asControllerService(RecordSetWriterFactory.class),
                context.getProperty(OutputProperties.OUTPUT_SHAPE).asAllowableValue(OutputShape.class),
                context.getProperty(OutputProperties.SCHEMA_REGISTRY).asControllerService(SchemaRegistrar.class),
                topicPrefix.isEmpty() ? database : topicPrefix + "." + database,
                context.getProperty(MAX_EVENTS_PER_FLOWFILE).asInteger(),
                Duration.ofMillis(context.getProperty(MAX_WAIT).asTimePeriod(TimeUnit.MILLISECONDS)),
                IncrementalSnapshotProperties.config(context, filter));
    }

    /** The engine that runs this capture: the slot's snapshot read views, then its stream, with incremental snapshots. */
    CaptureCoordinator<PgOffset> coordinator(CaptureLogger logger) {
        PgStreamingSource streaming = new PgStreamingSource(source, logger);
        // the snapshot source judges incremental-snapshot views against what this stream handed out
        return new CaptureCoordinator<>(new PgSnapshotSource(source, streaming.transactions(), logger), streaming,
                new CaptureCoordinator.Config(snapshotMode.policy(), maxEventsPerFlowFile, maxWait), incremental, logger);
    }

    BiFunction<TableSchema, Schema, SchemaIdentifier> schemaIdentifiers() {
        return RegistrySchemaIdentifiers.forRegistrar(registrar, topicNamespace);
    }

    String transitUri(String schema, String table) {
        return "postgresql://" + source.host() + ":" + source.port() + "/" + source.database() + "/" + schema + "/" + table;
    }

    private static List<String> patterns(PropertyContext context, PropertyDescriptor property) {
        return TableFilter.split(context.getProperty(property).evaluateAttributeExpressions().getValue());
    }
}
