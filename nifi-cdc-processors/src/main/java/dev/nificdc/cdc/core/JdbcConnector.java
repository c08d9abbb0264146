package dev.nificdc.cdc.core;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens a JDBC connection to the captured server (the processor passes its DBCP service or a driver connection).
 * Engines use it for server checks, metadata and snapshot reads; each caller closes the connection it gets.
 */
@FunctionalInterface
public interface JdbcConnector {
    Connection open() throws SQLException;
}
