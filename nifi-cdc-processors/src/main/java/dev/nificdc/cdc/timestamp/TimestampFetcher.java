package dev.nificdc.cdc.timestamp;

import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ValueKind;

import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the timestamp-incremental fetch.
 *
 * <p>The upper bound is read once per run: the database's own clock minus the commit lag, and, when configured, no
 * later than the start of the oldest open write transaction (minus {@link UpperBound#CLOCK_MARGIN}). Rows whose
 * transaction commits late with an older timestamp are then still found: within the lag, or however late when their
 * timestamp is at or after their transaction's start and the server lists that transaction. Every row with
 * {@code ts < upper} is assumed complete (committed); the watermark never passes {@code upper}.
 *
 * <p>With an incrementing column the run pages with
 * {@code ts < :upper AND ts >= :lastTs AND (ts > :lastTs OR (ts = :lastTs AND id > :lastId)) ORDER BY ts, id} and a page limit, so any
 * number of rows sharing one timestamp page correctly, and a run may stop after any row. Without it the run issues
 * {@code ts > :lastTs AND ts < :upper ORDER BY ts} once and streams it; since a tie group cannot be split without an
 * id, a run stops early (Max Rows Per Run) only between two different timestamps, so a group larger than the limit
 * is read whole.
 */
public final class TimestampFetcher {
    private final FetchConfig config;
    private final ResolvedTable table;
    private final ChangeEventFactory events;

    /** Receives each fetched row, in (timestamp, id) order, with its exact update timestamp. */
    @FunctionalInterface
    public interface RowHandler {
        void onRow(ChangeEvent event, Temporal updateTimestamp) throws IOException;
    }

    /**
     * @param watermark where the next run starts (unchanged when no row was read)
     * @param rows      rows delivered
     * @param queries   SELECT statements issued (pages)
     * @param bound     the upper bound used
     * @param more      whether the run stopped at Max Rows Per Run with rows possibly left below the upper bound
     */
    public record RunResult(Watermark watermark, long rows, int queries, UpperBound bound, boolean more) {
        public Temporal upper() {
            return bound.upper();
        }
    }

    public TimestampFetcher(FetchConfig config, ResolvedTable table) {
        this(config, table, System::currentTimeMillis);
    }

    public TimestampFetcher(FetchConfig config, ResolvedTable table, java.util.function.LongSupplier clock) {
        this.config = config;
        this.table = table;
        this.events = new ChangeEventFactory(table, config.sourceName(), clock);
    }

    public ResolvedTable table() {
        return table;
    }

    /** The database's clock now, as a value of the timestamp column's type (before subtracting the commit lag). */
    public Temporal databaseNow(Connection connection) throws SQLException {
        TimestampType type = table.timestampType();
        String sql = table.dialect().nowQuery(type == TimestampType.OFFSET_DATE_TIME);
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("The clock query returned no row: " + sql);
            }
            Temporal now = table.dialect().readTemporal(rs, 1, type.clockType());
            if (now == null) {
                throw new SQLException("The clock query returned NULL: " + sql);
            }
            return now;
        }
    }

    /** The upper bound of a run starting now (the MySQL session zone as {@link #run} uses it). */
    public UpperBound upperBound(Connection connection) throws SQLException {
        if (table.dialect() == SqlDialect.MYSQL && table.mysqlTimestampColumn()) {
            try (MySqlSessionZone ignored = MySqlSessionZone.utc(connection)) {
                return readBound(connection);
            }
        }
        return readBound(connection);
    }

    /** Reads the clock first, then the open transactions: a transaction not listed yet writes rows stamped after the clock reading. */
    private UpperBound readBound(Connection connection) throws SQLException {
        Temporal now = databaseNow(connection);
        OpenTransactions.Snapshot transactions = config.waitForOpenTransactions()
                ? OpenTransactions.read(connection, table.dialect(), table.timestampType()) : null;
        if (!connection.getAutoCommit()) {
            // The rows must be read in a snapshot taken after the bound: a transaction that commits in between is no
            // longer listed as open, so an older snapshot (REPEATABLE READ, MySQL's default) would miss its rows.
            connection.commit();
        }
        return UpperBound.of(table.timestampType(), now, config.commitLag(), transactions);
    }

    /**
     * Reads every row between {@code start} (null = the beginning of the table) and the upper bound.
     *
     * <p>On MySQL/MariaDB the rows are read in a UTC session (restored afterwards), so TIMESTAMP columns are exact
     * instants. The clock is read in the same zone as the timestamp column's values: UTC for a TIMESTAMP column,
     * the connection's own session zone for a DATETIME column (whose values the writers' sessions produced).
     */
    public RunResult run(Connection connection, Watermark start, RowHandler handler) throws SQLException, IOException {
        return inSession(connection, bound -> run(connection, start, bound, null, handler));
    }

    /**
     * Reads again the rows of a run whose commit was interrupted ({@link WatermarkState.Intent}): from {@code start}, with
     * the stored upper bound, up to and including the stored end. The rows unchanged since are the same rows in the same
     * order; a row changed since is no longer in that range (its new version comes in a later run). The watermark it
     * returns is the intent's end unless Max Rows Per Run stopped it first.
     */
    public RunResult repeat(Connection connection, Watermark start, WatermarkState.Intent intent, RowHandler handler)
            throws SQLException, IOException {
        return inSession(connection, UpperBound.repeated(intent.upper(), config.commitLag()),
                bound -> run(connection, start, bound, intent.end(), handler));
    }

    /**
     * The upper bound and the update timestamp of the first row the next run would fetch (null when no row is below
     * the upper bound), found by running the real query with a page of one row.
     */
    public record Peek(UpperBound bound, Temporal first, String sql) {
    }

    public Peek peek(Connection connection, Watermark start) throws SQLException {
        try {
            return inSession(connection, bound -> {
                Query query = query(start, bound.upper(), 1);
                try (PreparedStatement ps = prepare(connection, query); ResultSet rs = ps.executeQuery()) {
                    return new Peek(bound, rs.next() ? type().read(rs, table.timestampIndex() + 1, table.dialect()) : null, query.sql());
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FunctionalInterface
    private interface SessionBody<T> {
        T apply(UpperBound bound) throws SQLException, IOException;
    }

    private <T> T inSession(Connection connection, SessionBody<T> body) throws SQLException, IOException {
        return inSession(connection, null, body);
    }

    /** Runs {@code body} in the session zone {@link #run} reads in, with {@code stored} or else a bound read now. */
    private <T> T inSession(Connection connection, UpperBound stored, SessionBody<T> body) throws SQLException, IOException {
        if (stored != null && table.dialect() != SqlDialect.MYSQL) {
            return body.apply(stored);
        }
        if (table.dialect() != SqlDialect.MYSQL) {
            return body.apply(readBound(connection));
        }
        UpperBound bound = stored != null ? stored : table.mysqlTimestampColumn() ? null : readBound(connection);
        try (MySqlSessionZone ignored = MySqlSessionZone.utc(connection)) {
            if (bound == null) {
                bound = readBound(connection);
            }
            return body.apply(bound);
        }
    }

    /** @param end the last position to read (a repeat), or null */
    private RunResult run(Connection connection, Watermark start, UpperBound bound, Watermark end, RowHandler handler)
            throws SQLException, IOException {
        TimestampType type = table.timestampType();
        if (start != null && type.compare(start.timestamp(), bound.upper()) >= 0) {
            return new RunResult(start, 0, 0, bound, false);
        }
        boolean autoCommit = connection.getAutoCommit();
        try {
            if (autoCommit) {
                connection.setAutoCommit(false); // PostgreSQL streams a result set only inside a transaction
            }
            RunResult result = table.idIndex() >= 0 ? runPaged(connection, start, bound, end, handler)
                    : runStreamed(connection, start, bound, end, handler);
            connection.commit();
            if (end != null && !result.more()) {
                // the whole repeated range was read, also where its last rows changed since
                return new RunResult(end, result.rows(), result.queries(), bound, false);
            }
            return result;
        } catch (SQLException | IOException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            if (autoCommit) {
                connection.setAutoCommit(true);
            }
        }
    }

    private RunResult runPaged(Connection connection, Watermark start, UpperBound bound, Watermark end, RowHandler handler)
            throws SQLException, IOException {
        Temporal upper = bound.upper();
        Watermark watermark = start;
        long rows = 0;
        int queries = 0;
        long limit = config.maxRowsPerRun();
        while (true) {
            int pageSize = limit > 0 ? (int) Math.min(config.pageSize(), limit - rows) : config.pageSize();
            int pageRows = 0;
            Query query = query(watermark, upper, pageSize, end);
            try (PreparedStatement ps = prepare(connection, query)) {
                queries++;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Row row = read(rs);
                        String id = row.values()[table.idIndex()] == null ? null : rs.getString(table.idIndex() + 1);
                        if (id == null) {
                            throw new IllegalStateException("Incrementing Column [" + table.columns().get(table.idIndex()).schema().name()
                                    + "] is NULL in a row with timestamp " + type().format(row.ts())
                                    + "; the column must be NOT NULL and unique (for example the primary key)");
                        }
                        handler.onRow(events.create(row.values(), row.ts()), row.ts());
                        watermark = Watermark.afterRow(row.ts(), id);
                        rows++;
                        pageRows++;
                    }
                }
            }
            if (pageRows < pageSize) {
                return new RunResult(watermark, rows, queries, bound, false);
            }
            if (limit > 0 && rows >= limit) {
                return new RunResult(watermark, rows, queries, bound, true);
            }
        }
    }

    private RunResult runStreamed(Connection connection, Watermark start, UpperBound bound, Watermark end, RowHandler handler)
            throws SQLException, IOException {
        Temporal upper = bound.upper();
        long rows = 0;
        Temporal last = null;
        Query query = query(start, upper, 0, end);
        try (PreparedStatement ps = prepare(connection, query); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Row row = read(rs);
                if (config.maxRowsPerRun() > 0 && rows >= config.maxRowsPerRun() && type().compare(row.ts(), last) != 0) {
                    return new RunResult(Watermark.afterTimestamp(last), rows, 1, bound, true);
                }
                handler.onRow(events.create(row.values(), row.ts()), row.ts());
                last = row.ts();
                rows++;
            }
        }
        return new RunResult(last == null ? start : Watermark.afterTimestamp(last), rows, 1, bound, false);
    }

    private TimestampType type() {
        return table.timestampType();
    }

    private record Row(Object[] values, Temporal ts) {
    }

    /** Reads the row's columns in order; the timestamp column once, as the watermark value and as the record value. */
    private Row read(ResultSet rs) throws SQLException {
        List<JdbcColumnMapper.MappedColumn> columns = table.columns();
        int tsIndex = table.timestampIndex();
        Object[] values = new Object[columns.size()];
        Temporal ts = null;
        for (int i = 0; i < values.length; i++) {
            if (i == tsIndex) {
                ts = type().read(rs, i + 1, table.dialect());
                values[i] = JdbcColumnMapper.canonical(ts);
            } else {
                values[i] = columns.get(i).reader().read(rs, i + 1);
            }
        }
        return new Row(values, ts);
    }

    /** A statement and its parameters, in order. */
    public record Query(String sql, List<Object> parameters) {
    }

    /**
     * Builds the query for the rows after {@code watermark} (null = from the beginning) and before {@code upper}.
     *
     * @param limit page size, or 0 for no paging clause
     */
    public Query query(Watermark watermark, Temporal upper, int limit) {
        return query(watermark, upper, limit, null);
    }

    /**
     * As {@link #query(Watermark, Temporal, int)}, reading no further than {@code end} (rows at or before it in
     * {@code (ts, id)} order) when it is not null.
     */
    public Query query(Watermark watermark, Temporal upper, int limit, Watermark end) {
        String ts = table.quotedColumn(table.timestampIndex());
        String id = table.idIndex() >= 0 ? table.quotedColumn(table.idIndex()) : null;
        List<Object> params = new ArrayList<>();
        StringBuilder where = new StringBuilder(ts).append(" < ?");
        params.add(table.dialect().bindTemporal(upper));
        if (watermark != null) {
            switch (watermark.bound()) {
                case AFTER_ROW -> {
                    if (id != null) {
                        // "ts >= :lastTs" is implied by the OR; stated, it gives the index scan its start, so a page reads
                        // only its own rows (MariaDB 10.11: 4x faster pages; PostgreSQL: no second bitmap scan)
                        where.append(" AND ").append(ts).append(" >= ? AND (").append(ts).append(" > ? OR (").append(ts)
                                .append(" = ? AND ").append(id).append(" > ?))");
                        params.add(table.dialect().bindTemporal(watermark.timestamp()));
                        params.add(table.dialect().bindTemporal(watermark.timestamp()));
                        params.add(table.dialect().bindTemporal(watermark.timestamp()));
                        params.add(idValue(watermark.id()));
                    } else {
                        where.append(" AND ").append(ts).append(" > ?");
                        params.add(table.dialect().bindTemporal(watermark.timestamp()));
                    }
                }
                case AFTER_TIMESTAMP -> {
                    where.append(" AND ").append(ts).append(" > ?");
                    params.add(table.dialect().bindTemporal(watermark.timestamp()));
                }
                case FROM_TIMESTAMP -> {
                    where.append(" AND ").append(ts).append(" >= ?");
                    params.add(table.dialect().bindTemporal(watermark.timestamp()));
                }
            }
        }
        if (end != null) {
            if (end.bound() == Watermark.Bound.AFTER_ROW && id != null) {
                where.append(" AND (").append(ts).append(" < ? OR (").append(ts).append(" = ? AND ").append(id).append(" <= ?))");
                params.add(table.dialect().bindTemporal(end.timestamp()));
                params.add(table.dialect().bindTemporal(end.timestamp()));
                params.add(idValue(end.id()));
            } else {
                where.append(" AND ").append(ts).append(" <= ?");
                params.add(table.dialect().bindTemporal(end.timestamp()));
            }
        }
        if (config.additionalWhere() != null) {
            where.append(" AND (").append(config.additionalWhere()).append(")");
        }
        String select = "SELECT " + table.selectList() + " FROM " + table.quotedTable() + " WHERE " + where
                + " ORDER BY " + ts + (id != null ? ", " + id : "");
        return new Query(limit > 0 ? table.dialect().page(select, limit) : select, params);
    }

    private Object idValue(String text) {
        JdbcColumnMapper.MappedColumn id = table.columns().get(table.idIndex());
        return switch (id.jdbcType()) {
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT ->
                    id.schema().kind() == ValueKind.DECIMAL ? new BigDecimal(text) : (Object) new BigDecimal(text).longValueExact();
            case Types.NUMERIC, Types.DECIMAL -> new BigDecimal(text);
            default -> text;
        };
    }

    private PreparedStatement prepare(Connection connection, Query query) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(query.sql(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
        try {
            if (config.fetchSize() > 0) {
                ps.setFetchSize(config.fetchSize());
            }
            for (int i = 0; i < query.parameters().size(); i++) {
                ps.setObject(i + 1, query.parameters().get(i));
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }
}
