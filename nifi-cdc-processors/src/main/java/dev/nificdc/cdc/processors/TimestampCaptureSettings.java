package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.cdc.timestamp.FetchConfig;
import dev.nificdc.cdc.timestamp.Identifiers;
import dev.nificdc.cdc.timestamp.SqlDialect;
import dev.nificdc.cdc.timestamp.TableColumns;
import dev.nificdc.cdc.timestamp.TableName;
import dev.nificdc.cdc.timestamp.TableSelection;
import dev.nificdc.registry.SchemaRegistrar;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.serialization.RecordSetWriterFactory;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.nificdc.cdc.processors.TimestampCaptureProperties.*;

/**
 * CaptureTimestampChange's properties, parsed once when it is scheduled (and for Verify).
 *
 * @param overrides the tables' own column settings (dynamic properties), by table name
 */
record TimestampCaptureSettings(TableSelection selection, TableColumns defaults, Map<TableName, String> overrides,
                                String additionalWhere, Duration commitLag, OpenTransactionHandling openTransactions,
                                int fetchSize, int maxRowsPerFlowFile, long maxRowsPerRun, SqlDialect dialect,
                                InitialTimestampPosition initialPosition, String initialTimestamp,
                                RecordSetWriterFactory writerFactory, OutputShape outputShape, SchemaRegistrar registrar,
                                String topicPrefix) {

    /** @throws IllegalArgumentException with a message naming the property to fix */
    static TimestampCaptureSettings from(ProcessContext context) {
        List<String> include = TableSelection.splitPatterns(context.getProperty(TABLE_INCLUDE).getValue());
        TableSelection selection = TableSelection.of(TableName.parseList(context.getProperty(TABLE_NAMES).getValue()), include,
                include.isEmpty() ? List.of() : TableSelection.splitPatterns(context.getProperty(TABLE_EXCLUDE).getValue()),
                TABLE_INCLUDE.getName(), TABLE_EXCLUDE.getName());
        TableColumns defaults = new TableColumns(
                Identifiers.parseColumn(context.getProperty(TIMESTAMP_COLUMN).getValue(), TIMESTAMP_COLUMN.getName()),
                optionalColumn(context, INCREMENTING_COLUMN), optionalColumn(context, CREATION_COLUMN),
                optionalColumn(context, SOFT_DELETE_COLUMN),
                Identifiers.parseList(context.getProperty(COLUMNS_TO_RETURN).getValue(), COLUMNS_TO_RETURN.getName()));
        Map<TableName, String> overrides = new LinkedHashMap<>();
        for (Map.Entry<PropertyDescriptor, String> property : context.getProperties().entrySet()) {
            if (property.getKey().isDynamic() && property.getValue() != null) {
                String table = property.getKey().getName();
                try {
                    overrides.put(TableName.parse(table), property.getValue());
                    defaults.with(property.getValue());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("Dynamic property [" + table + "]: " + e.getMessage(), e);
                }
            }
        }
        InitialTimestampPosition initial = context.getProperty(INITIAL_POSITION).asAllowableValue(InitialTimestampPosition.class);
        return new TimestampCaptureSettings(selection, defaults, overrides,
                context.getProperty(ADDITIONAL_WHERE).getValue(),
                Duration.ofMillis(context.getProperty(COMMIT_LAG).asTimePeriod(TimeUnit.MILLISECONDS)),
                context.getProperty(OPEN_TRANSACTIONS).asAllowableValue(OpenTransactionHandling.class),
                context.getProperty(FETCH_SIZE).asInteger(),
                context.getProperty(MAX_ROWS_PER_FLOWFILE).asInteger(),
                context.getProperty(MAX_ROWS_PER_RUN).asLong(),
                context.getProperty(SQL_DIALECT).asAllowableValue(SqlDialectOption.class).dialect(),
                initial,
                initial == InitialTimestampPosition.GIVEN_TIMESTAMP ? context.getProperty(INITIAL_TIMESTAMP).getValue() : null,
                context.getProperty(OutputProperties.RECORD_WRITER).asControllerService(RecordSetWriterFactory.class),
                context.getProperty(OUTPUT_SHAPE).asAllowableValue(OutputShape.class),
                context.getProperty(OutputProperties.SCHEMA_REGISTRY).asControllerService(SchemaRegistrar.class),
                context.getProperty(OutputProperties.TOPIC_PREFIX).evaluateAttributeExpressions().getValue());
    }

    private static String optionalColumn(ProcessContext context, PropertyDescriptor property) {
        String value = context.getProperty(property).getValue();
        return value == null ? null : Identifiers.parseColumn(value, property.getName());
    }

    /** The columns of a table: its dynamic property's settings over the processor's; a qualified name's property wins. */
    TableColumns columns(TableName table) {
        return overrides.entrySet().stream()
                .filter(o -> o.getKey().matchesIgnoringCase(table))
                .max(Comparator.comparingInt(o -> o.getKey().parts().size()))
                .map(o -> defaults.with(o.getValue()))
                .orElse(defaults);
    }

    /** The dynamic properties that name none of {@code tables}. */
    List<TableName> unmatchedOverrides(List<TableName> tables) {
        return overrides.keySet().stream().filter(o -> tables.stream().noneMatch(o::matchesIgnoringCase)).toList();
    }

    /** The fetch configuration of one table. */
    FetchConfig fetchConfig(TableName table) {
        TableColumns columns = columns(table);
        return new FetchConfig(table, columns.timestampColumn(), columns.idColumn(), columns.creationColumn(), columns.softDeleteColumn(),
                additionalWhere, columns.columns(), commitLag, openTransactions == OpenTransactionHandling.WAIT, fetchSize,
                maxRowsPerFlowFile, maxRowsPerRun, dialect, topicPrefix);
    }
}
