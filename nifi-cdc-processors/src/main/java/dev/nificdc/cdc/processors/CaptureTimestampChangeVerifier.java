package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.timestamp.FetchConfig;
import dev.nificdc.cdc.timestamp.JdbcColumnMapper;
import dev.nificdc.cdc.timestamp.ResolvedTable;
import dev.nificdc.cdc.timestamp.SqlDialect;
import dev.nificdc.cdc.timestamp.TableInspector;
import dev.nificdc.cdc.timestamp.TimestampFetcher;
import dev.nificdc.cdc.timestamp.TimestampType;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.dbcp.DBCPService;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessContext;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The "Verify" steps of {@link CaptureTimestampChange}: connect, find the table and columns, check the timestamp and
 * id column types, look for an index serving the query, and run the first page of the real query once.
 */
final class CaptureTimestampChangeVerifier {
    static final String STEP_CONFIGURATION = "Parse Configuration";
    static final String STEP_CONNECT = "Connect to Database";
    static final String STEP_TABLE = "Find Table and Columns";
    static final String STEP_TIMESTAMP = "Timestamp Column Type";
    static final String STEP_ID = "Incrementing Column";
    static final String STEP_INDEX = "Index on Timestamp Column";
    static final String STEP_QUERY = "Run Incremental Query";

    private final ProcessContext context;
    private final ComponentLog logger;
    private final List<ConfigVerificationResult> results = new ArrayList<>();

    CaptureTimestampChangeVerifier(ProcessContext context, ComponentLog logger) {
        this.context = context;
        this.logger = logger;
    }

    List<ConfigVerificationResult> verify() {
        FetchConfig config;
        try {
            config = CaptureTimestampChange.fetchConfig(context);
        } catch (RuntimeException e) {
            add(STEP_CONFIGURATION, Outcome.FAILED, e.getMessage());
            skip(STEP_CONNECT, STEP_TABLE, STEP_TIMESTAMP, STEP_ID, STEP_INDEX, STEP_QUERY);
            return results;
        }
        DBCPService dbcp = context.getProperty(CaptureTimestampChange.DBCP_SERVICE).asControllerService(DBCPService.class);
        try (Connection connection = dbcp.getConnection()) {
            DatabaseMetaData md = connection.getMetaData();
            SqlDialect dialect = TableInspector.dialect(connection, config.dialect());
            add(STEP_CONNECT, Outcome.SUCCESSFUL, "Connected to " + md.getDatabaseProductName() + " " + md.getDatabaseProductVersion()
                    + "; SQL dialect " + dialect.displayName() + (config.dialect() == null ? " (detected)" : " (configured)"));

            ResolvedTable table;
            try {
                table = TableInspector.resolve(connection, config);
            } catch (IllegalArgumentException | SQLException e) {
                add(STEP_TABLE, Outcome.FAILED, e.getMessage());
                skip(STEP_TIMESTAMP, STEP_ID, STEP_INDEX, STEP_QUERY);
                return results;
            }
            add(STEP_TABLE, Outcome.SUCCESSFUL, "Found " + table.name() + " (quoted as " + table.quotedTable() + "); returning "
                    + table.columns().size() + " columns " + table.columns().stream().map(c -> c.schema().name()).toList());

            JdbcColumnMapper.MappedColumn ts = table.columns().get(table.timestampIndex());
            add(STEP_TIMESTAMP, Outcome.SUCCESSFUL, "Timestamp Column " + ts.schema().name() + " is " + ts.typeName()
                    + ", compared as " + describe(table.timestampType()) + (ts.schema().nullable()
                    ? "; it is nullable: rows where it is NULL are never fetched" : ""));

            if (table.idIndex() >= 0) {
                JdbcColumnMapper.MappedColumn id = table.columns().get(table.idIndex());
                add(STEP_ID, id.schema().nullable() ? Outcome.FAILED : Outcome.SUCCESSFUL, "Incrementing Column "
                        + id.schema().name() + " is " + id.typeName() + (id.schema().nullable()
                        ? " and nullable; it must be NOT NULL and unique per timestamp (for example the primary key), or a run stops at the first NULL"
                        : ", NOT NULL; rows sharing a timestamp are paged by it (it must be unique per timestamp)"));
            } else {
                add(STEP_ID, Outcome.SKIPPED, "No Incrementing Column: each run reads all rows up to the upper bound and stops early "
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
                add(STEP_INDEX, Outcome.SUCCESSFUL, "Index " + index + " serves the query's ORDER BY " + wanted);
            } else {
                add(STEP_INDEX, Outcome.FAILED, "Warning: no index starting with " + wanted + " was found"
                        + (indexError == null ? "" : " (" + indexError + ")") + "; every run will scan and sort the table. "
                        + "The processor still works; create an index on " + wanted + " for large tables");
            }

            TimestampFetcher fetcher = new TimestampFetcher(config, table);
            try {
                TimestampFetcher.Peek peek = fetcher.peek(connection, null);
                String first = peek.first() != null ? "the oldest row to fetch has timestamp " + table.timestampType().format(peek.first())
                        : "no row is older than the upper bound yet";
                add(STEP_QUERY, Outcome.SUCCESSFUL, "Query ran with upper bound " + table.timestampType().format(peek.upper())
                        + " (database clock minus Commit Lag); " + first + ". SQL: " + peek.sql());
            } catch (SQLException e) {
                add(STEP_QUERY, Outcome.FAILED, "The query failed: " + e.getMessage() + "; check Additional WHERE Clause. SQL: "
                        + fetcher.query(null, table.timestampType().parseUserInput("2000-01-01"), 1).sql());
            }
        } catch (SQLException | RuntimeException e) {
            if (results.stream().noneMatch(r -> r.getVerificationStepName().equals(STEP_CONNECT))) {
                add(STEP_CONNECT, Outcome.FAILED, "Could not connect: " + e.getMessage() + "; check the Database Connection Pooling Service");
                skip(STEP_TABLE, STEP_TIMESTAMP, STEP_ID, STEP_INDEX, STEP_QUERY);
            } else {
                add(STEP_QUERY, Outcome.FAILED, "Verification stopped: " + e.getMessage());
            }
        }
        return results;
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
