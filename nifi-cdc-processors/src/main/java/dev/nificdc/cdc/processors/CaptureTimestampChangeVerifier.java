package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.timestamp.FetchConfig;
import dev.nificdc.cdc.timestamp.JdbcColumnMapper;
import dev.nificdc.cdc.timestamp.OpenTransactions;
import dev.nificdc.cdc.timestamp.ResolvedTable;
import dev.nificdc.cdc.timestamp.SqlDialect;
import dev.nificdc.cdc.timestamp.TableInspector;
import dev.nificdc.cdc.timestamp.TableName;
import dev.nificdc.cdc.timestamp.TimestampFetcher;
import dev.nificdc.cdc.timestamp.TimestampType;
import dev.nificdc.cdc.timestamp.UpperBound;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.dbcp.DBCPService;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The "Verify" steps of {@link CaptureTimestampChange}: connect, list the selected tables, then for every table find it
 * and its columns, check the timestamp and id column types, look for an index serving the query and run the first page
 * of the real query once; finally check that open write transactions are visible. Per-table steps are named
 * {@code <step>: <table>}.
 */
final class CaptureTimestampChangeVerifier {
    static final String STEP_CONFIGURATION = "Parse Configuration";
    static final String STEP_CONNECT = "Connect to Database";
    static final String STEP_TABLES = "Find Tables";
    static final String STEP_TABLE = "Find Table and Columns";
    static final String STEP_TIMESTAMP = "Timestamp Column Type";
    static final String STEP_ID = "Incrementing Column";
    static final String STEP_INDEX = "Index on Timestamp Column";
    static final String STEP_QUERY = "Run Incremental Query";
    static final String STEP_OPEN_TRANSACTIONS = "Open Transactions";

    private final ProcessContext context;
    private final ComponentLog logger;
    private final List<ConfigVerificationResult> results = new ArrayList<>();

    CaptureTimestampChangeVerifier(ProcessContext context, ComponentLog logger) {
        this.context = context;
        this.logger = logger;
    }

    List<ConfigVerificationResult> verify() {
        TimestampCaptureSettings settings;
        try {
            settings = TimestampCaptureSettings.from(context);
        } catch (RuntimeException e) {
            add(STEP_CONFIGURATION, Outcome.FAILED, e.getMessage());
            skip(STEP_CONNECT, STEP_TABLES, STEP_OPEN_TRANSACTIONS);
            return results;
        }
        DBCPService dbcp = context.getProperty(TimestampCaptureProperties.DBCP_SERVICE).asControllerService(DBCPService.class);
        try (Connection connection = dbcp.getConnection()) {
            DatabaseMetaData md = connection.getMetaData();
            SqlDialect dialect = TableInspector.dialect(connection, settings.dialect());
            add(STEP_CONNECT, Outcome.SUCCESSFUL, "Connected to " + md.getDatabaseProductName() + " " + md.getDatabaseProductVersion()
                    + "; SQL dialect " + dialect.displayName() + (settings.dialect() == null ? " (detected)" : " (configured)"));
            List<TableName> tables = findTables(connection, settings);
            TimestampFetcher probe = null;
            Set<String> verified = new HashSet<>();
            for (TableName table : tables) {
                TimestampFetcher fetcher = verifyTable(connection, settings.fetchConfig(table), table.toString(), verified);
                probe = probe == null ? fetcher : probe;
            }
            verifyOpenTransactions(connection, settings, probe);
        } catch (SQLException | RuntimeException e) {
            if (results.stream().noneMatch(r -> r.getVerificationStepName().equals(STEP_CONNECT))) {
                add(STEP_CONNECT, Outcome.FAILED, "Could not connect: " + e.getMessage() + "; check the Database Connection Pooling Service");
                skip(STEP_TABLES, STEP_OPEN_TRANSACTIONS);
            } else {
                add(STEP_OPEN_TRANSACTIONS, Outcome.FAILED, "Verification stopped: " + e.getMessage());
            }
        }
        return results;
    }

    private List<TableName> findTables(Connection connection, TimestampCaptureSettings settings) throws SQLException {
        List<TableName> tables = settings.selection().tables(connection);
        List<TableName> unmatched = settings.unmatchedOverrides(tables);
        String overrides = unmatched.isEmpty() ? "" : "; the dynamic properties " + unmatched
                + " name no selected table (check their spelling: they apply to a listed or matched table of that name)";
        if (tables.isEmpty()) {
            add(STEP_TABLES, Outcome.FAILED, "No table matches Table Include Pattern; the processor fetches nothing until one does" + overrides);
        } else {
            add(STEP_TABLES, unmatched.isEmpty() ? Outcome.SUCCESSFUL : Outcome.FAILED, tables.size() + " table(s) selected: " + tables
                    + (settings.selection().hasPatterns() ? " (the patterns are matched again at every run)" : "") + overrides);
        }
        return tables;
    }

    /**
     * The per-table steps; returns the table's fetcher, or null when the table could not be resolved or was verified
     * already (listed and matched by a pattern as well).
     */
    private TimestampFetcher verifyTable(Connection connection, FetchConfig config, String name, Set<String> verified) {
        ResolvedTable table;
        try {
            table = TableInspector.resolve(connection, config);
        } catch (IllegalArgumentException | SQLException e) {
            add(step(STEP_TABLE, name), Outcome.FAILED, e.getMessage());
            skip(step(STEP_TIMESTAMP, name), step(STEP_ID, name), step(STEP_INDEX, name), step(STEP_QUERY, name));
            return null;
        }
        if (!verified.add(TimestampTableCapture.stateKey(table))) {
            return null;
        }
        add(step(STEP_TABLE, name), Outcome.SUCCESSFUL, "Found " + table.name() + " (quoted as " + table.quotedTable() + "); returning "
                + table.columns().size() + " columns " + table.columns().stream().map(c -> c.schema().name()).toList());

        JdbcColumnMapper.MappedColumn ts = table.columns().get(table.timestampIndex());
        add(step(STEP_TIMESTAMP, name), Outcome.SUCCESSFUL, "Timestamp Column " + ts.schema().name() + " is " + ts.typeName()
                + ", compared as " + describe(table.timestampType()) + (ts.schema().nullable()
                ? "; it is nullable: rows where it is NULL are never fetched" : ""));

        if (table.idIndex() >= 0) {
            JdbcColumnMapper.MappedColumn id = table.columns().get(table.idIndex());
            add(step(STEP_ID, name), id.schema().nullable() ? Outcome.FAILED : Outcome.SUCCESSFUL, "Incrementing Column "
                    + id.schema().name() + " is " + id.typeName() + (id.schema().nullable()
                    ? " and nullable; it must be NOT NULL and unique per timestamp (for example the primary key), or a run stops at the first NULL"
                    : ", NOT NULL; rows sharing a timestamp are paged by it (it must be unique per timestamp)"));
        } else {
            add(step(STEP_ID, name), Outcome.SKIPPED, "No Incrementing Column: each run reads all rows up to the upper bound and stops early "
                    + "only between different timestamps");
        }

        String index = null;
        String indexError = null;
        try {
            index = TableInspector.findIndex(connection, table);
        } catch (SQLException e) {
            indexError = e.getMessage();
        }
        String wanted = "(" + ts.schema().name() + (table.idIndex() >= 0 ? ", " + table.columns().get(table.idIndex()).schema().name() : "") + ")";
        if (index != null) {
            add(step(STEP_INDEX, name), Outcome.SUCCESSFUL, "Index " + index + " serves the query's ORDER BY " + wanted);
        } else {
            add(step(STEP_INDEX, name), Outcome.FAILED, "Warning: no index starting with " + wanted + " was found"
                    + (indexError == null ? "" : " (" + indexError + ")") + "; every run will scan and sort the table. "
                    + "The processor still works; create an index on " + wanted + " for large tables");
        }

        TimestampFetcher fetcher = new TimestampFetcher(config, table);
        try {
            TimestampFetcher.Peek peek = fetcher.peek(connection, null);
            String first = peek.first() != null ? "the oldest row to fetch has timestamp " + table.timestampType().format(peek.first())
                    : "no row is older than the upper bound yet";
            add(step(STEP_QUERY, name), Outcome.SUCCESSFUL, "Query ran with upper bound " + peek.bound().describe(table.timestampType())
                    + "; " + first + ". SQL: " + peek.sql());
        } catch (SQLException e) {
            add(step(STEP_QUERY, name), Outcome.FAILED, "The query failed: " + e.getMessage() + "; check Additional WHERE Clause. SQL: "
                    + fetcher.query(null, table.timestampType().parseUserInput("2000-01-01"), 1).sql());
        }
        return fetcher;
    }

    private void verifyOpenTransactions(Connection connection, TimestampCaptureSettings settings, TimestampFetcher probe) throws SQLException {
        if (settings.openTransactions() == OpenTransactionHandling.IGNORE) {
            add(STEP_OPEN_TRANSACTIONS, Outcome.SKIPPED, "Open Transactions is Ignore: the Commit Lag (" + UpperBound.seconds(settings.commitLag())
                    + ") alone bounds each run; a write transaction open longer than that can lose its rows");
            return;
        }
        if (probe == null) {
            skip(STEP_OPEN_TRANSACTIONS);
            return;
        }
        TimestampType type = probe.table().timestampType();
        UpperBound bound = probe.upperBound(connection);
        OpenTransactions.Snapshot transactions = bound.transactions();
        String oldest = transactions.oldestStart() == null ? "no write transaction is open now"
                : "the oldest open write transaction now is " + transactions.oldest() + ", started " + transactions.oldestStart()
                + (bound.oldestTransactionAge() == null ? "" : " (open for " + UpperBound.seconds(bound.oldestTransactionAge()) + ")");
        String hidden = transactions.hidden() == 0 ? "" : "; " + transactions.hidden() + " open write transaction(s) hide their start";
        String upper = "; upper bound of " + probe.table().name() + " now " + bound.describe(type);
        if (transactions.visibility() == OpenTransactions.Visibility.ALL) {
            add(STEP_OPEN_TRANSACTIONS, Outcome.SUCCESSFUL, "Every session's write transactions are visible: each run's upper bound stays "
                    + "before the start of the oldest one; " + oldest + hidden + upper);
        } else {
            add(STEP_OPEN_TRANSACTIONS, Outcome.FAILED, "Warning: " + transactions.limitation() + ". For the transactions it cannot see"
                    + " the processor falls back to the Commit Lag (" + UpperBound.seconds(settings.commitLag()) + "): a write transaction "
                    + "open longer than that can lose its rows. " + (transactions.visibility() == OpenTransactions.Visibility.OWN_ROLE
                    ? "Visible now: " + oldest + hidden + upper : upper.substring(2)));
        }
    }

    private static String step(String step, String table) {
        return step + ": " + table;
    }

    private static String describe(TimestampType type) {
        return switch (type) {
            case LOCAL_DATE_TIME -> "a wall-clock date-time without time zone";
            case OFFSET_DATE_TIME -> "an instant (with time zone)";
            case DATE -> "a date (each day is delivered once it is entirely older than the Commit Lag)";
        };
    }

    private void add(String step, Outcome outcome, String explanation) {
        if (outcome == Outcome.FAILED) {
            logger.warn("{}: {}", step, explanation);
        } else {
            logger.info("{}: {}", step, explanation);
        }
        results.add(new ConfigVerificationResult.Builder().verificationStepName(step).outcome(outcome).explanation(explanation).build());
    }

    private void skip(String... steps) {
        for (String step : steps) {
            results.add(new ConfigVerificationResult.Builder().verificationStepName(step).outcome(Outcome.SKIPPED)
                    .explanation("Skipped because an earlier step failed").build());
        }
    }
}
