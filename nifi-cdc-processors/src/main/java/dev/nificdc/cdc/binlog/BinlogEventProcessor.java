package dev.nificdc.cdc.binlog;

import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.GtidTaggedEventData;
import com.github.shyiko.mysql.binlog.event.MariadbGtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.TransactionPayloadEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import dev.nificdc.cdc.binlog.schema.TableMapping;
import dev.nificdc.cdc.binlog.schema.TableSchemaResolver;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.ChangeSink;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.TableSchema;

import java.io.Serializable;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Turns library events into {@link CapturedChange}s and tracks the resume offset: transaction boundaries (GTID,
 * MariaDB GTID, BEGIN, XID, COMMIT, DDL), table maps, row events (also those inside MySQL 8 compressed transaction
 * payloads) and rotations. The live reader and the offline file reader feed it the same way.
 *
 * <p>Offsets: while a transaction is in progress the offset is its start (file/position of its GTID or BEGIN event)
 * plus the number of changes already emitted from it; after its commit the offset is the position after the commit
 * event. The last change of a transaction is held back until the commit arrives, so it carries the post-commit offset
 * and {@code endsTransaction=true}. When started from an offset with {@code changesToSkip > 0} the first transaction's
 * first changes are dropped.
 *
 * <p>An update that changes the primary key becomes a delete of the old key followed by a create of the new one.
 * Not thread-safe: one thread feeds it.
 */
final class BinlogEventProcessor {

    @FunctionalInterface
    private interface Handler {
        void handle(Event event, Position position) throws InterruptedException;
    }

    /** Start and end of the event in the binlog file (for events inside a payload: the payload's). */
    private record Position(long start, long next) {
    }

    private final Map<EventType, Handler> handlers = new EnumMap<>(EventType.class);
    private final TableSchemaResolver resolver;
    private final ChangeSink<BinlogOffset> sink;
    private final String logicalName;
    private final boolean gtidMode;
    private final CaptureLogger logger;
    private final Map<Long, TableMapping> tableMappings = new HashMap<>();
    private final GtidTracker gtids;

    private ServerFlavor flavor;
    private String currentFile;
    private long serverId;
    private BinlogOffset committed;
    private long changesToSkip;
    /** Records read so far from the binlog event being handled (a compressed transaction counts as one event). */
    private int eventRecords;

    // transaction in progress
    private boolean inTransaction;
    private boolean sawBegin;
    private String txFile;
    private long txPosition;
    private String txGtid;
    private String gtidsBeforeTx;
    private String txId;
    private long txChanges;
    private Long txThread;
    private final Map<String, Long> txTableOrder = new HashMap<>();
    private ChangeEvent pending;

    BinlogEventProcessor(BinlogOffset start, boolean gtidMode, ServerFlavor flavor, String logicalName,
                         TableSchemaResolver resolver, CaptureLogger logger, ChangeSink<BinlogOffset> sink) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.logicalName = logicalName;
        this.gtidMode = gtidMode;
        this.logger = logger;
        this.flavor = flavor;
        this.committed = start;
        this.currentFile = start == null ? null : start.file();
        this.serverId = start == null ? 0 : start.serverId();
        this.changesToSkip = start == null ? 0 : start.changesToSkip();
        this.gtids = new GtidTracker(start == null ? "" : start.gtidSet());
        handlers.put(EventType.ROTATE, this::onRotate);
        handlers.put(EventType.GTID, (e, p) -> beginTransaction(p, ((GtidEventData) e.getData()).getGtid(), false, ServerFlavor.MYSQL));
        handlers.put(EventType.GTID_TAGGED, (e, p) -> beginTransaction(p, ((GtidTaggedEventData) e.getData()).getGtid(), false, ServerFlavor.MYSQL));
        handlers.put(EventType.ANONYMOUS_GTID, (e, p) -> beginTransaction(p, null, false, ServerFlavor.MYSQL));
        handlers.put(EventType.MARIADB_GTID, this::onMariaDbGtid);
        handlers.put(EventType.QUERY, this::onQuery);
        handlers.put(EventType.XID, (e, p) -> commit(p.next()));
        handlers.put(EventType.XA_PREPARE, (e, p) -> commit(p.next()));
        handlers.put(EventType.TABLE_MAP, this::onTableMap);
        Handler write = (e, p) -> {
            WriteRowsEventData d = e.getData();
            onRows(e, p, d.getTableId(), d.getRows(), null, d.getIncludedColumns(), Operation.CREATE);
        };
        Handler delete = (e, p) -> {
            DeleteRowsEventData d = e.getData();
            onRows(e, p, d.getTableId(), d.getRows(), d.getIncludedColumns(), null, Operation.DELETE);
        };
        Handler update = this::onUpdate;
        handlers.put(EventType.WRITE_ROWS, write);
        handlers.put(EventType.EXT_WRITE_ROWS, write);
        handlers.put(EventType.DELETE_ROWS, delete);
        handlers.put(EventType.EXT_DELETE_ROWS, delete);
        handlers.put(EventType.UPDATE_ROWS, update);
        handlers.put(EventType.EXT_UPDATE_ROWS, update);
        handlers.put(EventType.TRANSACTION_PAYLOAD, this::onTransactionPayload);
    }

    /** The offset after everything handed to the sink so far (null until the first position is known). */
    BinlogOffset currentOffset() {
        if (inTransaction) {
            return txOffset();
        }
        return committed;
    }

    /** The server flavour, null until the connection or the first GTID event tells. */
    ServerFlavor flavor() {
        return flavor;
    }

    void setFlavor(ServerFlavor flavor) {
        this.flavor = flavor;
    }

    /** Handles one event from the stream. */
    void accept(Event event) throws InterruptedException {
        EventHeaderV4 header = event.getHeader();
        if (header.getServerId() != 0 && header.getEventType() != EventType.ROTATE) {
            serverId = header.getServerId();
        }
        eventRecords = 0;
        dispatch(event, new Position(header.getPosition(), header.getNextPosition()));
    }

    private void dispatch(Event event, Position position) throws InterruptedException {
        Handler handler = handlers.get(event.getHeader().getEventType());
        if (handler != null && (event.getData() != null || event.getHeader().getEventType() == EventType.ANONYMOUS_GTID)) {
            handler.handle(event, position);
        }
    }

    /**
     * Prepares for a new connection resuming at {@link #currentOffset()}: a transaction in progress will be re-sent from
     * its start, so the changes already emitted from it are skipped again.
     */
    void prepareReconnect() {
        // the held-back change was not handed out: it will be read again, so it is not skipped
        BinlogOffset offset = inTransaction ? txOffset().withChangesToSkip(pending != null ? txChanges - 1 : txChanges) : committed;
        pending = null;
        inTransaction = false;
        if (offset != null) {
            committed = offset.withChangesToSkip(0);
            changesToSkip = offset.changesToSkip();
            currentFile = offset.file();
        }
        tableMappings.clear();
    }

    private void onRotate(Event event, Position position) {
        RotateEventData data = event.getData();
        currentFile = data.getBinlogFilename();
        if (!inTransaction) {
            committed = new BinlogOffset(currentFile, Math.max(4, data.getBinlogPosition()), 0, gtids.toString(), gtidMode, serverId);
        }
    }

    private void onMariaDbGtid(Event event, Position position) throws InterruptedException {
        MariadbGtidEventData data = event.getData();
        long origin = data.getServerId() != 0 ? data.getServerId() : ((EventHeaderV4) event.getHeader()).getServerId();
        String gtid = data.getDomainId() + "-" + origin + "-" + data.getSequence();
        boolean standalone = (data.getFlags() & MariadbGtidEventData.FL_STANDALONE) != 0;
        beginTransaction(position, gtid, !standalone, ServerFlavor.MARIADB);
    }

    private void beginTransaction(Position position, String gtid, boolean transactional, ServerFlavor eventFlavor) throws InterruptedException {
        if (flavor == null) {
            flavor = eventFlavor;
        }
        if (inTransaction) {
            // a transaction without a visible end (e.g. rolled back non-transactional work): close it first
            commit(position.start());
        }
        inTransaction = true;
        sawBegin = transactional;
        txFile = currentFile;
        txPosition = position.start();
        txGtid = gtid;
        gtidsBeforeTx = gtids.toString();
        txId = gtid != null ? gtid : currentFile + ":" + position.start();
        txChanges = 0;
        txThread = null;
        txTableOrder.clear();
    }

    private void onQuery(Event event, Position position) throws InterruptedException {
        QueryEventData data = event.getData();
        String sql = data.getSql() == null ? "" : data.getSql().trim();
        String upper = sql.length() > 16 ? sql.substring(0, 16).toUpperCase(Locale.ROOT) : sql.toUpperCase(Locale.ROOT);
        if (upper.equals("BEGIN") || upper.startsWith("XA START")) {
            if (!inTransaction) {
                beginTransaction(position, null, true, flavorOrMySql());
            }
            sawBegin = true;
            txThread = data.getThreadId();
        } else if (upper.equals("COMMIT") || upper.equals("ROLLBACK") || upper.startsWith("XA COMMIT")
                || upper.startsWith("XA ROLLBACK")) {
            commit(position.next());
        } else if (upper.startsWith("XA END")) {
            // the XA_PREPARE event that follows ends the group
        } else {
            // DDL and other statements: the table definitions may change
            resolver.invalidate();
            if (!inTransaction || !sawBegin) {
                commit(position.next());
            }
        }
    }

    private void onTableMap(Event event, Position position) throws InterruptedException {
        TableMapEventData data = event.getData();
        if (!inTransaction) {
            beginTransaction(position, null, true, flavorOrMySql());
        }
        try {
            tableMappings.put(data.getTableId(), resolver.resolve(data, flavor == ServerFlavor.MARIADB));
        } catch (RuntimeException e) {
            throw new BinlogCaptureException(BinlogCaptureException.Reason.DECODING, "The definition of table "
                    + data.getDatabase() + "." + data.getTable() + " at " + currentFile + ":" + position.start()
                    + " could not be mapped: " + e.getMessage(), e);
        }
    }

    private void onUpdate(Event event, Position position) throws InterruptedException {
        UpdateRowsEventData data = event.getData();
        TableMapping mapping = mappingFor(data.getTableId(), position);
        if (mapping == null) {
            return;
        }
        List<Map.Entry<Serializable[], Serializable[]>> rows = data.getRows();
        for (int r = 0; r < rows.size(); r++) {
            Object[] before = mapping.convertRow(rows.get(r).getKey(), data.getIncludedColumnsBeforeUpdate());
            Object[] after = mapping.convertRow(rows.get(r).getValue(), data.getIncludedColumns());
            if (primaryKeyChanged(mapping.schema(), before, after)) {
                emit(Operation.DELETE, mapping.schema(), before, null, event, position, r);
                emit(Operation.CREATE, mapping.schema(), null, after, event, position, r);
            } else {
                emit(Operation.UPDATE, mapping.schema(), before, after, event, position, r);
            }
        }
    }

    private void onRows(Event event, Position position, long tableId, List<Serializable[]> rows, BitSet beforeColumns,
                        BitSet afterColumns, Operation op) throws InterruptedException {
        TableMapping mapping = mappingFor(tableId, position);
        if (mapping == null) {
            return;
        }
        for (int r = 0; r < rows.size(); r++) {
            if (op == Operation.DELETE) {
                emit(op, mapping.schema(), mapping.convertRow(rows.get(r), beforeColumns), null, event, position, r);
            } else {
                emit(op, mapping.schema(), null, mapping.convertRow(rows.get(r), afterColumns), event, position, r);
            }
        }
    }

    private TableMapping mappingFor(long tableId, Position position) {
        if (!tableMappings.containsKey(tableId)) {
            throw new BinlogCaptureException(BinlogCaptureException.Reason.DECODING, "Row event at " + currentFile + ":"
                    + position.start() + " refers to table id " + tableId + " without a preceding TABLE_MAP event");
        }
        return tableMappings.get(tableId);
    }

    private void onTransactionPayload(Event event, Position position) throws InterruptedException {
        TransactionPayloadEventData data = event.getData();
        for (Event nested : data.getUncompressedEvents()) {
            dispatch(nested, position);
        }
    }

    private static boolean primaryKeyChanged(TableSchema schema, Object[] before, Object[] after) {
        for (String column : schema.primaryKey()) {
            int i = schema.indexOf(column);
            if (i >= 0 && !Objects.deepEquals(before[i], after[i])) {
                return true;
            }
        }
        return false;
    }

    private void emit(Operation op, TableSchema schema, Object[] before, Object[] after, Event event, Position position,
                      int row) throws InterruptedException {
        if (!inTransaction) {
            beginTransaction(position, null, true, flavorOrMySql());
        }
        txChanges++;
        int index = eventRecords++; // counted before skipping, so a resumed transaction numbers its records the same way
        if (changesToSkip > 0) {
            changesToSkip--;
            return;
        }
        String table = schema.qualifiedName();
        long tableOrder = txTableOrder.merge(table, 1L, Long::sum);
        EventHeaderV4 header = event.getHeader();
        BinlogSourceInfo source = new BinlogSourceInfo(flavorOrMySql().connector(), logicalName, serverId,
                header.getTimestamp(), "false", schema.database(), schema.table(), currentFile, position.start(), row,
                index, txGtid, txThread);
        ChangeEvent change = new ChangeEvent(op, schema, before, after, source, System.currentTimeMillis(),
                new ChangeEvent.TransactionInfo(txId, txChanges, tableOrder));
        if (pending != null) {
            sink.accept(new CapturedChange<>(pending, txOffset().withChangesToSkip(txChanges - 1), false));
        }
        pending = change;
    }

    private BinlogOffset txOffset() {
        return new BinlogOffset(txFile, txPosition, txChanges, gtidsBeforeTx, gtidMode, serverId);
    }

    private void commit(long nextPosition) throws InterruptedException {
        if (inTransaction && txGtid != null) {
            if (flavor == ServerFlavor.MARIADB && GtidTracker.isMariaDbFormat(txGtid)) {
                gtids.addMariaDb(txGtid);
            } else {
                gtids.addMySql(txGtid);
            }
        }
        inTransaction = false;
        changesToSkip = 0;
        committed = new BinlogOffset(currentFile, nextPosition, 0, gtids.toString(), gtidMode, serverId);
        if (pending != null) {
            ChangeEvent last = pending;
            pending = null;
            sink.accept(new CapturedChange<>(last, committed, true));
        }
    }

    private ServerFlavor flavorOrMySql() {
        return flavor == null ? ServerFlavor.MYSQL : flavor;
    }
}
