package dev.nificdc.e2e;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The source-specific half of {@link Demo} ({@code --source}): the servers it starts, the sample table, the flow
 * definition it imports and that flow's settings. {@link Demo} does the rest the same way for every source: NiFi, the
 * sample writer, progress and the row-by-row comparison.
 */
interface DemoSource {
    static DemoSource of(DemoOptions options) {
        return options.postgres() ? new PostgresDemoSource() : new MariaDbDemoSource();
    }

    /** The flow definition in templates/ the demo imports. */
    String template();

    /** Name of the imported process group on NiFi's canvas. */
    String groupName();

    /** Name of the capture processor in {@link #template()}. */
    String captureProcessor();

    /** Name of the capture processor's lag counter. */
    String lagCounter();

    /**
     * Starts (or connects to) the source and starts the replica, creates the sample table when the options ask for it,
     * and creates the replica table holding the source's current rows (or lets the flow's snapshot copy them). Hands
     * everything to stop or delete on exit to {@code track}, in the order of creation.
     */
    void start(DemoOptions options, Consumer<String> step, Consumer<AutoCloseable> track) throws Exception;

    /** A connection to the source database for the comparison (the same one every time). */
    Connection source();

    /** A connection to the replica database for the comparison (the same one every time). */
    Connection replica();

    /** A new connection to the source database (for the sample writer); the caller closes it. */
    Connection connectSource() throws SQLException;

    /** The replicated table as a quoted identifier for SQL. */
    String quotedTable();

    /** The table's primary key columns. */
    List<String> primaryKey();

    /** database.table as the user reads it. */
    String tableLabel();

    /** The flow's parameters, pointing at the demo's servers. */
    Map<String, String> flowParameters();

    /** Which of {@link #flowParameters()} are sensitive. */
    List<String> sensitiveParameters();

    /** Properties of the capture processor that differ from the template's (e.g. where capture starts); may be empty. */
    Map<String, String> captureProperties();

    /** The canvas note that says what the demo did with the imported flow. */
    String canvasNote();

    /** How the user changes the source themselves, e.g. a mysql command line; null when the server is the user's. */
    String clientHint();
}
