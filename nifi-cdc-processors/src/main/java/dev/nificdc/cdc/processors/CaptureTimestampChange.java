package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.emit.ChangeFlowFileWriter;
import dev.nificdc.cdc.emit.ChangeRecordFactory;
import dev.nificdc.cdc.emit.RegistrySchemaIdentifiers;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.cdc.timestamp.FetchConfig;
import dev.nificdc.cdc.timestamp.Identifiers;
import dev.nificdc.cdc.timestamp.JdbcSourceInfo;
import dev.nificdc.cdc.timestamp.PrefetchingRun;
import dev.nificdc.cdc.timestamp.ResolvedTable;
import dev.nificdc.cdc.timestamp.SqlDialect;
import dev.nificdc.cdc.timestamp.TableConfigurationException;
import dev.nificdc.cdc.timestamp.TableInspector;
import dev.nificdc.cdc.timestamp.TableName;
import dev.nificdc.cdc.timestamp.TimestampFetcher;
import dev.nificdc.cdc.timestamp.TimestampType;
import dev.nificdc.cdc.timestamp.Watermark;
import dev.nificdc.registry.SchemaRegistrar;
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
import org.apache.nifi.components.DescribedValue;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.components.Validator;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.dbcp.DBCPService;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.VerifiableProcessor;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.processor.util.StandardValidators;
import org.apache.nifi.scheduling.SchedulingStrategy;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.Record;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

@PrimaryNodeOnly
@TriggerSerially
@InputRequirement(InputRequirement.Requirement.INPUT_FORBIDDEN)
@DefaultSchedule(strategy = SchedulingStrategy.TIMER_DRIVEN, period = "10 sec")
@Stateful(scopes = Scope.CLUSTER, description = """
        The watermark: the update timestamp (ISO-8601 text with every fractional digit) and incrementing-column value of \
        the last delivered row, the kind of bound, the table and columns it belongs to, and the FlowFile sequence number. \
        It is updated in the same session as the FlowFiles it describes. Clear the state to fetch the table again from \
        the Initial Position.""")
@Tags({"cdc", "change data capture", "jdbc", "sql", "database", "incremental", "timestamp", "watermark", "query", "record", "avro", "debezium"})
@CapabilityDescription("""
        Fetches new and changed rows of any JDBC table incrementally, by an update-timestamp column plus an optional \
        incrementing (unique) column, and writes them as records: plain rows or Debezium-style change events. Each run \
        reads rows with the update timestamp below the database's own clock minus the Commit Lag, ordered by \
        (timestamp, id) and paged by keyset, so rows sharing a timestamp, transactions committing late within the lag, \
        and restarts lose nothing. The watermark is kept in cluster state and committed together with the FlowFiles. \
        Deleted rows are only seen through a soft-delete flag column. See Additional Details for the column recipes \
        (MySQL ON UPDATE, PostgreSQL and Oracle triggers) and the exact guarantees.""")
@WritesAttributes({
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_DATABASE, description = "The table's schema or database"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_TABLE, description = "The table name"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_TOPIC, description = "Suggested Kafka topic: <Topic Prefix>.<database>.<table>"),
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
                Increases by one with every FlowFile this processor emits, across runs and restarts (for EnforceOrder)""")
})
@UseCase(description = "Stream new and changed rows of a table with an update-timestamp column to Kafka or another database",
        configuration = """
                Set "Table Name" and "Timestamp Column", and "Incrementing Column" to the primary key (a unique, NOT NULL column). \
                Keep "Commit Lag" above your longest write transaction. Set "Output Shape" to "Change Envelope" for Debezium-style \
                consumers or "Flattened Row" for PutDatabaseRecord. Connect "success" to PublishKafka (topic ${cdc.topic}).""")
@SeeAlso(CaptureBinlogChange.class)
public class CaptureTimestampChange extends AbstractProcessor implements VerifiableProcessor {
    static final String ATTR_FIRST_TIMESTAMP = "cdc.timestamp.first";
    static final String ATTR_LAST_TIMESTAMP = "cdc.timestamp.last";
    static final String ATTR_SEQUENCE = "cdc.sequence.id";
    static final String STATE_SEQUENCE = "sequence";
    static final String COUNTER_ROWS = "Rows Fetched";

    /** Where to start when the state holds no watermark for the configured table and columns. */
    public enum InitialPosition implements DescribedValue {
        BEGINNING("Beginning", "Fetch every existing row first (ordered by the timestamp), then the changes."),
        NOW("Now", "Skip existing rows: start at the database's clock minus the Commit Lag at the first run."),
        GIVEN_TIMESTAMP("Given Timestamp", "Start with rows whose update timestamp is at or after Initial Timestamp.");

        private final String displayName;
        private final String description;

        InitialPosition(String displayName, String description) {
            this.displayName = displayName;
            this.description = description;
        }

        @Override
        public String getValue() {
            return name();
        }

        @Override
        public String getDisplayName() {
            return displayName;
        }

        @Override
        public String getDescription() {
            return description;
        }
    }

    /** The SQL dialect, or detection from the driver's database product name. */
    public enum DialectOption implements DescribedValue {
        AUTO_DETECT("Auto-detect", "Chosen from the database product name the JDBC driver reports; Generic SQL when unknown.", null),
        MYSQL("MySQL / MariaDB", "Back-quoted identifiers, LIMIT, CURRENT_TIMESTAMP(6).", SqlDialect.MYSQL),
        POSTGRESQL("PostgreSQL", "Double-quoted identifiers, LIMIT, clock_timestamp().", SqlDialect.POSTGRESQL),
        ORACLE("Oracle", "Double-quoted identifiers, FETCH FIRST n ROWS ONLY (Oracle 12c+), SYSTIMESTAMP.", SqlDialect.ORACLE),
        SQL_SERVER("Microsoft SQL Server", "Bracket-quoted identifiers, TOP (n), SYSDATETIME().", SqlDialect.SQL_SERVER),
        GENERIC("Generic SQL", "SQL standard: double-quoted identifiers, FETCH FIRST n ROWS ONLY, CURRENT_TIMESTAMP.", SqlDialect.GENERIC);

        private final String displayName;
        private final String description;
        private final SqlDialect dialect;

        DialectOption(String displayName, String description, SqlDialect dialect) {
            this.displayName = displayName;
            this.description = description;
            this.dialect = dialect;
        }

        /** The dialect, or null for auto-detection. */
        public SqlDialect dialect() {
            return dialect;
        }

        @Override
        public String getValue() {
            return name();
        }

        @Override
        public String getDisplayName() {
            return displayName;
        }

        @Override
        public String getDescription() {
            return description;
        }
    }

    private static final Validator TABLE_NAME_VALIDATOR = (subject, input, context) -> {
        try {
            TableName.parse(input);
            return new ValidationResult.Builder().subject(subject).input(input).valid(true).build();
        } catch (IllegalArgumentException e) {
            return new ValidationResult.Builder().subject(subject).input(input).valid(false).explanation(e.getMessage()).build();
        }
    };

    private static Validator columnValidator(boolean list) {
        return (subject, input, context) -> {
            try {
                if (list) {
                    Identifiers.parseList(input, subject);
                } else {
                    Identifiers.parseColumn(input, subject);
                }
                return new ValidationResult.Builder().subject(subject).input(input).valid(true).build();
            } catch (IllegalArgumentException e) {
                return new ValidationResult.Builder().subject(subject).input(input).valid(false).explanation(e.getMessage()).build();
            }
        };
    }

    public static final PropertyDescriptor DBCP_SERVICE = new PropertyDescriptor.Builder()
            .name("Database Connection Pooling Service")
            .description("The connection pool to the database holding the table.")
            .identifiesControllerService(DBCPService.class)
            .required(true)
            .build();

    public static final PropertyDescriptor TABLE_NAME = new PropertyDescriptor.Builder()
            .name("Table Name")
            .description("""
                    The table to fetch: table, schema.table (database.table on MySQL) or catalog.schema.table. Names are quoted \
                    for the database, so spaces, mixed case and reserved words work; when the exact case is not found, the \
                    lower- and upper-case forms are tried (PostgreSQL and Oracle fold unquoted names). Wrap a part that contains \
                    a dot in double quotes.""")
            .required(true)
            .addValidator(TABLE_NAME_VALIDATOR)
            .build();

    public static final PropertyDescriptor TIMESTAMP_COLUMN = new PropertyDescriptor.Builder()
            .name("Timestamp Column")
            .description("""
                    The column holding each row's last-update time, set by the database on every insert and update (see \
                    Additional Details for MySQL, PostgreSQL and Oracle recipes). TIMESTAMP, DATETIME, TIMESTAMP WITH TIME \
                    ZONE or DATE. Rows where it is NULL are never fetched.""")
            .required(true)
            .addValidator(columnValidator(false))
            .build();

    public static final PropertyDescriptor INCREMENTING_COLUMN = new PropertyDescriptor.Builder()
            .name("Incrementing Column")
            .description("""
                    A NOT NULL column that is unique among rows sharing one timestamp, typically the primary key (integer, \
                    decimal or character). With it, rows are ordered by (timestamp, id) and any number of rows sharing a \
                    timestamp are paged exactly. Without it, a run reads every row up to the upper bound and can only stop \
                    between two different timestamps.""")
            .required(false)
            .addValidator(columnValidator(false))
            .build();

    public static final PropertyDescriptor CREATION_COLUMN = new PropertyDescriptor.Builder()
            .name("Creation Timestamp Column")
            .description("""
                    A column holding the row's creation time. When set, a row whose creation time equals its update time is \
                    emitted with op "c" (created), any other with op "u" (updated). When not set, rows are emitted with op "r".""")
            .required(false)
            .addValidator(columnValidator(false))
            .build();

    public static final PropertyDescriptor SOFT_DELETE_COLUMN = new PropertyDescriptor.Builder()
            .name("Soft Delete Column")
            .description("""
                    A column flagging deleted rows (boolean, a non-zero number, or Y/YES/T/TRUE/1). Rows with the flag set are \
                    emitted with op "d" and the row as the before-image. Rows removed with DELETE are invisible to this processor.""")
            .required(false)
            .addValidator(columnValidator(false))
            .build();

    public static final PropertyDescriptor ADDITIONAL_WHERE = new PropertyDescriptor.Builder()
            .name("Additional WHERE Clause")
            .description("""
                    An SQL condition added to the query with AND, e.g. region = 'EU'. It is inserted as written (it is SQL, \
                    not a value), so only trusted users should set it. Conditions on columns that change would make rows \
                    disappear from the stream; prefer conditions on columns that never change.""")
            .required(false)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor COLUMNS_TO_RETURN = new PropertyDescriptor.Builder()
            .name("Columns to Return")
            .description("""
                    Comma-separated column names to return; all columns when empty. The timestamp, incrementing, creation and \
                    soft-delete columns are always returned.""")
            .required(false)
            .addValidator(columnValidator(true))
            .build();

    public static final PropertyDescriptor COMMIT_LAG = new PropertyDescriptor.Builder()
            .name("Commit Lag")
            .description("""
                    How far behind the database's clock each run stops: only rows with an update timestamp older than the \
                    database's current time minus this period are fetched. It must exceed the longest time between a row's \
                    timestamp being set and its transaction committing (the longest write transaction), or a row committed \
                    later with an older timestamp could be missed. Larger values add latency, never loss.""")
            .required(true)
            .defaultValue("5 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor INITIAL_POSITION = new PropertyDescriptor.Builder()
            .name("Initial Position")
            .description("Where to start when there is no stored watermark for this table and these columns.")
            .required(true)
            .allowableValues(InitialPosition.class)
            .defaultValue(InitialPosition.BEGINNING)
            .build();

    public static final PropertyDescriptor INITIAL_TIMESTAMP = new PropertyDescriptor.Builder()
            .name("Initial Timestamp")
            .description("""
                    The first update timestamp to fetch (inclusive), as yyyy-MM-dd HH:mm:ss[.ffffff] in the column's own terms \
                    (for a TIMESTAMP WITH TIME ZONE column append an offset such as +02:00; without one UTC is assumed).""")
            .required(true)
            .dependsOn(INITIAL_POSITION, InitialPosition.GIVEN_TIMESTAMP)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor FETCH_SIZE = new PropertyDescriptor.Builder()
            .name("Fetch Size")
            .description("Rows the JDBC driver fetches per round trip (a hint; 0 leaves the driver's default).")
            .required(true)
            .defaultValue("1000")
            .addValidator(StandardValidators.NON_NEGATIVE_INTEGER_VALIDATOR)
            .build();

    public static final PropertyDescriptor MAX_ROWS_PER_FLOWFILE = new PropertyDescriptor.Builder()
            .name("Max Rows Per FlowFile")
            .description("""
                    The most records per FlowFile, and the page size of each query. Records of one FlowFile are held in memory \
                    until it is written, so this bounds the heap a run needs.""")
            .required(true)
            .defaultValue("10000")
            .addValidator(StandardValidators.POSITIVE_INTEGER_VALIDATOR)
            .build();

    public static final PropertyDescriptor MAX_ROWS_PER_RUN = new PropertyDescriptor.Builder()
            .name("Max Rows Per Run")
            .description("""
                    The most rows one run fetches before committing its FlowFiles and watermark; 0 for no limit. A limit makes a \
                    large initial load progress in committed steps. Without an Incrementing Column a run only stops between two \
                    different timestamps, so it may exceed the limit by the rows sharing the last timestamp.""")
            .required(true)
            .defaultValue("0")
            .addValidator(StandardValidators.NON_NEGATIVE_INTEGER_VALIDATOR)
            .build();

    public static final PropertyDescriptor RECORD_WRITER = new PropertyDescriptor.Builder()
            .name("Record Writer")
            .description("""
                    Writes the records. The records carry their exact Avro schema; with an Avro writer set to "Inherit Record \
                    Schema" microseconds and decimals are written unchanged.""")
            .identifiesControllerService(RecordSetWriterFactory.class)
            .required(true)
            .build();

    public static final PropertyDescriptor OUTPUT_SHAPE = new PropertyDescriptor.Builder()
            .name("Output Shape")
            .description("What one record looks like.")
            .required(true)
            .allowableValues(OutputShape.class)
            .defaultValue(OutputShape.FLATTENED)
            .build();

    public static final PropertyDescriptor SCHEMA_REGISTRY = new PropertyDescriptor.Builder()
            .name("Schema Registry")
            .description("""
                    Optional. When set, the processor registers the table's value schema (and key schema) under the subjects of \
                    the table's topic (cdc.topic) when it first sees the table and after every schema change, and the records \
                    carry the registry id and version. An AvroRecordSetWriter whose Schema Write Strategy is 'Schema Reference \
                    Writer' with the Confluent Wire Format Writer then writes Confluent-framed records.""")
            .required(false)
            .identifiesControllerService(SchemaRegistrar.class)
            .build();

    public static final PropertyDescriptor TOPIC_PREFIX = new PropertyDescriptor.Builder()
            .name("Topic Prefix")
            .description("""
                    The logical source name: written to source.name, used as the Avro namespace prefix and as the first part of \
                    the suggested topic attribute cdc.topic (<prefix>.<database>.<table>).""")
            .required(false)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor SQL_DIALECT = new PropertyDescriptor.Builder()
            .name("SQL Dialect")
            .description("Identifier quoting, paging clause and clock function of the database.")
            .required(true)
            .allowableValues(DialectOption.class)
            .defaultValue(DialectOption.AUTO_DETECT)
            .build();

    public static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("FlowFiles of fetched rows, in (timestamp, id) order")
            .build();

    static final List<PropertyDescriptor> PROPERTY_DESCRIPTORS = List.of(DBCP_SERVICE, TABLE_NAME, TIMESTAMP_COLUMN,
            INCREMENTING_COLUMN, CREATION_COLUMN, SOFT_DELETE_COLUMN, ADDITIONAL_WHERE, COLUMNS_TO_RETURN, COMMIT_LAG,
            INITIAL_POSITION, INITIAL_TIMESTAMP, FETCH_SIZE, MAX_ROWS_PER_FLOWFILE, MAX_ROWS_PER_RUN, RECORD_WRITER,
            OUTPUT_SHAPE, SCHEMA_REGISTRY, TOPIC_PREFIX, SQL_DIALECT);

    private static final Set<Relationship> RELATIONSHIPS = Set.of(REL_SUCCESS);

    private volatile FetchConfig config;
    private volatile InitialPosition initialPosition;
    private volatile String initialTimestamp;
    private volatile int maxRowsPerFlowFile;
    private volatile ChangeFlowFileWriter writer;

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTY_DESCRIPTORS;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return RELATIONSHIPS;
    }

    @OnScheduled
    public void onScheduled(ProcessContext context) {
        config = fetchConfig(context);
        initialPosition = context.getProperty(INITIAL_POSITION).asAllowableValue(InitialPosition.class);
        initialTimestamp = initialPosition == InitialPosition.GIVEN_TIMESTAMP ? context.getProperty(INITIAL_TIMESTAMP).getValue() : null;
        maxRowsPerFlowFile = context.getProperty(MAX_ROWS_PER_FLOWFILE).asInteger();
        String prefix = context.getProperty(TOPIC_PREFIX).getValue();
        OutputShape shape = context.getProperty(OUTPUT_SHAPE).asAllowableValue(OutputShape.class);
        writer = new ChangeFlowFileWriter(context.getProperty(RECORD_WRITER).asControllerService(RecordSetWriterFactory.class),
                new ChangeRecordFactory(shape, JdbcSourceInfo.FIELDS, prefix, RegistrySchemaIdentifiers.forRegistrar(
                        context.getProperty(SCHEMA_REGISTRY).asControllerService(SchemaRegistrar.class), prefix)), prefix, getLogger());
    }

    @OnStopped
    public void onStopped() {
        config = null;
        writer = null;
    }

    static FetchConfig fetchConfig(ProcessContext context) {
        String id = context.getProperty(INCREMENTING_COLUMN).getValue();
        String created = context.getProperty(CREATION_COLUMN).getValue();
        String deleted = context.getProperty(SOFT_DELETE_COLUMN).getValue();
        int rowsPerFlowFile = context.getProperty(MAX_ROWS_PER_FLOWFILE).asInteger();
        return new FetchConfig(
                TableName.parse(context.getProperty(TABLE_NAME).getValue()),
                Identifiers.parseColumn(context.getProperty(TIMESTAMP_COLUMN).getValue(), TIMESTAMP_COLUMN.getName()),
                id == null ? null : Identifiers.parseColumn(id, INCREMENTING_COLUMN.getName()),
                created == null ? null : Identifiers.parseColumn(created, CREATION_COLUMN.getName()),
                deleted == null ? null : Identifiers.parseColumn(deleted, SOFT_DELETE_COLUMN.getName()),
                context.getProperty(ADDITIONAL_WHERE).getValue(),
                Identifiers.parseList(context.getProperty(COLUMNS_TO_RETURN).getValue(), COLUMNS_TO_RETURN.getName()),
                Duration.ofMillis(context.getProperty(COMMIT_LAG).asTimePeriod(TimeUnit.MILLISECONDS)),
                context.getProperty(FETCH_SIZE).asInteger(),
                rowsPerFlowFile,
                context.getProperty(MAX_ROWS_PER_RUN).asLong(),
                context.getProperty(SQL_DIALECT).asAllowableValue(DialectOption.class).dialect(),
                context.getProperty(TOPIC_PREFIX).getValue());
    }

    @Override
    public void onTrigger(ProcessContext context, ProcessSession session) throws ProcessException {
        DBCPService dbcp = context.getProperty(DBCP_SERVICE).asControllerService(DBCPService.class);
        Map<String, String> state;
        try {
            state = session.getState(Scope.CLUSTER).toMap();
        } catch (IOException e) {
            throw new ProcessException("Could not read the processor's cluster state: " + e.getMessage(), e);
        }
        long started = System.nanoTime();
        try (Connection connection = dbcp.getConnection()) {
            ResolvedTable table = TableInspector.resolve(connection, config);
            TimestampFetcher fetcher = new TimestampFetcher(config, table);
            TimestampType type = table.timestampType();
            Watermark start = storedWatermark(state, type);
            boolean initial = start == null;
            if (initial) {
                start = initialWatermark(connection, fetcher, type);
            }
            long sequence = Long.parseLong(state.getOrDefault(STATE_SEQUENCE, "0"));
            Batcher batcher = new Batcher(session, type, transitUri(connection, table), sequence);
            // Rows are read and turned into records on a second thread while this one writes FlowFiles.
            TimestampFetcher.RunResult result = new PrefetchingRun<>(fetcher, this::prepare, "CaptureTimestampChange reader " + getIdentifier())
                    .run(connection, start, batcher);
            batcher.flush();

            if (result.rows() > 0 || initial && result.watermark() != null) {
                Map<String, String> newState = new HashMap<>(result.watermark().toState(type, config.scope()));
                newState.put(STATE_SEQUENCE, Long.toString(batcher.sequence));
                session.setState(newState, Scope.CLUSTER);
            } else if (initial && state.containsKey(Watermark.KEY_TIMESTAMP)) {
                // drop the watermark of the previous configuration, keep the FlowFile sequence
                session.setState(Map.of(STATE_SEQUENCE, Long.toString(batcher.sequence)), Scope.CLUSTER);
            }
            session.adjustCounter(COUNTER_ROWS, result.rows(), false);
            String message = "Fetched {} rows of {} in {} FlowFiles with {} queries in {} ms; upper bound {}, watermark {}{}";
            Object[] arguments = {result.rows(), table.name(), batcher.flowFiles, result.queries(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), type.format(result.upper()),
                    result.watermark() == null ? "none (no row yet)" : result.watermark().describe(type),
                    result.more() ? "; more rows pending (Max Rows Per Run reached)" : ""};
            if (result.rows() > 0) {
                getLogger().info(message, arguments);
            } else {
                getLogger().debug(message, arguments);
            }
            if (result.rows() == 0) {
                context.yield();
            }
        } catch (TableConfigurationException e) {
            throw new ProcessException(e.getMessage(), e);
        } catch (SQLException e) {
            throw new ProcessException("Fetching " + config.table() + " failed: " + e.getMessage()
                    + "; nothing was committed, the next run retries from the same watermark", e);
        } catch (IOException e) {
            throw new ProcessException("Could not write the records of " + config.table() + ": " + e.getMessage(), e);
        }
    }

    /** The JDBC URL without user info and parameters (which may hold credentials) plus the table, for provenance. */
    static String transitUri(Connection connection, ResolvedTable table) {
        String url;
        try {
            url = connection.getMetaData().getURL();
        } catch (SQLException e) {
            url = null;
        }
        if (url == null) {
            url = "jdbc:" + table.dialect().name().toLowerCase(java.util.Locale.ROOT);
        }
        int cut = url.length();
        for (char c : new char[]{'?', ';'}) {
            int i = url.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        String base = url.substring(0, cut).replaceFirst("//[^/@]*@", "//");
        return base + "/" + table.name();
    }

    private Watermark storedWatermark(Map<String, String> state, TimestampType type) {
        if (state.get(Watermark.KEY_TIMESTAMP) == null) {
            return null;
        }
        String scope = state.get(Watermark.KEY_SCOPE);
        if (!config.scope().equals(scope)) {
            getLogger().warn("The stored watermark belongs to [{}], not to the configured [{}]; starting from the Initial Position {}",
                    scope, config.scope(), initialPosition.getDisplayName());
            return null;
        }
        return Watermark.fromState(state, type);
    }

    private Watermark initialWatermark(Connection connection, TimestampFetcher fetcher, TimestampType type) throws SQLException {
        return switch (initialPosition) {
            case BEGINNING -> null;
            case NOW -> Watermark.fromTimestamp(fetcher.upperBound(connection));
            case GIVEN_TIMESTAMP -> {
                try {
                    yield Watermark.fromTimestamp(type.parseUserInput(initialTimestamp));
                } catch (RuntimeException e) {
                    throw new TableConfigurationException("Initial Timestamp [" + initialTimestamp + "] is not a " + type
                            + " value; write it as yyyy-MM-dd HH:mm:ss[.ffffff]" + (type == TimestampType.OFFSET_DATE_TIME ? "[+hh:mm]" : ""), e);
                }
            }
        };
    }

    /** A fetched row with its records, built on the reading thread. */
    private record PreparedRow(ChangeEvent event, List<Record> records, Temporal updateTimestamp) {
    }

    private PreparedRow prepare(ChangeEvent event, Temporal updateTimestamp) {
        return new PreparedRow(event, writer.records(event), updateTimestamp);
    }

    /** Collects fetched rows into FlowFiles of at most Max Rows Per FlowFile records. */
    private final class Batcher implements PrefetchingRun.Consumer<PreparedRow> {
        private final ProcessSession session;
        private final TimestampType type;
        private final String transitUri;
        private final List<ChangeEvent> events = new ArrayList<>();
        private final List<Record> records = new ArrayList<>();
        private Temporal first;
        private Temporal last;
        private long sequence;
        private int flowFiles;

        Batcher(ProcessSession session, TimestampType type, String transitUri, long sequence) {
            this.session = session;
            this.transitUri = transitUri;
            this.type = type;
            this.sequence = sequence;
        }

        @Override
        public void accept(PreparedRow row) {
            if (events.isEmpty()) {
                first = row.updateTimestamp();
            }
            last = row.updateTimestamp();
            events.add(row.event());
            for (Record record : row.records()) { // one record per row, mostly: no addAll copy
                records.add(record);
            }
            if (events.size() >= maxRowsPerFlowFile) {
                flush();
            }
        }

        void flush() {
            if (events.isEmpty()) {
                return;
            }
            FlowFile flowFile = writer.write(session, events, records);
            Map<String, String> attributes = new HashMap<>();
            attributes.put(ATTR_SEQUENCE, Long.toString(sequence++));
            attributes.put(ATTR_FIRST_TIMESTAMP, type.format(first));
            attributes.put(ATTR_LAST_TIMESTAMP, type.format(last));
            flowFile = session.putAllAttributes(flowFile, attributes);
            session.getProvenanceReporter().receive(flowFile, transitUri);
            session.transfer(flowFile, REL_SUCCESS);
            flowFiles++;
            events.clear();
            records.clear();
        }
    }

    @Override
    public List<ConfigVerificationResult> verify(ProcessContext context, ComponentLog verificationLogger, Map<String, String> attributes) {
        return new CaptureTimestampChangeVerifier(context, verificationLogger).verify();
    }
}
