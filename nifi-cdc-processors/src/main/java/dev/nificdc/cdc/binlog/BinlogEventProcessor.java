package dev.nificdc.cdc.binlog;

import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.GtidTaggedEventData;
import com.github.shyiko.mysql.binlog.event.MariadbGtidEventData;
import com.github.shyiko.mysql.binlog.event.MariadbGtidListEventData;
import com.github.shyiko.mysql.binlog.event.PreviousGtidSetEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import dev.nificdc.cdc.binlog.schema.TableDefinition;
import dev.nificdc.cdc.binlog.schema.TableDefinitionMismatch;
import dev.nificdc.cdc.binlog.schema.TableId;
import dev.nificdc.cdc.binlog.schema.TableMapping;
import dev.nificdc.cdc.binlog.schema.TableSchemaResolver;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.ChangeSink;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.SchemaChange;
import dev.nificdc.cdc.record.TableSchema;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 * <p>GTIDs: every offset carries the GTIDs before it once they are known completely (see {@link GtidTracker}); the GTID
 * list at the start of each binlog file completes them. Offsets name the server they were read from once the reader has
 * told it ({@link #setServer}).
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

    /** Header flag of events the server makes up for a connection, such as the rotate naming where it starts. */
    private static final int LOG_EVENT_ARTIFICIAL_F = 0x20;
    /** Events that never carry a row change: passed over when no handler takes them. */
    private static final Set<EventType> CARRY_NO_ROWS = EnumSet.of(EventType.START_V3, EventType.STOP,
            EventType.FORMAT_DESCRIPTION, EventType.INTVAR, EventType.RAND, EventType.USER_VAR, EventType.SLAVE,
            EventType.HEARTBEAT, EventType.HEARTBEAT_V2, EventType.IGNORABLE, EventType.ROWS_QUERY, EventType.PREVIOUS_GTIDS,
            EventType.TRANSACTION_CONTEXT, EventType.VIEW_CHANGE, EventType.ANNOTATE_ROWS, EventType.BINLOG_CHECKPOINT,
            EventType.MARIADB_GTID_LIST);

    private final Map<EventType, Handler> handlers = new EnumMap<>(EventType.class);
    private final TableSchemaResolver resolver;
    private final ChangeSink<BinlogOffset> sink;
    private final String logicalName;
    private final boolean gtidMode;
    private final CaptureLogger logger;
    private final DdlOutput ddlOutput;
    private final Map<Long, TableMapping> tableMappings = new HashMap<>();
    private GtidTracker gtids;

    private ServerFlavor flavor;
    private String currentFile;
    /** The server id of the last event (the server that originally wrote it): {@code source.server_id}. */
    private long serverId;
    /** The server the events are read from: every offset names it. Null when unknown. */
    private ServerIdentity server;
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
        this(start, gtidMode, flavor, logicalName, resolver, logger, sink, DdlOutput.DEFAULT);
    }

    BinlogEventProcessor(BinlogOffset start, boolean gtidMode, ServerFlavor flavor, String logicalName,
                         TableSchemaResolver resolver, CaptureLogger logger, ChangeSink<BinlogOffset> sink, DdlOutput ddlOutput) {
        this.ddlOutput = Objects.requireNonNull(ddlOutput, "ddlOutput");
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
        this.gtids = new GtidTracker(start == null ? "" : start.gtidSet(), start != null && !start.gtidSet().isEmpty());
        handlers.put(EventType.ROTATE, this::onRotate);
        handlers.put(EventType.GTID, (e, p) -> beginTransaction(p, ((GtidEventData) e.getData()).getGtid(), false, ServerFlavor.MYSQL));
        handlers.put(EventType.GTID_TAGGED, (e, p) -> beginTransaction(p, ((GtidTaggedEventData) e.getData()).getGtid(), false, ServerFlavor.MYSQL));
        handlers.put(EventType.ANONYMOUS_GTID, (e, p) -> beginTransaction(p, null, false, ServerFlavor.MYSQL));
        handlers.put(EventType.MARIADB_GTID, this::onMariaDbGtid);
        handlers.put(EventType.MARIADB_GTID_LIST, (e, p) -> {
            if (!inTransaction) {
                gtids.mergeMariaDbList(((MariadbGtidListEventData) e.getData()).getMariaGTIDSet().toSeenString());
            }
        });
        handlers.put(EventType.PREVIOUS_GTIDS, (e, p) -> {
            if (!inTransaction) {
                gtids.mergeMySqlSet(((PreviousGtidSetEventData) e.getData()).getGtidSet());
            }
        });
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

    /** The server the events come from, named in every offset from now on; set before the first event of a connection. */
    void setServer(ServerIdentity server) {
        this.server = server;
    }

    /**
     * The complete GTIDs before the start position, as the server reported them; replaces what the start offset held.
     * Call before the first event.
     */
    void startGtids(String known) {
        gtids = new GtidTracker(known, true);
    }

    /** True between transactions: {@link #currentOffset()} then lies after everything handed to the sink. */
    boolean atTransactionBoundary() {
        return !inTransaction;
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

    /**
     * Hands the event to its handler. An event without a handler is passed over only when it cannot carry a row change
     * ({@link #CARRY_NO_ROWS}) or the server marks it as ignorable; any other stops capture here, before anything of it
     * or after it is emitted.
     */
    private void dispatch(Event event, Position position) throws InterruptedException {
        EventType type = event.getHeader().getEventType();
        Handler handler = handlers.get(type);
        if (handler != null && (event.getData() != null || type == EventType.ANONYMOUS_GTID)) {
            handler.handle(event, position);
        } else if (type == EventType.INCIDENT) {
            logger.warn("The server wrote an INCIDENT event at " + currentFile + ":" + position.start() + " (e.g. LOST_EVENTS):"
                    + " changes made on the server around this position may be missing from its binlog itself.");
        } else if (!CARRY_NO_ROWS.contains(type) && !ignorable(event)) {
            throw undecodable(event, position);
        }
    }

    private static boolean ignorable(Event event) {
        return event.getHeader() instanceof BinlogEventHeader header
                && (header.ignorable() || header.typeCode() == MariaDbCompressedEvents.START_ENCRYPTION);
    }

    private BinlogCaptureException undecodable(Event event, Position position) {
        EventType type = event.getHeader().getEventType();
        String name = event.getHeader() instanceof BinlogEventHeader header ? header.typeName() : type.name();
        String why = switch (type) {
            case PARTIAL_UPDATE_ROWS_EVENT -> "MySQL writes it for updates that change part of a JSON document when"
                    + " binlog_row_value_options=PARTIAL_JSON; its after-image holds only the change. Set"
                    + " binlog_row_value_options='' (the default) on the server.";
            case LOAD, NEW_LOAD, CREATE_FILE, APPEND_BLOCK, EXEC_LOAD, DELETE_FILE, BEGIN_LOAD_QUERY, EXECUTE_LOAD_QUERY ->
                    "it is a LOAD DATA written in statement format, which carries no rows. Set binlog_format=ROW globally and"
                            + " make sure no session sets another format.";
            case PRE_GA_WRITE_ROWS, PRE_GA_UPDATE_ROWS, PRE_GA_DELETE_ROWS -> "it is a row event of MySQL 5.1.0-5.1.15,"
                    + " which this version cannot decode.";
            default -> "this version cannot decode it. If it comes from a newer server feature, turn the feature off"
                    + " or upgrade nifi-cdc.";
        };
        return new BinlogCaptureException(BinlogCaptureException.Reason.DECODING, "Binlog event " + name + " at "
                + currentFile + ":" + position.start() + " may carry row changes and cannot be decoded: " + why
                + " Capture stopped before it: nothing from this event on was emitted, and the stored position stays"
                + " before it.");
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
        // The server starts every connection with an artificial rotate. After a GTID request it names the file the server
        // searches from, not where our position lies (the transactions it skips are not sent): only a real rotate, or
        // one naming the first position at all, moves the offset.
        boolean artificial = (((EventHeaderV4) event.getHeader()).getFlags() & LOG_EVENT_ARTIFICIAL_F) != 0;
        if (!inTransaction && (!artificial || committed == null || committed.file() == null)) {
            committed = offset(currentFile, Math.max(4, data.getBinlogPosition()), 0, gtids.known());
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
        gtidsBeforeTx = gtids.known();
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
            QueryStatement statement = QueryStatement.parse(sql, data.getDatabase());
            if (statement.kind() == QueryStatement.Kind.DATA_CHANGE) {
                requireNoCapturedTable(statement, sql, position);
            }
            if (statement.kind() == QueryStatement.Kind.DROP_DATABASE) {
                resolver.invalidate();
            } else if (statement.kind().changesDefinition()) {
                resolver.tablesChanged(statement.tables(), currentFile, position.next());
            }
            if (statement.kind() == QueryStatement.Kind.TRUNCATE_TABLE && ddlOutput.truncates()) {
                onTruncate(statement, event, position, data);
            }
            if (!inTransaction || !sawBegin) {
                commit(position.next());
            }
            if (ddlOutput.schemaChanges() && (statement.kind().changesDefinition() || statement.kind() == QueryStatement.Kind.DROP_DATABASE)) {
                onSchemaChange(statement, sql, event, position);
            }
        }
    }

    /** TRUNCATE TABLE of a captured table: a change with op {@code t} and neither image, under the table's schema. */
    private void onTruncate(QueryStatement statement, Event event, Position position, QueryEventData data) throws InterruptedException {
        for (TableId table : statement.tables()) {
            if (resolver.captures(table.database(), table.name())) {
                if (!inTransaction) {
                    beginTransaction(position, null, false, flavorOrMySql());
                }
                txThread = data.getThreadId();
                emit(Operation.TRUNCATE, resolver.schema(table.database(), table.name(), flavor == ServerFlavor.MARIADB),
                        null, null, event, position, 0);
            }
        }
    }

    /**
     * A DDL statement that names captured tables, after its commit: a schema change with each captured table's
     * definition right after it when the resolver could read it then (capture had caught up), else without columns.
     */
    private void onSchemaChange(QueryStatement statement, String sql, Event event, Position position) throws InterruptedException {
        List<SchemaChange.TableChange> tables = new ArrayList<>();
        List<TableId> named = statement.tables();
        // a rename names each old name followed by its new one: both are kept when either is captured
        boolean pairs = statement.kind() == QueryStatement.Kind.RENAME_TABLE
                || (statement.kind() == QueryStatement.Kind.ALTER_TABLE && named.size() == 2);
        for (int i = 0; i < named.size(); i += pairs ? 2 : 1) {
            List<TableId> group = pairs ? named.subList(i, Math.min(i + 2, named.size())) : List.of(named.get(i));
            if (group.stream().anyMatch(t -> resolver.captures(t.database(), t.name()))) {
                group.forEach(t -> tables.add(tableChange(t)));
            }
        }
        boolean databaseCaptured = statement.kind() == QueryStatement.Kind.DROP_DATABASE && resolver.captures(statement.database(), null);
        if (tables.isEmpty() && !databaseCaptured) {
            return;
        }
        EventHeaderV4 header = event.getHeader();
        String firstTable = tables.isEmpty() ? null : tables.get(0).table();
        String db = tables.isEmpty() ? statement.database() : tables.get(0).database();
        BinlogSourceInfo source = new BinlogSourceInfo(flavorOrMySql().connector(), logicalName, serverId, header.getTimestamp(),
                "false", db, firstTable, currentFile, position.start(), 0, txGtid, ((QueryEventData) event.getData()).getThreadId());
        SchemaChange change = new SchemaChange(statement.kind().sql(), sql, statement.database(), tables, source, System.currentTimeMillis());
        sink.accept(CapturedChange.of(change, committed));
    }

    private SchemaChange.TableChange tableChange(TableId table) {
        TableDefinition definition = resolver.definitionAfterStatement(table.database(), table.name());
        if (definition == null) {
            return new SchemaChange.TableChange(table.database(), table.name(), null, null);
        }
        List<SchemaChange.Column> columns = new ArrayList<>();
        for (int c = 0; c < definition.columnNames().size(); c++) {
            columns.add(new SchemaChange.Column(definition.columnNames().get(c), definition.columnTypes().get(c), definition.nullable(c)));
        }
        return new SchemaChange.TableChange(table.database(), table.name(), columns, definition.primaryKey());
    }

    /**
     * A data-changing statement written in statement format (a session that used binlog_format STATEMENT or MIXED)
     * carries no rows: when it names a captured table, capture stops before it.
     */
    private void requireNoCapturedTable(QueryStatement statement, String sql, Position position) {
        boolean captured = statement.tables().isEmpty()
                ? resolver.captures(statement.database(), null)
                : statement.tables().stream().anyMatch(t -> resolver.captures(t.database(), t.name()));
        if (captured) {
            String shown = sql.length() > 200 ? sql.substring(0, 200) + "..." : sql;
            String target = statement.tables().isEmpty() ? "database " + statement.database() : statement.tables().get(0).toString();
            throw new BinlogCaptureException(BinlogCaptureException.Reason.SERVER_SETTINGS, "Binlog event QUERY at "
                    + currentFile + ":" + position.start() + " is a data change written as a statement, not as rows (the"
                    + " session that ran it used binlog_format STATEMENT or MIXED): \"" + shown + "\" changes " + target
                    + ", which is captured, and the binlog holds no rows for it. Capture stopped before it: nothing from"
                    + " this event on was emitted, and the stored position stays before it. Set binlog_format=ROW on the"
                    + " server and make sure no application sets another format for its session; the rows this statement"
                    + " changed can only be read again by a new snapshot (clear the processor state).");
        }
    }

    private void onTableMap(Event event, Position position) throws InterruptedException {
        TableMapEventData data = event.getData();
        if (!inTransaction) {
            beginTransaction(position, null, true, flavorOrMySql());
        }
        try {
            tableMappings.put(data.getTableId(), resolver.resolve(data, flavor == ServerFlavor.MARIADB));
        } catch (TableDefinitionMismatch e) {
            throw new BinlogCaptureException(BinlogCaptureException.Reason.DECODING, "Binlog event TABLE_MAP for " + e.table()
                    + " at " + currentFile + ":" + position.start() + " does not match the table's definition: "
                    + e.getMessage() + ". The binlog names no columns (binlog_row_metadata is not FULL), so the rows that"
                    + " follow, written before the table changed, cannot be labelled. Capture stopped before them: nothing"
                    + " from this event on was emitted, and the stored position stays before it. Set"
                    + " binlog_row_metadata=FULL on the server (it applies to binlog written from then on), and start capture"
                    + " at a position after the statement that changed " + e.table() + " (clear the processor state: Snapshot"
                    + " Mode initial takes a new snapshot, or set the Initial Binlog Position).", e);
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
        TransactionPayload payload = event.getData();
        try (TransactionPayload.Events events = payload.open()) {
            for (Event nested = events.next(); nested != null; nested = events.next()) {
                dispatch(nested, position);
            }
        } catch (IOException e) {
            throw new BinlogCaptureException(BinlogCaptureException.Reason.DECODING, "The compressed transaction"
                    + " (TRANSACTION_PAYLOAD) at " + currentFile + ":" + position.start() + " could not be decoded: "
                    + e.getMessage() + ". Capture stopped before it: nothing of it was emitted.", e);
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
        return offset(txFile, txPosition, txChanges, gtidsBeforeTx);
    }

    private BinlogOffset offset(String file, long position, long changes, String gtidSet) {
        return server == null ? new BinlogOffset(file, position, changes, gtidSet, gtidMode, serverId)
                : new BinlogOffset(file, position, changes, gtidSet, gtidMode, server.serverId(), server.instance());
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
        committed = offset(currentFile, nextPosition, 0, gtids.known());
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
