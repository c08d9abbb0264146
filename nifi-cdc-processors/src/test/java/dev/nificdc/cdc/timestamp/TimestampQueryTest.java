package dev.nificdc.cdc.timestamp;

import dev.nificdc.cdc.record.TableSchema;
import org.junit.jupiter.api.Test;

import java.sql.Types;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The exact SQL of the incremental query per dialect and watermark kind; values are parameters, never SQL text. */
class TimestampQueryTest {
    private static final LocalDateTime UPPER = LocalDateTime.of(2024, 3, 10, 2, 30, 0, 123_456_000);
    private static final LocalDateTime LAST = LocalDateTime.of(2024, 3, 10, 2, 29, 59);

    @Test
    void keysetPageWithIncrementingColumn() {
        TimestampFetcher fetcher = fetcher(SqlDialect.POSTGRESQL, true, "region = 'EU'");
        TimestampFetcher.Query query = fetcher.query(Watermark.afterRow(LAST, "42"), UPPER, 500);
        assertEquals("SELECT \"id\", \"Updated At\", \"na\"\"me\" FROM \"shop\".\"Order Items\" WHERE \"Updated At\" < ?"
                + " AND \"Updated At\" >= ? AND (\"Updated At\" > ? OR (\"Updated At\" = ? AND \"id\" > ?)) AND (region = 'EU')"
                + " ORDER BY \"Updated At\", \"id\" LIMIT 500", query.sql());
        assertEquals(List.of(UPPER, LAST, LAST, LAST, 42L), query.parameters());
    }

    @Test
    void mysqlSelectsTemporalColumnsAsTextAndBindsText() {
        TimestampFetcher fetcher = fetcher(SqlDialect.MYSQL, true, null);
        TimestampFetcher.Query query = fetcher.query(Watermark.afterRow(LAST, "7"), UPPER, 10);
        assertEquals("SELECT `id`, CAST(`Updated At` AS CHAR), `na\"me` FROM `shop`.`Order Items` WHERE `Updated At` < ?"
                + " AND `Updated At` >= ? AND (`Updated At` > ? OR (`Updated At` = ? AND `id` > ?)) ORDER BY `Updated At`, `id` LIMIT 10", query.sql());
        assertEquals(List.of("2024-03-10 02:30:00.123456", "2024-03-10 02:29:59", "2024-03-10 02:29:59", "2024-03-10 02:29:59", 7L),
                query.parameters());
    }

    @Test
    void timestampOnlyModeAndInitialPositions() {
        TimestampFetcher fetcher = fetcher(SqlDialect.SQL_SERVER, false, null);
        assertEquals("SELECT [id], [Updated At], [na\"me] FROM [shop].[Order Items] WHERE [Updated At] < ? AND [Updated At] > ?"
                + " ORDER BY [Updated At]", fetcher.query(Watermark.afterTimestamp(LAST), UPPER, 0).sql());
        assertEquals("SELECT TOP (1) [id], [Updated At], [na\"me] FROM [shop].[Order Items] WHERE [Updated At] < ? AND [Updated At] >= ?"
                + " ORDER BY [Updated At]", fetcher.query(Watermark.fromTimestamp(LAST), UPPER, 1).sql());
        assertEquals("SELECT \"id\", \"Updated At\", \"na\"\"me\" FROM \"shop\".\"Order Items\" WHERE \"Updated At\" < ?"
                + " ORDER BY \"Updated At\" FETCH FIRST 3 ROWS ONLY", fetcher(SqlDialect.ORACLE, false, null).query(null, UPPER, 3).sql());
    }

    /** Reading again a run whose commit was interrupted: no further than the stored end, in (ts, id) order. */
    @Test
    void aRepeatReadsNoFurtherThanTheStoredEnd() {
        LocalDateTime end = LocalDateTime.of(2024, 3, 10, 2, 30);
        TimestampFetcher.Query paged = fetcher(SqlDialect.POSTGRESQL, true, null).query(Watermark.afterRow(LAST, "42"), UPPER, 500,
                Watermark.afterRow(end, "99"));
        assertEquals("SELECT \"id\", \"Updated At\", \"na\"\"me\" FROM \"shop\".\"Order Items\" WHERE \"Updated At\" < ?"
                + " AND \"Updated At\" >= ? AND (\"Updated At\" > ? OR (\"Updated At\" = ? AND \"id\" > ?))"
                + " AND (\"Updated At\" < ? OR (\"Updated At\" = ? AND \"id\" <= ?)) ORDER BY \"Updated At\", \"id\" LIMIT 500", paged.sql());
        assertEquals(List.of(UPPER, LAST, LAST, LAST, 42L, end, end, 99L), paged.parameters());
        TimestampFetcher.Query streamed = fetcher(SqlDialect.POSTGRESQL, false, null).query(Watermark.afterTimestamp(LAST), UPPER, 0,
                Watermark.afterTimestamp(end));
        assertEquals("SELECT \"id\", \"Updated At\", \"na\"\"me\" FROM \"shop\".\"Order Items\" WHERE \"Updated At\" < ?"
                + " AND \"Updated At\" > ? AND \"Updated At\" <= ? ORDER BY \"Updated At\"", streamed.sql());
    }

    @Test
    void unsignedBigintIdsBeyondLongAreBoundAsDecimals() {
        TimestampFetcher fetcher = fetcher(SqlDialect.MYSQL, true, null, "BIGINT UNSIGNED", false);
        assertEquals(new java.math.BigDecimal("18446744073709551615"),
                fetcher.query(Watermark.afterRow(LAST, "18446744073709551615"), UPPER, 10).parameters().get(4));
    }

    private static TimestampFetcher fetcher(SqlDialect dialect, boolean withId, String where) {
        return fetcher(dialect, withId, where, "BIGINT", true);
    }

    private static TimestampFetcher fetcher(SqlDialect dialect, boolean withId, String where, String idType, boolean signed) {
        List<JdbcColumnMapper.MappedColumn> columns = List.of(
                JdbcColumnMapper.map("id", Types.BIGINT, idType, 19, 0, signed, false, dialect),
                JdbcColumnMapper.map("Updated At", Types.TIMESTAMP, "DATETIME", 26, 6, true, false, dialect),
                JdbcColumnMapper.map("na\"me", Types.VARCHAR, "VARCHAR", 20, 0, true, true, dialect));
        TableName name = TableName.parse("shop.Order Items");
        TableSchema schema = new TableSchema("shop", "Order Items", columns.stream().map(JdbcColumnMapper.MappedColumn::schema).toList(), List.of("id"));
        ResolvedTable table = new ResolvedTable(dialect, name, columns, schema, 1, withId ? 0 : -1, -1, -1, TimestampType.LOCAL_DATE_TIME);
        FetchConfig config = new FetchConfig(name, "Updated At", withId ? "id" : null, null, null, where, List.of(), Duration.ofSeconds(5),
                false, 100, 500, 0, dialect, "test");
        return new TimestampFetcher(config, table);
    }
}
