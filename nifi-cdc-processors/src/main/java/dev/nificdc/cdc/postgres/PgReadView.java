package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.snapshot.ReadView;
import dev.nificdc.cdc.core.snapshot.SnapshotKey;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;
import dev.nificdc.cdc.postgres.types.PgTextOutput;
import dev.nificdc.cdc.postgres.types.PgTypeCatalog;
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
 * A read view of a PostgreSQL database in the snapshot a replication slot exported at its consistent point: a
 * REPEATABLE READ transaction that imported it ({@code SET TRANSACTION SNAPSHOT}), so every row read is the state of its
 * table exactly at {@link #position()}, and the slot streams exactly the transactions committed from there on. Each
 * column is read as its text output ({@link PgTextOutput}) and converted by the same type mapping as the stream's
 * values, under the same session settings: a snapshot row and a streamed row of one value are identical.
 */
public final class PgReadView implements ReadView<PgOffset> {
    private final Connection connection;
    private final PgSourceConfig config;
    private final PgOffset position;
    private final PgTypeCatalog types;
    private final long openedMillis = System.currentTimeMillis();
    private final Map<SnapshotTable, PgServer.TableInfo> tables = new HashMap<>();
    private final Map<SnapshotTable, TableSchema> schemas = new HashMap<>();
    private final Map<SnapshotTable, PgTable> pgTables = new HashMap<>();
    /** An incremental snapshot's view: its transaction snapshot, judged against what the stream handed out; else null. */
    private final Incremental incremental;

    /** What an incremental snapshot's view is judged with. */
    record Incremental(PgTxidSnapshot snapshot, PgStreamedTransactions streamed, CaptureLogger logger) {
    }

    PgReadView(Connection connection, PgSourceConfig config, long lsn) throws SQLException {
        this(connection, config, lsn, null);
    }

    PgReadView(Connection connection, PgSourceConfig config, long lsn, Incremental incremental) throws SQLException {
        this.connection = connection;
        this.config = config;
        this.position = PgOffset.at(lsn);
        this.incremental = incremental;
        this.types = PgTypeCatalog.load(connection);
    }

    @Override
    public PgOffset position() {
        return position;
    }

    /**
     * An incremental snapshot's view contains what the stream handed out up to {@code streamed} when its transaction
     * snapshot sees every one of those transactions ({@link PgStreamedTransactions#refusal}); comparing LSNs would not do,
     * since a transaction the stream handed out may still be running for a snapshot taken after it.
     */
    @Override
    public boolean contains(PgOffset streamed) {
        if (incremental == null) {
            return ReadView.super.contains(streamed);
        }
        String refusal = incremental.streamed().refusal(incremental.snapshot(), streamed.lsn());
        if (refusal != null) {
            incremental.logger().debug("Incremental snapshot view " + incremental.snapshot() + " refused at " + streamed + ": " + refusal);
        }
        return refusal == null;
    }

    @Override
    public List<SnapshotTable> tables() throws SQLException {
        List<SnapshotTable> list = new ArrayList<>();
        for (PgServer.TableInfo info : new PgServer(connection).tables(config.filter())) {
            tables.put(info.table(), info);
            list.add(info.table());
        }
        return list;
    }

    @Override
    public TableSchema schema(SnapshotTable table) throws SQLException {
        PgTable pg = table(table);
        return pg == null ? null : pg.schema();
    }

    private PgTable table(SnapshotTable table) throws SQLException {
        if (!pgTables.containsKey(table)) {
            if (tables.isEmpty()) {
                tables();
            }
            PgServer.TableInfo info = tables.get(table);
            PgTable pg = null;
            if (info != null) {
                List<PgTable.Column> columns = new PgServer(connection).columns(info.oid()).stream()
                        .map(c -> new PgTable.Column(c.name(), c.typeOid(), c.typmod(), c.notNull(), c.identityKey(), c.primaryKeyPosition()))
                        .toList();
                pg = PgTable.of(info.oid(), table.database(), table.table(), info.replicaIdentity(), columns, config.filter(), types);
            }
            pgTables.put(table, pg);
            schemas.put(table, pg == null ? null : pg.schema());
        }
        return pgTables.get(table);
    }

    @Override
    public Chunk readChunk(SnapshotTable table, SnapshotKey after, SnapshotKey upTo, int limit, boolean lastTable) throws SQLException {
        PgTable pg = table(table);
        TableSchema schema = pg.schema();
        List<String> key = schema.primaryKey().stream().map(c -> "t." + PgIdentifiers.quote(c)).toList();
        StringBuilder sql = new StringBuilder(select(schema, table));
        List<String> conditions = new ArrayList<>();
        List<SnapshotKey> parameters = new ArrayList<>();
        if (after != null) {
            conditions.add(keyCompared(schema, key, ">"));
            parameters.add(after);
        }
        if (upTo != null) {
            conditions.add(keyCompared(schema, key, "<="));
            parameters.add(upTo);
        }
        if (!conditions.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", conditions));
        }
        sql.append(" ORDER BY ").append(String.join(", ", key)).append(" LIMIT ").append(limit + 1);
        List<Object[]> rows = new ArrayList<>();
        boolean more = false;
        try (PreparedStatement s = connection.prepareStatement(sql.toString())) {
            bind(s, parameters);
            // streamed, and the page ends early once its rows hold ChangeSize.BUFFER_BYTES: wide rows cannot fill the heap
            s.setFetchSize(Math.max(1, Math.min(limit, 1_000)));
            try (ResultSet rs = s.executeQuery()) {
                long bytes = 0;
                while (rs.next()) {
                    if (rows.size() >= limit || bytes >= ChangeSize.BUFFER_BYTES) {
                        more = true;
                        break;
                    }
                    Object[] row = read(rs, pg);
                    rows.add(row);
                    bytes += ChangeSize.of(row);
                }
            }
        }
        SnapshotKey lastKey = rows.isEmpty() ? after : SnapshotKey.of(schema, rows.get(rows.size() - 1));
        if (!more && upTo != null) {
            // the bounded range is read whole: the page reaches upTo, and the table may go on after it
            lastKey = upTo;
            more = hasRowsAfter(schema, table, key, upTo);
        }
        List<ChangeEvent> events = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            events.add(event(schema, rows.get(i), !more && lastTable && i == rows.size() - 1));
        }
        return new Chunk(events, lastKey, more);
    }

    /**
     * {@code (t."k1", ...) <op> (?::type, ...)}: a row comparison the primary-key index serves as a range, parameters
     * cast to the key column's own type.
     */
    private static String keyCompared(TableSchema schema, List<String> key, String op) {
        return "(" + String.join(", ", key) + ") " + op + " (" + schema.primaryKey().stream()
                .map(c -> "?::" + keyType(schema.columns().get(schema.indexOf(c)))).collect(Collectors.joining(", ")) + ")";
    }

    private boolean hasRowsAfter(TableSchema schema, SnapshotTable table, List<String> key, SnapshotKey after) throws SQLException {
        String sql = "SELECT 1 FROM " + PgIdentifiers.quote(table) + " t WHERE " + keyCompared(schema, key, ">") + " LIMIT 1";
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            bind(s, List.of(after));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void bind(PreparedStatement statement, List<SnapshotKey> keys) throws SQLException {
        int index = 1;
        for (SnapshotKey key : keys) {
            for (var value : key.values()) {
                statement.setString(index++, value.toPlainString());
            }
        }
    }

    @Override
    public long readTable(SnapshotTable table, int chunkSize, boolean lastTable, ChunkSink sink) throws Exception {
        PgTable pg = table(table);
        if (pg == null) {
            return 0;
        }
        TableSchema schema = pg.schema();
        String sql = select(schema, table) + (schema.primaryKey().isEmpty() ? ""
                : " ORDER BY " + schema.primaryKey().stream().map(c -> "t." + PgIdentifiers.quote(c)).collect(Collectors.joining(", ")));
        long rows = 0;
        try (Statement s = connection.createStatement()) {
            s.setFetchSize(Math.max(1, Math.min(chunkSize, 1_000))); // a cursor: the transaction is open, so rows stream
            try (ResultSet rs = s.executeQuery(sql)) {
                List<ChangeEvent> chunk = new ArrayList<>();
                long chunkBytes = 0;
                Object[] pending = null;
                while (rs.next()) {
                    Object[] row = read(rs, pg);
                    if (pending != null) {
                        chunk.add(event(schema, pending, false));
                        chunkBytes += ChangeSize.of(pending);
                        if (chunk.size() >= chunkSize || chunkBytes >= ChangeSize.BUFFER_BYTES) {
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

    /**
     * Every captured column as the text its type's output function writes (what pgoutput sends), from the table aliased
     * {@code t}: ORDER BY and WHERE name the key as {@code t."key"}, the column itself, never an output column.
     */
    private static String select(TableSchema schema, SnapshotTable table) {
        return "SELECT " + schema.columns().stream().map(c -> PgTextOutput.selectExpression("t." + PgIdentifiers.quote(c.name())))
                .collect(Collectors.joining(", ")) + " FROM " + PgIdentifiers.quote(table) + " t";
    }

    private static Object[] read(ResultSet rs, PgTable table) throws SQLException {
        Object[] row = new Object[table.columnTypes().length];
        for (int i = 0; i < row.length; i++) {
            String text = rs.getString(i + 1);
            row[i] = text == null ? null : table.columnTypes()[i].fromText(text);
        }
        return row;
    }

    /** The type a keyset parameter is cast to, so the comparison stays within the key's index operator family. */
    private static String keyType(ColumnSchema column) {
        return switch (column.kind()) {
            case INT, LONG -> "int8";
            default -> "numeric";
        };
    }

    private ChangeEvent event(TableSchema schema, Object[] row, boolean last) {
        String snapshot = incremental != null ? "incremental" : last ? "last" : "true";
        PgSourceInfo source = new PgSourceInfo(config.logicalName(), openedMillis, snapshot, config.database(),
                schema.database(), schema.table(), null, position.lsn(), position.lsn(), null);
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
}
