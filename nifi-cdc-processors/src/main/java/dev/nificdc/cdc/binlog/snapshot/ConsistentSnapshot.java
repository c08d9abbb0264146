package dev.nificdc.cdc.binlog.snapshot;

import dev.nificdc.cdc.binlog.BinlogCaptureException;
import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.cdc.binlog.BinlogSourceInfo;
import dev.nificdc.cdc.binlog.Grants;
import dev.nificdc.cdc.binlog.MySqlServer;
import dev.nificdc.cdc.binlog.ServerFlavor;
import dev.nificdc.cdc.binlog.ServerIdentity;
import dev.nificdc.cdc.binlog.convert.MySqlCharsets;
import dev.nificdc.cdc.binlog.schema.SchemaSource;
import dev.nificdc.cdc.binlog.schema.TableDefinition;
import dev.nificdc.cdc.binlog.schema.TableMapSynthesizer;
import dev.nificdc.cdc.binlog.schema.TableMapping;
import dev.nificdc.cdc.binlog.schema.TableSchemaResolver;
import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.JdbcConnector;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.snapshot.ReadView;
import dev.nificdc.cdc.core.snapshot.SnapshotKey;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ChangeSize;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.TableSchema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One consistent read view of a MySQL/MariaDB server tied to the binlog position it corresponds to: every row read
 * through it is the state of the table exactly at {@link #position()}, so streaming the binlog from that position
 * afterwards loses and repeats nothing.
 *
 * <p>The view lives in an open {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} transaction on one JDBC connection
 * (REPEATABLE READ, {@code time_zone = '+00:00'}); {@link #close()} ends it. How the position is obtained is the
 * {@link ConsistencyMethod}. A table with an integer/DECIMAL primary key can be read page by page with keyset
 * pagination ({@link #readChunk}); any table can be read in one pass through a streaming result set in primary-key
 * order ({@link #readTable}). Either way the heap holds at most one page or chunk. Not thread-safe.
 */
public final class ConsistentSnapshot implements ReadView<BinlogOffset> {
    private final Connection connection;
    private final BinlogOffset position;
    private final ServerFlavor flavor;
    private final TableFilter filter;
    private final long serverId;
    private final String logicalName;
    private final TableSchemaResolver resolver;
    private final boolean incremental;
    private final long openedMillis = System.currentTimeMillis();
    private final Map<SnapshotTable, TableSchema> schemas = new HashMap<>();

    private ConsistentSnapshot(Connection connection, BinlogOffset position, ServerFlavor flavor, TableFilter filter,
                               long serverId, String logicalName, TableSchemaResolver resolver, boolean incremental) {
        this.connection = connection;
        this.incremental = incremental;
        this.position = position;
        this.flavor = flavor;
        this.filter = filter;
        this.serverId = serverId;
        this.logicalName = logicalName;
        this.resolver = resolver;
    }

    /**
     * Opens a read view and reads its binlog position.
     *
     * @param filter      which tables and columns are captured (the same filter the binlog reader uses)
     * @param logicalName written into {@code source.name} of every row
     * @throws SQLException when the server refuses (e.g. RELOAD missing for the global read lock)
     */
    public static ConsistentSnapshot open(JdbcConnector jdbc, ConsistencyMethod method, TableFilter filter, String logicalName,
                                          CaptureLogger logger) throws SQLException {
        return open(jdbc, method, filter, logicalName, logger, false);
    }

    /**
     * Opens a read view for one chunk of an incremental snapshot: MariaDB only ({@code binlog_snapshot_position}, exact
     * and without any lock); its rows are marked {@code source.snapshot = "incremental"}.
     *
     * @throws BinlogCaptureException with reason CONFIGURATION on MySQL, which has no exact lock-free view position
     */
    public static ConsistentSnapshot openIncremental(JdbcConnector jdbc, TableFilter filter, String logicalName,
                                                     CaptureLogger logger) throws SQLException {
        return open(jdbc, ConsistencyMethod.SNAPSHOT_STATUS, filter, logicalName, logger, true);
    }

    private static ConsistentSnapshot open(JdbcConnector jdbc, ConsistencyMethod method, TableFilter filter, String logicalName,
                                           CaptureLogger logger, boolean incremental) throws SQLException {
        Connection connection = jdbc.open();
        try {
            MySqlServer server = new MySqlServer(connection);
            String version = server.version();
            if (incremental) {
                IncrementalSnapshotSupport support = IncrementalSnapshotSupport.of(version, server.variable("version_comment"));
                if (!support.available()) {
                    throw new BinlogCaptureException(CaptureException.Reason.CONFIGURATION, support.explanation());
                }
            }
            ServerIdentity identity = server.identity();
            long serverId = identity.serverId();
            Map<Integer, String> collations = server.collations();
            ConsistencyMethod effective = method.effectiveFor(version);
            connection.setAutoCommit(false);
            execute(connection, "SET SESSION time_zone = '+00:00'");
            execute(connection, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            ViewPosition.Opened opened = ViewPosition.open(connection, server, effective, jdbc, filter, logger);
            BinlogOffset position = new BinlogOffset(opened.position().file(), opened.position().position(), 0,
                    opened.position().gtidSet(), false, identity.serverId(), identity.instance());
            TableSchemaResolver resolver = new TableSchemaResolver(filter, SchemaSource.none(),
                    MySqlCharsets.withServerCollations(collations), logger);
            String openedAt = "read view opened at binlog " + position.file() + ":" + position.position()
                    + (position.gtidSet().isEmpty() ? "" : " (GTIDs " + position.gtidSet() + ")") + " on " + identity + " ("
                    + opened.how() + ")";
            if (incremental) {
                logger.debug("Incremental snapshot " + openedAt); // one per chunk
            } else {
                logger.info("Snapshot " + openedAt);
            }
            return new ConsistentSnapshot(connection, position, ServerFlavor.ofVersion(version), filter, serverId, logicalName, resolver,
                    incremental);
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the original failure matters
            }
            throw e;
        }
    }

    /** The binlog position the read view corresponds to: streaming starts here. */
    @Override
    public BinlogOffset position() {
        return position;
    }

    /**
     * On the server this view was read on, {@code streamed} is not after the view's exact position. On another server of
     * the topology (the stream moved to another host, or this view was opened on another one), where file positions do
     * not compare, every GTID before {@code streamed} is before the view's position: each of those transactions is in
     * this server's binlog before the view, so the view sees it. Offsets whose GTIDs are unknown are not known to be
     * contained.
     */
    @Override
    public boolean contains(BinlogOffset streamed) {
        if (streamed.serverInstance() != null && position.serverInstance() != null
                && !streamed.serverInstance().equals(position.serverInstance())) {
            return streamed.gtidsContainedIn(position);
        }
        return ReadView.super.contains(streamed);
    }

    /** MySQL or MariaDB. */
    public ServerFlavor flavor() {
        return flavor;
    }

    /** The base tables the view's filter includes, ordered by database and name. */
    @Override
    public List<SnapshotTable> tables() throws SQLException {
        return tables(filter);
    }

    /** The base tables the filter includes, ordered by database and name. */
    public List<SnapshotTable> tables(TableFilter filter) throws SQLException {
        return baseTables(connection, filter);
    }

    /** The base tables the filter includes, ordered by database and name, as {@code connection} sees them. */
    static List<SnapshotTable> baseTables(Connection connection, TableFilter filter) throws SQLException {
        List<SnapshotTable> tables = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'")) {
            while (rs.next()) {
                SnapshotTable table = new SnapshotTable(rs.getString(1), rs.getString(2));
                if (filter.includesTable(table.database(), table.table())) {
                    tables.add(table);
                }
            }
        }
        tables.sort(null);
        return tables;
    }

    /**
     * The schema snapshot rows of {@code table} get: the one the binlog engine derives for its TABLE_MAP events; null
     * when the filter excludes the table. Cached for the life of the read view (the view sees one table definition).
     */
    @Override
    public TableSchema schema(SnapshotTable table) throws SQLException {
        if (!schemas.containsKey(table)) {
            TableMapping mapping = mapping(table);
            schemas.put(table, mapping == null ? null : mapping.schema());
        }
        return schemas.get(table);
    }

    /**
     * Reads the next page of a {@link ReadView#pageable(TableSchema) pageable} table: at most {@code limit} rows whose
     * primary key is greater than {@code after} (all rows from the start when null) and at most {@code upTo} (no bound
     * when null), in key order.
     *
     * @param lastTable when true and the page is the table's last, its final row is marked {@code source.snapshot = "last"}
     */
    @Override
    public Chunk readChunk(SnapshotTable table, SnapshotKey after, SnapshotKey upTo, int limit, long maxBytes,
                           boolean lastTable) throws SQLException {
        TableSchema schema = schema(table);
        List<ColumnSchema> columns = schema.columns();
        List<String> key = schema.primaryKey();
        StringBuilder sql = new StringBuilder("SELECT ").append(columns.stream().map(JdbcValues::selectExpression)
                .collect(Collectors.joining(", "))).append(" FROM ").append(MySqlIdentifiers.quote(table));
        List<Object> parameters = new ArrayList<>();
        List<String> conditions = new ArrayList<>();
        if (after != null) {
            conditions.add(keyCompared(key, after, ">", parameters));
        }
        if (upTo != null) {
            conditions.add(keyCompared(key, upTo, "<=", parameters));
        }
        if (!conditions.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", conditions));
        }
        sql.append(" ORDER BY ").append(key.stream().map(MySqlIdentifiers::quote).collect(Collectors.joining(", ")))
                .append(" LIMIT ").append(limit + 1);
        List<Object[]> rows = new ArrayList<>();
        boolean more = false;
        try (PreparedStatement s = connection.prepareStatement(sql.toString())) {
            bind(s, parameters);
            // Streamed, and the page ends early once its rows hold maxBytes: wide rows cannot fill the heap.
            s.setFetchSize(Math.max(1, Math.min(limit, 1_000)));
            try (ResultSet rs = s.executeQuery()) {
                long bytes = 0;
                while (rs.next()) {
                    if (rows.size() >= limit || bytes >= maxBytes) {
                        more = true;
                        break;
                    }
                    Object[] row = new Object[columns.size()];
                    for (int i = 0; i < row.length; i++) {
                        row[i] = JdbcValues.read(rs, i + 1, columns.get(i));
                    }
                    rows.add(row);
                    bytes += ChangeSize.of(row);
                }
            }
        }
        SnapshotKey lastKey = rows.isEmpty() ? after : SnapshotKey.of(schema, rows.get(rows.size() - 1));
        if (!more && upTo != null) {
            // the bounded range is read whole: the page reaches upTo, and the table may go on after it
            lastKey = upTo;
            more = hasRowsAfter(table, key, upTo);
        }
        List<ChangeEvent> events = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            events.add(event(schema, rows.get(i), !more && lastTable && i == rows.size() - 1));
        }
        return new Chunk(events, lastKey, more);
    }

    /**
     * {@code (k1, k2, ...) <op> (v1, v2, ...)} for {@code >} or {@code <=}, spelled out column by column so that the
     * primary-key index serves it as a range; the values are appended to {@code parameters}.
     */
    private static String keyCompared(List<String> key, SnapshotKey value, String op, List<Object> parameters) {
        String strict = op.equals(">") ? ">" : "<";
        List<String> alternatives = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            StringBuilder alternative = new StringBuilder("(");
            for (int j = 0; j < i; j++) {
                alternative.append(MySqlIdentifiers.quote(key.get(j))).append(" = ? AND ");
                parameters.add(value.values().get(j));
            }
            boolean inclusive = op.equals("<=") && i == key.size() - 1;
            alternative.append(MySqlIdentifiers.quote(key.get(i))).append(inclusive ? " <= ?)" : " " + strict + " ?)");
            parameters.add(value.values().get(i));
            alternatives.add(alternative.toString());
        }
        return "(" + String.join(" OR ", alternatives) + ")";
    }

    private boolean hasRowsAfter(SnapshotTable table, List<String> key, SnapshotKey after) throws SQLException {
        List<Object> parameters = new ArrayList<>();
        String sql = "SELECT 1 FROM " + MySqlIdentifiers.quote(table) + " WHERE " + keyCompared(key, after, ">", parameters) + " LIMIT 1";
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            bind(s, parameters);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void bind(PreparedStatement statement, List<Object> parameters) throws SQLException {
        for (int i = 0; i < parameters.size(); i++) {
            statement.setBigDecimal(i + 1, (java.math.BigDecimal) parameters.get(i));
        }
    }

    private TableMapping mapping(SnapshotTable table) throws SQLException {
        TableDefinition definition = TableMapSynthesizer.describe(connection, table.database(), table.table());
        if (definition == null) {
            throw new SQLException("information_schema lists no columns for " + table + ": the table was dropped, or the"
                    + " capture user lacks SELECT on it");
        }
        return resolver.resolve(definition.tableMap(), flavor == ServerFlavor.MARIADB);
    }

    /**
     * Reads every row of {@code table} in one pass with a streaming result set, as READ change events handed to
     * {@code sink} in chunks of at most {@code chunkSize} rows, in primary-key order (storage order without a primary key).
     *
     * @param lastTable when true the table's final row is marked {@code source.snapshot = "last"}
     * @return the number of rows read
     */
    @Override
    public long readTable(SnapshotTable table, int chunkSize, long maxBytes, boolean lastTable, ChunkSink sink) throws Exception {
        TableSchema schema = schema(table);
        if (schema == null) {
            return 0;
        }
        List<ColumnSchema> columns = schema.columns();
        String select = "SELECT " + columns.stream().map(JdbcValues::selectExpression).collect(Collectors.joining(", "))
                + " FROM " + MySqlIdentifiers.quote(table)
                + (schema.primaryKey().isEmpty() ? "" : " ORDER BY " + schema.primaryKey().stream().map(MySqlIdentifiers::quote)
                .collect(Collectors.joining(", ")));
        long rows = 0;
        try (Statement s = connection.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            s.setFetchSize(Math.max(1, Math.min(chunkSize, 1_000)));
            try (ResultSet rs = s.executeQuery(select)) {
                List<ChangeEvent> chunk = new ArrayList<>();
                long chunkBytes = 0;
                Object[] pending = null;
                while (rs.next()) {
                    Object[] row = new Object[columns.size()];
                    for (int i = 0; i < row.length; i++) {
                        row[i] = JdbcValues.read(rs, i + 1, columns.get(i));
                    }
                    if (pending != null) {
                        chunk.add(event(schema, pending, false));
                        chunkBytes += ChangeSize.of(pending);
                        if (chunk.size() >= chunkSize || chunkBytes >= maxBytes) {
                            sink.accept(chunk);
                            chunk = new ArrayList<>();
                            chunkBytes = 0;
                        }
                    }
                    pending = row;
                    rows++;
                }
                if (pending != null) {
                    chunk.add(event(schema, pending, lastTable));
                }
                if (!chunk.isEmpty()) {
                    sink.accept(chunk);
                }
            }
        }
        return rows;
    }

    private ChangeEvent event(TableSchema schema, Object[] row, boolean last) {
        String snapshot = incremental ? "incremental" : last ? "last" : "true";
        BinlogSourceInfo source = new BinlogSourceInfo(flavor.connector(), logicalName, serverId, openedMillis, snapshot,
                schema.database(), schema.table(), position.file(), position.position(), 0, null, null);
        return new ChangeEvent(Operation.READ, schema, null, row, source, System.currentTimeMillis(), null);
    }

    /** Ends the read view (the transaction only read, so it is rolled back) and closes the connection. */
    @Override
    public void close() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // closing anyway
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing left to do
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }
}
