package dev.nificdc.cdc.processors;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.processor.util.StandardValidators;

import java.util.List;

/**
 * The property descriptors of {@link CapturePostgresChange}, in the order NiFi shows them; the output ones are the
 * shared {@link OutputProperties}, the password, connect timeout and incremental-snapshot ones those it shares with
 * CaptureBinlogChange ({@link SourceConnectionProperties}, {@link IncrementalSnapshotProperties}).
 */
final class PostgresCaptureProperties {
    private PostgresCaptureProperties() {
    }

    static final PropertyDescriptor HOST = new PropertyDescriptor.Builder()
            .name("Host")
            .description("The PostgreSQL server as host:port (port 5432 when omitted): the primary, where logical replication slots live.")
            .required(true)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor DATABASE = new PropertyDescriptor.Builder()
            .name("Database")
            .description("The database whose tables are captured. A replication slot belongs to one database: capture several with one processor each.")
            .required(true)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor USERNAME = new PropertyDescriptor.Builder()
            .name("Username")
            .description("""
                    The database user. It needs the REPLICATION attribute (or a cloud's equivalent, e.g. rds_replication), SELECT \
                    on the captured tables, and, for the processor to create the publication, ownership of those tables (see the \
                    processor's additional details).""")
            .required(true)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor PASSWORD = SourceConnectionProperties.PASSWORD;

    static final PropertyDescriptor SLOT_NAME = new PropertyDescriptor.Builder()
            .name("Slot Name")
            .description("""
                    The logical replication slot (plugin pgoutput) the processor streams from. Created when it does not exist; \
                    never dropped by the processor (except an invalidated slot with Snapshot Mode when_needed). A slot keeps the \
                    WAL its client has not confirmed: drop it yourself (SELECT pg_drop_replication_slot('name')) when you remove \
                    the processor. Lower-case letters, digits and underscores.""")
            .required(true)
            .defaultValue("nifi_cdc")
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.createRegexMatchingValidator(java.util.regex.Pattern.compile("[a-z0-9_]{1,63}")))
            .build();

    static final PropertyDescriptor PUBLICATION_NAME = new PropertyDescriptor.Builder()
            .name("Publication Name")
            .description("""
                    The publication whose tables the slot streams. When it does not exist the processor creates it for exactly the \
                    captured tables, marked as its own with a comment, and adds to it the tables that start to match the patterns \
                    later. A publication created otherwise is used as it is and must publish every captured table.""")
            .required(true)
            .defaultValue("nifi_cdc")
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor SCHEMA_INCLUDE = new PropertyDescriptor.Builder()
            .name("Schema Include Pattern")
            .description("""
                    Comma-separated regular expressions; only schemas whose whole name matches one are captured. Empty captures \
                    every schema except information_schema and the pg_ system schemas.""")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .addValidator(RegularExpressionListValidator.INSTANCE)
            .build();

    static final PropertyDescriptor SCHEMA_EXCLUDE = new PropertyDescriptor.Builder()
            .name("Schema Exclude Pattern")
            .description("Comma-separated regular expressions of schemas not to capture; wins over the include pattern.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .addValidator(RegularExpressionListValidator.INSTANCE)
            .build();

    static final PropertyDescriptor TABLE_INCLUDE = new PropertyDescriptor.Builder()
            .name("Table Include Pattern")
            .description("""
                    Comma-separated regular expressions matched against schema.table (e.g. public\\.orders,sales\\.order_.*); only \
                    matching tables are captured. Empty captures every table of the included schemas.""")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .addValidator(RegularExpressionListValidator.INSTANCE)
            .build();

    static final PropertyDescriptor TABLE_EXCLUDE = new PropertyDescriptor.Builder()
            .name("Table Exclude Pattern")
            .description("Comma-separated regular expressions matched against schema.table of tables not to capture.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .addValidator(RegularExpressionListValidator.INSTANCE)
            .build();

    static final PropertyDescriptor COLUMN_EXCLUDE = new PropertyDescriptor.Builder()
            .name("Column Exclude Pattern")
            .description("Comma-separated regular expressions matched against schema.table.column of columns left out of the records.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .addValidator(RegularExpressionListValidator.INSTANCE)
            .build();

    static final PropertyDescriptor SNAPSHOT_MODE = new PropertyDescriptor.Builder()
            .name("Snapshot Mode")
            .description("""
                    Whether the rows that already exist in the captured tables are read (as op 'r' records) before the WAL is \
                    streamed. The snapshot and the stream meet at the slot's position: no change is lost or delivered twice.""")
            .required(true)
            .allowableValues(PostgresSnapshotMode.class)
            .defaultValue(PostgresSnapshotMode.INITIAL)
            .build();

    static final PropertyDescriptor CONNECT_TIMEOUT = SourceConnectionProperties.CONNECT_TIMEOUT;

    static final PropertyDescriptor SNAPSHOT_NEW_TABLES = IncrementalSnapshotProperties.SNAPSHOT_NEW_TABLES;

    static final PropertyDescriptor INCREMENTAL_CHUNK_SIZE = IncrementalSnapshotProperties.CHUNK_SIZE;

    static final PropertyDescriptor INCREMENTAL_CHUNK_BYTES = IncrementalSnapshotProperties.CHUNK_BYTES;

    static final PropertyDescriptor STATUS_INTERVAL = new PropertyDescriptor.Builder()
            .name("Status Interval")
            .description("""
                    How often the processor tells the server how far it got (besides answering every keepalive). The server may \
                    release WAL only up to what the processor confirmed: changes committed in NiFi, or, while the captured tables \
                    are idle, the position the server reported.""")
            .required(true)
            .defaultValue("10 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final PropertyDescriptor MAX_EVENTS_PER_FLOWFILE = new PropertyDescriptor.Builder()
            .name("Max Changes Per FlowFile")
            .description("""
                    The most change records one FlowFile holds; a longer run of changes to one table is split. A FlowFile (and a \
                    snapshot page) also ends once its changes take about 32 MB of memory.""")
            .required(true)
            .defaultValue("10000")
            .addValidator(StandardValidators.POSITIVE_INTEGER_VALIDATOR)
            .build();

    static final PropertyDescriptor MAX_WAIT = new PropertyDescriptor.Builder()
            .name("Max Wait Time")
            .description("""
                    The longest one run collects changes before it writes them as FlowFiles and commits them. A run ends sooner, as \
                    soon as it has taken every change read so far and is at a transaction boundary. A run past this time still \
                    waits up to as long again for the end of the transaction in progress.""")
            .required(true)
            .defaultValue("1 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final List<PropertyDescriptor> ALL = List.of(HOST, DATABASE, USERNAME, PASSWORD, SLOT_NAME, PUBLICATION_NAME,
            SCHEMA_INCLUDE, SCHEMA_EXCLUDE, TABLE_INCLUDE, TABLE_EXCLUDE, COLUMN_EXCLUDE, SNAPSHOT_MODE, SNAPSHOT_NEW_TABLES,
            INCREMENTAL_CHUNK_SIZE, INCREMENTAL_CHUNK_BYTES, CONNECT_TIMEOUT,
            STATUS_INTERVAL, OutputProperties.RECORD_WRITER, OutputProperties.OUTPUT_SHAPE, OutputProperties.SCHEMA_REGISTRY,
            OutputProperties.TOPIC_PREFIX, MAX_EVENTS_PER_FLOWFILE, MAX_WAIT);
}
