package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.cdc.timestamp.Identifiers;
import dev.nificdc.cdc.timestamp.TableColumns;
import dev.nificdc.cdc.timestamp.TableName;
import dev.nificdc.cdc.timestamp.TableSelection;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.components.Validator;
import org.apache.nifi.dbcp.DBCPService;
import org.apache.nifi.processor.util.StandardValidators;

import java.util.List;
import java.util.function.Consumer;

/**
 * The property descriptors of {@link CaptureTimestampChange}, in the order NiFi shows them; those every capture
 * processor shares come from {@link OutputProperties}.
 */
final class TimestampCaptureProperties {
    private TimestampCaptureProperties() {
    }

    /** A validator that accepts the input when {@code check} does not throw, with the exception's message otherwise. */
    private static Validator parsing(Consumer<String> check) {
        return (subject, input, context) -> {
            try {
                check.accept(input);
                return new ValidationResult.Builder().subject(subject).input(input).valid(true).build();
            } catch (IllegalArgumentException e) {
                return new ValidationResult.Builder().subject(subject).input(input).valid(false).explanation(e.getMessage()).build();
            }
        };
    }

    private static Validator column(String property) {
        return parsing(input -> Identifiers.parseColumn(input, property));
    }

    static final PropertyDescriptor DBCP_SERVICE = new PropertyDescriptor.Builder()
            .name("Database Connection Pooling Service")
            .description("The connection pool to the database holding the tables.")
            .identifiesControllerService(DBCPService.class)
            .required(true)
            .build();

    static final PropertyDescriptor TABLE_NAMES = new PropertyDescriptor.Builder()
            .name("Table Names")
            .description("""
                    Comma-separated tables to fetch, each written as table, schema.table (database.table on MySQL) or \
                    catalog.schema.table. Names are quoted for the database, so spaces, mixed case and reserved words work; \
                    when the exact case is not found, the lower- and upper-case forms are tried (PostgreSQL and Oracle fold \
                    unquoted names). Wrap a part that contains a dot or a comma in double quotes. Views can be listed too. \
                    Give this, Table Include Pattern, or both.""")
            .required(false)
            .addValidator(parsing(TableName::parseList))
            .build();

    static final PropertyDescriptor TABLE_INCLUDE = new PropertyDescriptor.Builder()
            .name("Table Include Pattern")
            .description("""
                    Comma-separated regular expressions matched against the whole schema.table name (database.table on \
                    MySQL), case-sensitively, e.g. shop\\.order_.*; every base table that matches one is fetched as well. The \
                    tables are looked up at every run, so a matching table created later is fetched from the next run on, \
                    without a restart.""")
            .required(false)
            .addValidator(parsing(input -> TableSelection.of(List.of(), TableSelection.splitPatterns(input), List.of(),
                    "Table Include Pattern", "Table Exclude Pattern")))
            .build();

    static final PropertyDescriptor TABLE_EXCLUDE = new PropertyDescriptor.Builder()
            .name("Table Exclude Pattern")
            .description("Comma-separated regular expressions of schema.table names the include pattern should not fetch.")
            .required(false)
            .dependsOn(TABLE_INCLUDE)
            .addValidator(parsing(input -> TableSelection.of(List.of(), List.of(".*"), TableSelection.splitPatterns(input),
                    "Table Include Pattern", "Table Exclude Pattern")))
            .build();

    static final PropertyDescriptor TIMESTAMP_COLUMN = new PropertyDescriptor.Builder()
            .name(TableColumns.TIMESTAMP)
            .description("""
                    The column holding each row's last-update time, set by the database on every insert and update (see \
                    Additional Details for MySQL, PostgreSQL and Oracle recipes). TIMESTAMP, DATETIME, TIMESTAMP WITH TIME \
                    ZONE or DATE. Rows where it is NULL are never fetched. Applies to every table; a dynamic property named \
                    after a table overrides it for that table.""")
            .required(true)
            .addValidator(column(TableColumns.TIMESTAMP))
            .build();

    static final PropertyDescriptor INCREMENTING_COLUMN = new PropertyDescriptor.Builder()
            .name(TableColumns.INCREMENTING)
            .description("""
                    A NOT NULL column that is unique among rows sharing one timestamp, typically the primary key (integer, \
                    decimal or character). With it, rows are ordered by (timestamp, id) and any number of rows sharing a \
                    timestamp are paged exactly. Without it, a run reads every row up to the upper bound and can only stop \
                    between two different timestamps. Applies to every table unless a table's dynamic property overrides it.""")
            .required(false)
            .addValidator(column(TableColumns.INCREMENTING))
            .build();

    static final PropertyDescriptor CREATION_COLUMN = new PropertyDescriptor.Builder()
            .name(TableColumns.CREATION)
            .description("""
                    A column holding the row's creation time. When set, a row whose creation time equals its update time is \
                    emitted with op "c" (created), any other with op "u" (updated). When not set, rows are emitted with op "r". \
                    Applies to every table unless a table's dynamic property overrides it.""")
            .required(false)
            .addValidator(column(TableColumns.CREATION))
            .build();

    static final PropertyDescriptor SOFT_DELETE_COLUMN = new PropertyDescriptor.Builder()
            .name(TableColumns.SOFT_DELETE)
            .description("""
                    A column flagging deleted rows (boolean, a non-zero number, or Y/YES/T/TRUE/1). Rows with the flag set are \
                    emitted with op "d" and the row as the before-image. Rows removed with DELETE are invisible to this processor. \
                    Applies to every table unless a table's dynamic property overrides it.""")
            .required(false)
            .addValidator(column(TableColumns.SOFT_DELETE))
            .build();

    static final PropertyDescriptor ADDITIONAL_WHERE = new PropertyDescriptor.Builder()
            .name("Additional WHERE Clause")
            .description("""
                    An SQL condition added to every table's query with AND, e.g. region = 'EU'. It is inserted as written (it \
                    is SQL, not a value), so only trusted users should set it. Conditions on columns that change would make \
                    rows disappear from the stream; prefer conditions on columns that never change.""")
            .required(false)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor COLUMNS_TO_RETURN = new PropertyDescriptor.Builder()
            .name(TableColumns.COLUMNS)
            .description("""
                    Comma-separated column names to return; all columns when empty. The timestamp, incrementing, creation and \
                    soft-delete columns are always returned. Applies to every table unless a table's dynamic property overrides it.""")
            .required(false)
            .addValidator(parsing(input -> Identifiers.parseList(input, TableColumns.COLUMNS)))
            .build();

    static final PropertyDescriptor COMMIT_LAG = new PropertyDescriptor.Builder()
            .name("Commit Lag")
            .description("""
                    How far behind the database's clock each run stops: only rows with an update timestamp older than the \
                    database's current time minus this period are fetched. With Open Transactions set to Wait it must exceed \
                    the time from a row's timestamp until its transaction shows up as writing (see Additional Details); \
                    otherwise it must exceed the longest time between a row's timestamp being set and its transaction \
                    committing. Larger values add latency, never loss.""")
            .required(true)
            .defaultValue("5 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    static final PropertyDescriptor OPEN_TRANSACTIONS = new PropertyDescriptor.Builder()
            .name("Open Transactions")
            .description("""
                    Whether each run's upper bound waits for the write transactions that are still open, so that a transaction \
                    that stays open longer than the Commit Lag loses nothing. See Additional Details for exactly which rows \
                    this covers and the privileges it needs.""")
            .required(true)
            .allowableValues(OpenTransactionHandling.class)
            .defaultValue(OpenTransactionHandling.WAIT)
            .build();

    static final PropertyDescriptor INITIAL_POSITION = new PropertyDescriptor.Builder()
            .name("Initial Position")
            .description("Where a table starts when the state holds no watermark for it and its timestamp and incrementing columns.")
            .required(true)
            .allowableValues(InitialTimestampPosition.class)
            .defaultValue(InitialTimestampPosition.BEGINNING)
            .build();

    static final PropertyDescriptor INITIAL_TIMESTAMP = new PropertyDescriptor.Builder()
            .name("Initial Timestamp")
            .description("""
                    The first update timestamp to fetch (inclusive), as yyyy-MM-dd HH:mm:ss[.ffffff] in the column's own terms \
                    (for a TIMESTAMP WITH TIME ZONE column append an offset such as +02:00; without one UTC is assumed).""")
            .required(true)
            .dependsOn(INITIAL_POSITION, InitialTimestampPosition.GIVEN_TIMESTAMP)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor FETCH_SIZE = new PropertyDescriptor.Builder()
            .name("Fetch Size")
            .description("Rows the JDBC driver fetches per round trip (a hint; 0 leaves the driver's default).")
            .required(true)
            .defaultValue("1000")
            .addValidator(StandardValidators.NON_NEGATIVE_INTEGER_VALIDATOR)
            .build();

    static final PropertyDescriptor MAX_ROWS_PER_FLOWFILE = new PropertyDescriptor.Builder()
            .name("Max Rows Per FlowFile")
            .description("""
                    The most records per FlowFile, and the page size of each query. Records of one FlowFile are held in memory \
                    until it is written, so this bounds the heap a run needs.""")
            .required(true)
            .defaultValue("10000")
            .addValidator(StandardValidators.POSITIVE_INTEGER_VALIDATOR)
            .build();

    static final PropertyDescriptor MAX_ROWS_PER_RUN = new PropertyDescriptor.Builder()
            .name("Max Rows Per Run")
            .description("""
                    The most rows one run fetches from each table before committing that table's FlowFiles and watermark; 0 for \
                    no limit. A limit makes a large initial load progress in committed steps. Without an Incrementing Column a \
                    run only stops between two different timestamps, so it may exceed the limit by the rows sharing the last \
                    timestamp.""")
            .required(true)
            .defaultValue("0")
            .addValidator(StandardValidators.NON_NEGATIVE_INTEGER_VALIDATOR)
            .build();

    /** The shared Output Shape with this processor's default: flattened rows, ready for database sinks. */
    static final PropertyDescriptor OUTPUT_SHAPE = new PropertyDescriptor.Builder()
            .fromPropertyDescriptor(OutputProperties.OUTPUT_SHAPE)
            .defaultValue(OutputShape.FLATTENED)
            .build();

    static final PropertyDescriptor SQL_DIALECT = new PropertyDescriptor.Builder()
            .name("SQL Dialect")
            .description("Identifier quoting, paging clause and clock function of the database.")
            .required(true)
            .allowableValues(SqlDialectOption.class)
            .defaultValue(SqlDialectOption.AUTO_DETECT)
            .build();

    static final List<PropertyDescriptor> ALL = List.of(DBCP_SERVICE, TABLE_NAMES, TABLE_INCLUDE, TABLE_EXCLUDE, TIMESTAMP_COLUMN,
            INCREMENTING_COLUMN, CREATION_COLUMN, SOFT_DELETE_COLUMN, ADDITIONAL_WHERE, COLUMNS_TO_RETURN, COMMIT_LAG,
            OPEN_TRANSACTIONS, INITIAL_POSITION, INITIAL_TIMESTAMP, FETCH_SIZE, MAX_ROWS_PER_FLOWFILE, MAX_ROWS_PER_RUN,
            OutputProperties.RECORD_WRITER, OUTPUT_SHAPE, OutputProperties.SCHEMA_REGISTRY, OutputProperties.TOPIC_PREFIX, SQL_DIALECT);

    /** The property Table Names had before multi-table capture; renamed by {@link CaptureTimestampChange#migrateProperties}. */
    static final String OLD_TABLE_NAME = "Table Name";

    /** A dynamic property: the column settings of one table, named by the table. */
    static PropertyDescriptor tableColumns(String table) {
        return new PropertyDescriptor.Builder()
                .name(table)
                .description("Column settings of table " + table + " that replace the processor's, e.g. "
                        + TableColumns.TIMESTAMP + "=changed_on; " + TableColumns.INCREMENTING + "=order_no")
                .dynamic(true)
                .required(false)
                .addValidator((subject, input, context) -> {
                    if (subject.equals(OLD_TABLE_NAME)) {
                        return new ValidationResult.Builder().subject(subject).input(input).valid(false).explanation(
                                OLD_TABLE_NAME + " is now " + TABLE_NAMES.getName() + ": move the table there").build();
                    }
                    try {
                        TableName.parse(subject);
                        TableColumns.validate(input);
                        return new ValidationResult.Builder().subject(subject).input(input).valid(true).build();
                    } catch (IllegalArgumentException e) {
                        return new ValidationResult.Builder().subject(subject).input(input).valid(false)
                                .explanation(e.getMessage()).build();
                    }
                })
                .build();
    }
}
