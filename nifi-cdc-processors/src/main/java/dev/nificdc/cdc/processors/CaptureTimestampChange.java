package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.emit.ChangeFlowFileWriter;
import dev.nificdc.cdc.emit.ChangeRecordFactory;
import dev.nificdc.cdc.emit.RegistrySchemaIdentifiers;
import dev.nificdc.cdc.timestamp.JdbcSourceInfo;
import dev.nificdc.cdc.timestamp.TableConfigurationException;
import dev.nificdc.cdc.timestamp.TableName;
import dev.nificdc.cdc.timestamp.WatermarkState;
import org.apache.nifi.annotation.behavior.DynamicProperty;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.PrimaryNodeOnly;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.behavior.TriggerSerially;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.configuration.DefaultSchedule;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.documentation.UseCase;
import org.apache.nifi.annotation.lifecycle.OnScheduled;
import org.apache.nifi.annotation.lifecycle.OnStopped;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.state.StateMap;
import org.apache.nifi.dbcp.DBCPService;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.migration.PropertyConfiguration;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.VerifiableProcessor;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.scheduling.SchedulingStrategy;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

@PrimaryNodeOnly
@TriggerSerially
@InputRequirement(InputRequirement.Requirement.INPUT_FORBIDDEN)
@DefaultSchedule(strategy = SchedulingStrategy.TIMER_DRIVEN, period = "10 sec")
@Stateful(scopes = Scope.CLUSTER, description = """
        One watermark per table (watermark.<schema.table>.*): the update timestamp (ISO-8601 text with every fractional \
        digit) and incrementing-column value of the last delivered row, the kind of bound and the columns it belongs to; \
        and the FlowFile sequence number (sequence.id). A table's watermark is updated in the same session as its \
        FlowFiles; just before that commit, intent.<schema.table>.* records what the FlowFiles cover, so that after a \
        crash inside NiFi's commit the next run repeats exactly those rows. Clear the state to fetch every table again \
        from the Initial Position.""")
@Tags({"cdc", "change data capture", "jdbc", "sql", "database", "incremental", "timestamp", "watermark", "query", "record", "avro", "debezium"})
@CapabilityDescription("""
        Fetches new and changed rows of JDBC tables incrementally, by an update-timestamp column plus an optional \
        incrementing (unique) column, and writes them as records: plain rows or Debezium-style change events, one table per \
        FlowFile. The tables are listed by name or matched by a pattern, each with its own watermark. Each run reads rows \
        with the update timestamp below the database's own clock minus the Commit Lag and, on PostgreSQL and \
        MySQL/MariaDB, before the start of the oldest open write transaction, ordered by (timestamp, id) and paged by \
        keyset, so rows sharing a timestamp, late commits and restarts lose nothing. A crash inside NiFi's session commit \
        can deliver a table's last batch twice: the repeat holds the same rows (those not changed since) with the same \
        sequence numbers, so a sink keyed by primary key or DetectDuplicate drops it. Deleted rows are only seen through a \
        soft-delete flag column. See Additional Details for the column recipes (MySQL ON UPDATE, PostgreSQL and Oracle \
        triggers), the privileges and the exact guarantees.""")
@WritesAttributes({
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_DATABASE, description = "The table's schema or database"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_TABLE, description = "The table name"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_TOPIC, description = "Suggested Kafka topic: <Topic Prefix>.<database>.<table>"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_KEY_FIELDS, description = """
                The record fields holding the table's key (its primary key), comma-separated; empty when the table has none. \
                Give it to PutDatabaseRecord as Delete Keys so deletes match on the key alone"""),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_OPERATIONS, description = "How many records of each op (c, u, d, r, t) the FlowFile holds; t (truncate) is always 0 here"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_RECORD_COUNT, description = "Number of records in the FlowFile"),
        @WritesAttribute(attribute = "mime.type", description = "The Record Writer's MIME type"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_VALUE_SCHEMA_ID, description = "Registry id of the value schema (with a Schema Registry)"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_VALUE_SCHEMA_VERSION, description = "Registry version of the value schema (with a Schema Registry)"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_KEY_SCHEMA_ID, description = "Registry id of the key schema (with a Schema Registry and a key)"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_KEY_SCHEMA_VERSION, description = "Registry version of the key schema (with a Schema Registry and a key)"),
        @WritesAttribute(attribute = CaptureTimestampChange.ATTR_FIRST_TIMESTAMP, description = "Update timestamp of the first row in the FlowFile (ISO-8601)"),
        @WritesAttribute(attribute = CaptureTimestampChange.ATTR_LAST_TIMESTAMP, description = "Update timestamp of the last row in the FlowFile (ISO-8601)"),
        @WritesAttribute(attribute = CaptureTimestampChange.ATTR_SEQUENCE, description = """
                Increases by one with every FlowFile this processor emits, across runs and restarts (for EnforceOrder). A \
                FlowFile repeated after a crash inside NiFi's session commit has the same id (DetectDuplicate can drop it)""")
})
@UseCase(description = "Stream new and changed rows of tables with an update-timestamp column to Kafka or another database",
        configuration = """
                Set "Table Names" (or "Table Include Pattern") and "Timestamp Column", and "Incrementing Column" to the primary \
                key (a unique, NOT NULL column); add a dynamic property named after a table for a table whose columns differ. \
                Keep "Open Transactions" at "Wait" and grant the user pg_read_all_stats (PostgreSQL) or PROCESS (MySQL/MariaDB). \
                Set "Output Shape" to "Change Envelope" for Debezium-style consumers or "Flattened Row" for PutDatabaseRecord. \
                Connect "success" to PublishKafka (topic ${cdc.topic}).""")
@DynamicProperty(name = "A table name, as in Table Names",
        value = "Column settings, e.g. Timestamp Column=changed_on; Incrementing Column=order_no",
        description = """
                Replaces the processor's column settings for one table: Timestamp Column, Incrementing Column, Creation \
                Timestamp Column, Soft Delete Column and Columns to Return, each as <setting>=<value>, separated by semicolons \
                or line breaks; an empty value means none. An unqualified name applies to the table of that name in any schema.""")
@SeeAlso(CaptureBinlogChange.class)
public class CaptureTimestampChange extends AbstractProcessor implements VerifiableProcessor {
    static final String ATTR_FIRST_TIMESTAMP = "cdc.timestamp.first";
    static final String ATTR_LAST_TIMESTAMP = "cdc.timestamp.last";
    static final String ATTR_SEQUENCE = "cdc.sequence.id";
    static final String COUNTER_ROWS = "Rows Fetched";

    static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("FlowFiles of fetched rows, one table per FlowFile, in (timestamp, id) order per table")
            .build();

    static final List<PropertyDescriptor> PROPERTY_DESCRIPTORS = TimestampCaptureProperties.ALL;

    private volatile TimestampCaptureSettings settings;
    private volatile TimestampTableCapture capture;
    private volatile TimestampCaptureReporter reporter;

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTY_DESCRIPTORS;
    }

    @Override
    protected PropertyDescriptor getSupportedDynamicPropertyDescriptor(String propertyDescriptorName) {
        return TimestampCaptureProperties.tableColumns(propertyDescriptorName);
    }

    @Override
    public Set<Relationship> getRelationships() {
        return Set.of(REL_SUCCESS);
    }

    @Override
    protected Collection<ValidationResult> customValidate(ValidationContext context) {
        if (!context.getProperty(TimestampCaptureProperties.TABLE_NAMES).isSet()
                && !context.getProperty(TimestampCaptureProperties.TABLE_INCLUDE).isSet()) {
            return List.of(new ValidationResult.Builder().subject(TimestampCaptureProperties.TABLE_NAMES.getName()).valid(false)
                    .explanation("set Table Names, Table Include Pattern or both").build());
        }
        return List.of();
    }

    /** Flows made before multi-table capture name the one table in Table Name. */
    @Override
    public void migrateProperties(PropertyConfiguration config) {
        config.renameProperty(TimestampCaptureProperties.OLD_TABLE_NAME, TimestampCaptureProperties.TABLE_NAMES.getName());
    }

    @OnScheduled
    public void onScheduled(ProcessContext context) {
        settings = TimestampCaptureSettings.from(context);
        String prefix = settings.topicPrefix();
        ChangeFlowFileWriter writer = new ChangeFlowFileWriter(settings.writerFactory(), new ChangeRecordFactory(settings.outputShape(),
                JdbcSourceInfo.FIELDS, prefix, RegistrySchemaIdentifiers.forRegistrar(settings.registrar(), prefix)), prefix, getLogger());
        reporter = new TimestampCaptureReporter(getLogger());
        capture = new TimestampTableCapture(settings, writer, reporter, getLogger(),
                "CaptureTimestampChange reader " + getIdentifier());
    }

    @OnStopped
    public void onStopped() {
        settings = null;
        capture = null;
        reporter = null;
    }

    /**
     * Captures every selected table in turn; each table's FlowFiles and watermark are committed before the next table,
     * so a table that fails (reported as an error) neither stops nor undoes the others. The run fails when every table failed.
     */
    @Override
    public void onTrigger(ProcessContext context, ProcessSession session) throws ProcessException {
        DBCPService dbcp = context.getProperty(TimestampCaptureProperties.DBCP_SERVICE).asControllerService(DBCPService.class);
        WatermarkState state;
        StateMap stored;
        try {
            stored = session.getState(Scope.CLUSTER);
            state = new WatermarkState(stored.toMap());
        } catch (IOException e) {
            throw new ProcessException("Could not read the processor's cluster state: " + e.getMessage(), e);
        }
        long rows = 0;
        Map<String, Exception> failures = new LinkedHashMap<>();
        try (Connection connection = dbcp.getConnection()) {
            List<TableName> tables = settings.selection().tables(connection);
            Set<String> captured = new HashSet<>();
            for (TableName table : tables) {
                Map<String, String> before = state.toMap();
                try {
                    TimestampTableCapture.Result result = capture.capture(connection, session, state, table, captured);
                    if (result == null) {
                        continue;
                    }
                    if (result.stateChanged()) {
                        // NiFi writes the FlowFiles before the state: after a crash in between, the intent makes the next
                        // run read exactly this range again (WatermarkState.Intent). Written first, so the session's
                        // state version follows it; and only over the state this run started from, so two nodes of a
                        // cluster never both commit from one state.
                        if (result.intent() != null && !context.getStateManager().replace(stored, result.intent(), Scope.CLUSTER)) {
                            session.rollback();
                            context.yield();
                            getLogger().warn("The stored state changed while {} was read (another node of the cluster captured"
                                    + " meanwhile): nothing of it was committed; the next run continues from the stored state", table);
                            break;
                        }
                        session.setState(state.toMap(), Scope.CLUSTER);
                    }
                    session.adjustCounter(COUNTER_ROWS, result.rows(), false);
                    session.commitAsync();
                    stored = session.getState(Scope.CLUSTER); // what this commit stored: the base of the next table's intent
                    rows += result.rows();
                } catch (SQLException | IOException | RuntimeException e) {
                    session.rollback();
                    state = new WatermarkState(before);
                    failures.put(failureMessage(table, e), e);
                }
            }
            if (tables.isEmpty()) {
                reporter.noTables();
            } else if (failures.size() == tables.size()) {
                throw new ProcessException(failures.size() == 1 ? failures.keySet().iterator().next()
                        : "Every table failed: " + String.join("; ", failures.keySet()), failures.values().iterator().next());
            }
        } catch (SQLException e) {
            throw new ProcessException("Could not list the tables to fetch: " + e.getMessage() + "; nothing was committed", e);
        }
        failures.forEach((message, e) -> getLogger().error(message, e)); // the other tables went on
        if (rows == 0) {
            context.yield();
        }
    }

    private static String failureMessage(TableName table, Exception e) {
        if (e instanceof TableConfigurationException) {
            return e.getMessage();
        }
        if (e instanceof SQLException) {
            return "Fetching " + table + " failed: " + e.getMessage() + "; nothing of it was committed, the next run retries from the same watermark";
        }
        if (e instanceof IOException) {
            return "Could not write the records of " + table + ": " + e.getMessage() + "; nothing of it was committed";
        }
        return "Fetching " + table + " failed: " + e + "; nothing of it was committed, the next run retries from the same watermark";
    }

    @Override
    public List<ConfigVerificationResult> verify(ProcessContext context, ComponentLog verificationLogger, Map<String, String> attributes) {
        return new CaptureTimestampChangeVerifier(context, verificationLogger).verify();
    }
}
