package dev.nificdc.cdc.timestamp;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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

    @Test
    void parsesTheServersDateTimeTextExactlyAndLeavesOtherShapesToTheGeneralParser() {
        assertEquals(LocalDateTime.of(2026, 1, 1, 0, 0, 1, 123_456_000), SqlDialect.parseMySqlDateTime("2026-01-01 00:00:01.123456"));
        assertEquals(LocalDateTime.of(2024, 3, 10, 2, 30), SqlDialect.parseMySqlDateTime("2024-03-10 02:30:00"));
        assertEquals(LocalDateTime.of(1000, 1, 1, 23, 59, 59, 500_000_000), SqlDialect.parseMySqlDateTime("1000-01-01 23:59:59.5"));
        assertEquals(LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_999), SqlDialect.parseMySqlDateTime("9999-12-31 23:59:59.999999999"));
        for (String other : new String[]{"2026-01-01", "2026-01-01T00:00:01", "2026-01-01 00:00:01.", "2026-02-30 00:00:00",
                "2026-13-01 00:00:00", "2026-01-01 24:00:00", "2026-01-01 00:00:0x", " 2026-01-01 00:00:01", "2026-01-01 00:00:01.1234567890"}) {
            assertNull(SqlDialect.parseMySqlDateTime(other), other);
        }
    }
}
