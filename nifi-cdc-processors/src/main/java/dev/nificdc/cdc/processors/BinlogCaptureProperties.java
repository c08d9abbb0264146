package dev.nificdc.cdc.processors;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.processor.util.StandardValidators;
import org.apache.nifi.ssl.SSLContextProvider;

import java.util.List;

/**
 * The property descriptors of {@link CaptureBinlogChange}, in the order NiFi shows them; the output ones are the shared
 * {@link OutputProperties}, the password, connect timeout and incremental-snapshot ones those it shares with
 * CapturePostgresChange ({@link SourceConnectionProperties}, {@link IncrementalSnapshotProperties}).
 */
final class BinlogCaptureProperties {
    private BinlogCaptureProperties() {
    }

    static final PropertyDescriptor HOSTS = new PropertyDescriptor.Builder()
            .name("Hosts")
            .description("""
                    The MySQL or MariaDB server as host:port (port 3306 when omitted). A comma-separated list names \
                    fail-over candidates: a primary and its replicas, or replicas of one primary, that write the same \
                    transactions to their binlogs (log_slave_updates / log_replica_updates) with GTIDs. They are tried in \
                    order when connecting; when the connected host is lost for longer than the Failover Timeout, capture \
                    moves to the next one. On a server other than the one the stored position was read from, capture \
                    resumes by GTID.""")
            .required(true)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.HOSTNAME_PORT_LIST_VALIDATOR)
            .build();

    static final PropertyDescriptor USERNAME = new PropertyDescriptor.Builder()
            .name("Username")
            .description("""
                    The database user. It needs REPLICATION SLAVE and REPLICATION CLIENT to read the binlog and SELECT to read \
                    table metadata (see the processor's additional details for the GRANT statement).""")
            .required(true)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor PASSWORD = SourceConnectionProperties.PASSWORD;

    static final PropertyDescriptor SERVER_ID = new PropertyDescriptor.Builder()
            .name("Server ID")
            .description("""
                    The replica server id this processor announces to the server. It must differ from the server's own id and \
                    from every other replica or CDC client of that server: two clients with one id disconnect each other. \
                    When empty, a random id between 65536 and 2147483647 is chosen each time the processor starts.""")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.createLongValidator(1, 4294967295L, true))
            .build();

    static final PropertyDescriptor CONNECT_TIMEOUT = SourceConnectionProperties.CONNECT_TIMEOUT;

    static final PropertyDescriptor HEARTBEAT_INTERVAL = new PropertyDescriptor.Builder()
            .name("Heartbeat Interval")
            .description("""
                    How often the server sends a heartbeat while it has nothing to send, and how often, at most, the \
                    processor stores how far it has read the binlog while no captured change arrives (a state-only commit, \
                    no FlowFile), so that the stored position of an idle capture keeps up with the binlog and is never \
                    purged. A connection that stays silent for three intervals is considered dead and is re-established, \
                    resuming from the last committed position.""")
            .required(true)
            .defaultValue("30 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final PropertyDescriptor FAILOVER_TIMEOUT = new PropertyDescriptor.Builder()
            .name("Failover Timeout")
            .description("""
                    How long the connected host may stay unreachable before capture moves to the next host in Hosts \
                    (resuming there by GTID, right after the last change read). Until then the processor reconnects to \
                    the same host, as after a server restart. With a single host, capture stops with an error after this \
                    long and tries again at the next run.""")
            .required(true)
            .defaultValue("1 min")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final PropertyDescriptor SSL_CONTEXT_SERVICE = new PropertyDescriptor.Builder()
            .name("SSL Context Service")
            .description("""
                    When set, every connection to the server (the binlog stream and the JDBC connections for server checks, \
                    metadata, snapshot rows and Verify) is encrypted with TLS (required: the processor will not fall back to \
                    plain text), and the server certificate is verified against the service's trust store. The service's \
                    key store, when it has one, provides the client certificate.""")
            .required(false)
            .identifiesControllerService(SSLContextProvider.class)
            .build();

    static final PropertyDescriptor VERIFY_HOST_NAME = new PropertyDescriptor.Builder()
            .name("Verify Server Host Name")
            .description("""
                    Whether the server certificate must also name the host as written in Hosts (a DNS name or IP address in \
                    its subject alternative names), besides being trusted. Turn it on unless the certificates name other \
                    hosts than the ones NiFi connects to.""")
            .required(true)
            .allowableValues("true", "false")
            .defaultValue("false")
            .dependsOn(SSL_CONTEXT_SERVICE)
            .build();

    static final PropertyDescriptor DATABASE_INCLUDE = new PropertyDescriptor.Builder()
            .name("Database Include Pattern")
            .description("""
                    Comma-separated regular expressions; only databases whose whole name matches one are captured. Empty \
                    captures every database except mysql, sys, information_schema and performance_schema.""")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .addValidator(RegularExpressionListValidator.INSTANCE)
            .build();

    static final PropertyDescriptor DATABASE_EXCLUDE = new PropertyDescriptor.Builder()
            .name("Database Exclude Pattern")
            .description("Comma-separated regular expressions of databases not to capture; wins over the include pattern.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .addValidator(RegularExpressionListValidator.INSTANCE)
            .build();

    static final PropertyDescriptor TABLE_INCLUDE = new PropertyDescriptor.Builder()
            .name("Table Include Pattern")
            .description("""
                    Comma-separated regular expressions matched against database.table (e.g. shop\\.orders,shop\\.order_.*); \
                    only matching tables are captured. Empty captures every table of the included databases.""")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .addValidator(RegularExpressionListValidator.INSTANCE)
            .build();

    static final PropertyDescriptor TABLE_EXCLUDE = new PropertyDescriptor.Builder()
            .name("Table Exclude Pattern")
            .description("Comma-separated regular expressions matched against database.table of tables not to capture.")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .addValidator(RegularExpressionListValidator.INSTANCE)
            .build();

    static final PropertyDescriptor COLUMN_EXCLUDE = new PropertyDescriptor.Builder()
            .name("Column Exclude Pattern")
            .description("""
                    Comma-separated regular expressions matched against database.table.column of columns left out of the \
                    records (e.g. secrets or large blobs).""")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .addValidator(RegularExpressionListValidator.INSTANCE)
            .build();

    static final PropertyDescriptor SNAPSHOT_MODE = new PropertyDescriptor.Builder()
            .name("Snapshot Mode")
            .description("""
                    Whether the rows that already exist in the captured tables are read (as op 'r' records) before the \
                    binlog is streamed. The snapshot and the stream meet at one binlog position: no change is lost or \
                    delivered twice. See the processor's additional details for how the snapshot is made consistent.""")
            .required(true)
            .allowableValues(SnapshotMode.class)
            .defaultValue(SnapshotMode.INITIAL)
            .build();

    static final PropertyDescriptor INITIAL_POSITION = new PropertyDescriptor.Builder()
            .name("Initial Binlog Position")
            .description("Where to start reading when the processor has no stored state (first start, or after Clear State).")
            .required(true)
            .dependsOn(SNAPSHOT_MODE, SnapshotMode.NEVER)
            .allowableValues(InitialBinlogPosition.class)
            .defaultValue(InitialBinlogPosition.LATEST)
            .build();

    static final PropertyDescriptor INITIAL_FILE = new PropertyDescriptor.Builder()
            .name("Initial Binlog File")
            .description("The binlog file to start from, e.g. mysql-bin.000042 (see SHOW BINARY LOGS).")
            .required(true)
            .dependsOn(INITIAL_POSITION, InitialBinlogPosition.FILE_POSITION)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor INITIAL_FILE_POSITION = new PropertyDescriptor.Builder()
            .name("Initial Binlog Position Offset")
            .description("The position in the Initial Binlog File to start from: 4 is the first event of a file.")
            .required(true)
            .defaultValue("4")
            .dependsOn(INITIAL_POSITION, InitialBinlogPosition.FILE_POSITION)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.createLongValidator(4, Long.MAX_VALUE, true))
            .build();

    static final PropertyDescriptor INITIAL_GTID = new PropertyDescriptor.Builder()
            .name("Initial GTID")
            .description("""
                    Start after these transactions: a MySQL GTID set (uuid:1-42,...) or a MariaDB GTID position (domain-server-sequence, \
                    e.g. 0-1-42, comma-separated per domain; see SELECT @@gtid_binlog_pos).""")
            .required(true)
            .dependsOn(INITIAL_POSITION, InitialBinlogPosition.GTID)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor SNAPSHOT_NEW_TABLES = IncrementalSnapshotProperties.SNAPSHOT_NEW_TABLES;

    static final PropertyDescriptor INCREMENTAL_CHUNK_SIZE = IncrementalSnapshotProperties.CHUNK_SIZE;

    static final PropertyDescriptor INCREMENTAL_CHUNK_BYTES = IncrementalSnapshotProperties.CHUNK_BYTES;

    static final PropertyDescriptor MAX_EVENTS_PER_FLOWFILE = new PropertyDescriptor.Builder()
            .name("Max Changes Per FlowFile")
            .description("""
                    The most change records one FlowFile holds; a longer run of changes to one table is split. A FlowFile \
                    (and a snapshot page) also ends once its changes take about 32 MB of memory, so tables with wide rows \
                    get smaller FlowFiles instead of exhausting the heap.""")
            .required(true)
            .defaultValue("10000")
            .addValidator(StandardValidators.POSITIVE_INTEGER_VALIDATOR)
            .build();

    static final PropertyDescriptor MAX_WAIT = new PropertyDescriptor.Builder()
            .name("Max Wait Time")
            .description("""
                    The longest one run collects changes before it writes them as FlowFiles and commits them. A run ends \
                    sooner, as soon as it has taken every change read so far and is at a transaction boundary, so changes \
                    show up within milliseconds; while the processor is catching up, runs last this long and fill their \
                    FlowFiles (up to Max Changes Per FlowFile). A run with no change at all waits this long for the first one. \
                    A run past this time still waits up to as long again for the end of the transaction in progress.""")
            .required(true)
            .defaultValue("1 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final PropertyDescriptor INCLUDE_TRUNCATES = new PropertyDescriptor.Builder()
            .name("Include Truncates")
            .description("""
                    Whether a TRUNCATE TABLE of a captured table becomes a change record with op 't' (Debezium's truncate \
                    event: no before, no after, the source block), in a FlowFile of its own whose cdc.operations attribute is \
                    c=0,u=0,d=0,r=0,t=1. With false, truncates are passed over and consumers are not told the table was \
                    emptied.""")
            .required(true)
            .allowableValues("true", "false")
            .defaultValue("true")
            .build();

    static final PropertyDescriptor INCLUDE_SCHEMA_CHANGES = new PropertyDescriptor.Builder()
            .name("Include Schema Changes")
            .description("""
                    Whether each DDL statement that names a captured table (CREATE, ALTER, DROP, RENAME TABLE, CREATE and \
                    DROP INDEX, DROP DATABASE of a captured database) becomes a schema-change record, sent to the 'schema \
                    changes' relationship (which exists only while this is true): the statement, the database, the tables \
                    with their columns after the change when capture had caught up with the server, and the binlog \
                    position. Its FlowFile takes the next sequence id, as change FlowFiles do, so both relationships can \
                    be put back in binlog order.""")
            .required(true)
            .allowableValues("true", "false")
            .defaultValue("false")
            .build();

    static final List<PropertyDescriptor> ALL = List.of(HOSTS, USERNAME, PASSWORD, SERVER_ID, CONNECT_TIMEOUT,
            HEARTBEAT_INTERVAL, FAILOVER_TIMEOUT, SSL_CONTEXT_SERVICE, VERIFY_HOST_NAME, DATABASE_INCLUDE, DATABASE_EXCLUDE, TABLE_INCLUDE, TABLE_EXCLUDE,
            COLUMN_EXCLUDE, SNAPSHOT_MODE, INITIAL_POSITION, INITIAL_FILE, INITIAL_FILE_POSITION, INITIAL_GTID,
            SNAPSHOT_NEW_TABLES, INCREMENTAL_CHUNK_SIZE, INCREMENTAL_CHUNK_BYTES,
            OutputProperties.RECORD_WRITER, OutputProperties.OUTPUT_SHAPE, OutputProperties.SCHEMA_REGISTRY,
            OutputProperties.TOPIC_PREFIX, MAX_EVENTS_PER_FLOWFILE, MAX_WAIT, INCLUDE_TRUNCATES, INCLUDE_SCHEMA_CHANGES);
}
