package dev.nificdc.cdc.timestamp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SqlDialectTest {
    @Test
    void detectsFromProductName() {
        assertEquals(SqlDialect.MYSQL, SqlDialect.detect("MySQL"));
        assertEquals(SqlDialect.MYSQL, SqlDialect.detect("MariaDB"));
        assertEquals(SqlDialect.POSTGRESQL, SqlDialect.detect("PostgreSQL"));
        assertEquals(SqlDialect.ORACLE, SqlDialect.detect("Oracle"));
        assertEquals(SqlDialect.SQL_SERVER, SqlDialect.detect("Microsoft SQL Server"));
        assertEquals(SqlDialect.GENERIC, SqlDialect.detect("H2"));
        assertEquals(SqlDialect.GENERIC, SqlDialect.detect(null));
    }

    @Test
    void pagesAndReadsTheClockPerDialect() {
        assertEquals("SELECT a FROM t ORDER BY a LIMIT 5", SqlDialect.MYSQL.page("SELECT a FROM t ORDER BY a", 5));
        assertEquals("SELECT a FROM t ORDER BY a LIMIT 5", SqlDialect.POSTGRESQL.page("SELECT a FROM t ORDER BY a", 5));
        assertEquals("SELECT a FROM t ORDER BY a FETCH FIRST 5 ROWS ONLY", SqlDialect.ORACLE.page("SELECT a FROM t ORDER BY a", 5));
        assertEquals("SELECT TOP (5) a FROM t ORDER BY a", SqlDialect.SQL_SERVER.page("SELECT a FROM t ORDER BY a", 5));
        assertEquals("SELECT CAST(CURRENT_TIMESTAMP(6) AS CHAR)", SqlDialect.MYSQL.nowQuery(false));
        assertEquals("CAST(`ts` AS CHAR)", SqlDialect.MYSQL.selectExpression("`ts`", java.sql.Types.TIMESTAMP, "DATETIME"));
        assertEquals("`y`", SqlDialect.MYSQL.selectExpression("`y`", java.sql.Types.DATE, "YEAR"));
        assertEquals("\"ts\"", SqlDialect.POSTGRESQL.selectExpression("\"ts\"", java.sql.Types.TIMESTAMP, "timestamp"));
        assertEquals("SELECT clock_timestamp()", SqlDialect.POSTGRESQL.nowQuery(true));
        assertEquals("SELECT CAST(clock_timestamp() AS timestamp)", SqlDialect.POSTGRESQL.nowQuery(false));
        assertEquals("SELECT SYSTIMESTAMP FROM DUAL", SqlDialect.ORACLE.nowQuery(true));
        assertEquals("SELECT SYSDATETIME()", SqlDialect.SQL_SERVER.nowQuery(false));
    }
}
