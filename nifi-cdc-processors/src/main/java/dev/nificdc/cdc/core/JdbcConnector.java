package dev.nificdc.cdc.core;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens a JDBC connection to the captured server (the processor passes its DBCP service or a driver connection).
 * The engine uses it for the server checks, the collation table and the information_schema fallback; each
 * caller closes the connection it gets.
 */
@FunctionalInterface
public interface JdbcConnector {
    Connection open() throws SQLException;
}
