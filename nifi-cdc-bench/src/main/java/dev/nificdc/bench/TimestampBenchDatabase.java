package dev.nificdc.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * One database of the timestamp fetch benchmark: where the loaded {@code orders} table lives and how to connect to it
 * as the capture user.
 *
 * @param name     short name for the report: {@code postgresql} or {@code mariadb}
 * @param dialect  the workload dialect the table was created with
 * @param jdbcUrl  JDBC URL of the database holding the table
 * @param user     the user the candidates read as
 * @param password its password ("" for none)
 * @param table    the table name
 */
record TimestampBenchDatabase(String name, OrdersWorkload.Dialect dialect, String jdbcUrl, String user, String password, String table) {
    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }
}
