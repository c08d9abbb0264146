package dev.nificdc.cdc.processors;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A private database server for CaptureTimestampChange's integration tests, and what differs between databases. A JUnit
 * extension: a test class registers one ({@code @RegisterExtension static final}), which starts the server before its
 * tests and stops it after them.
 */
interface TimestampTestDatabase extends BeforeAllCallback, AfterAllCallback {
    /** A database user the processor connects as. */
    record Login(String user, String password) {
    }

    /** JDBC URL of the test database. */
    String url();

    /** The login the processor uses by default: it can read the tables but may lack the privilege to see other sessions. */
    Login login();

    /** A login that sees the start of every session's open write transaction (pg_read_all_stats; PROCESS). */
    Login transactionObserver();

    /** A login that can read the tables but sees no other role's open write transactions. */
    Login withoutTransactionPrivilege();

    /** The privilege {@link #withoutTransactionPrivilege()} lacks, as the processor's warning names it. */
    String transactionPrivilege();

    /** Opens a connection to the test database as a writer (administrator). */
    Connection connect() throws SQLException;

    String quote(String identifier);

    /** Column type of a wall-clock timestamp with microseconds. */
    String localTimestampType();

    /** The schema (PostgreSQL) or database (MariaDB) holding the test tables. */
    String schemaName();

    /** Statements creating the standard table with the documented recipe for an update-timestamp column the database maintains. */
    String[] standardTable(String table);

    /** Statement setting the session time zone to +05:45 (Asia/Kathmandu). */
    String setSessionZone();

    /**
     * A statement inserting {@code count} rows named r1..rN, all with the literal update timestamp, or when it is null with
     * timestamps spread over 997 distinct microseconds (so many rows share each one).
     */
    String insertGenerated(String table, int count, String timestamp);
}
