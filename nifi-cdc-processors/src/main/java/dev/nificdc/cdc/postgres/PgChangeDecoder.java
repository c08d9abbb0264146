package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.ChangeSink;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.postgres.PgoutputMessage.Begin;
import dev.nificdc.cdc.postgres.PgoutputMessage.Commit;
import dev.nificdc.cdc.postgres.PgoutputMessage.Delete;
import dev.nificdc.cdc.postgres.PgoutputMessage.Insert;
import dev.nificdc.cdc.postgres.PgoutputMessage.Relation;
import dev.nificdc.cdc.postgres.PgoutputMessage.Truncate;
import dev.nificdc.cdc.postgres.PgoutputMessage.TupleData;
import dev.nificdc.cdc.postgres.PgoutputMessage.Update;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ChangeSize;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.TableSchema;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Turns the pgoutput messages of a replication stream into captured changes, in commit order, each with the offset to
 * store after it.
 *
 * <p>Rows take the columns of the relation's last Relation message, so changes keep the columns they were written
 * with across ALTER TABLE. An update that changes the row's key becomes a delete of the old key and a create of the
 * new one, as in Debezium. The last change of a transaction is held back until its Commit, so it carries
 * {@code endsTransaction} and the offset after the whole transaction. Started at a stored {@link PgOffset}, it drops
 * the transactions committed before it and the changes of the transaction at it already emitted (the server resends
 * from the slot's confirmed position).
 *
 * <p>An unchanged TOASTed value (pgoutput's 'u': the server did not send it) takes the value of the old row when the
 * server sent the whole old row (REPLICA IDENTITY FULL); otherwise a text column gets {@link #UNCHANGED_TOAST} and a
 * bytea column its UTF-8 bytes; any other column stops capture with an error that asks for REPLICA IDENTITY FULL.
 * Never null, never another value.
 */
public final class PgChangeDecoder {
    /** What an unchanged TOASTed text value the server did not send is written as. */
    public static final String UNCHANGED_TOAST = "__nifi_cdc_unchanged_toast";
    private static final byte[] UNCHANGED_TOAST_BYTES = UNCHANGED_TOAST.getBytes(StandardCharsets.UTF_8);

    /** Resolves a Relation message into the captured table its rows get; null when the table is not captured. */
    @FunctionalInterface
    public interface RelationResolver {
        PgTable resolve(Relation relation);
    }

    private final String serverName;
    private final String database;
    private final TableFilter filter;
    private final RelationResolver resolver;
    private final ChangeSink<PgOffset> sink;
    private final Map<Integer, PgTable> tables = new HashMap<>();
    private final Map<Integer, Relation> relations = new HashMap<>();

    private PgOffset resumeFrom;
    private PgOffset lastEmitted;
    // the transaction in progress
    private Begin begin;
    private long skip;
    private long changeIndex;
    private final Map<String, Long> tableOrder = new HashMap<>();
    private long previousCommitLsn;
    private ChangeEvent pending;
    private long pendingBytes;

    public PgChangeDecoder(String serverName, String database, TableFilter filter, RelationResolver resolver, PgOffset resumeFrom,
                           ChangeSink<PgOffset> sink) {
        this.serverName = serverName;
        this.database = database;
        this.filter = filter;
        this.resolver = resolver;
        this.resumeFrom = resumeFrom;
        this.lastEmitted = resumeFrom;
        this.sink = sink;
    }

    /** Handles one message, whose XLogData started at {@code lsn}. */
    public void accept(PgoutputMessage message, long lsn) throws InterruptedException {
        switch (message) {
            case Begin b -> begin(b);
            case Commit c -> commit(c);
            case Relation r -> relation(r);
            case Insert i -> row(i.relationOid(), Operation.CREATE, null, false, i.row(), lsn);
            case Update u -> row(u.relationOid(), Operation.UPDATE, u.old(), u.oldIsFullRow(), u.row(), lsn);
            case Delete d -> row(d.relationOid(), Operation.DELETE, d.old(), d.oldIsFullRow(), null, lsn);
            case Truncate t -> truncate(t, lsn);
            default -> {
                // Origin, Type, logical decoding messages: nothing to capture (types are resolved from the catalog)
            }
        }
    }

    /** True between transactions: every change received so far has been handed to the sink. */
    public boolean betweenTransactions() {
        return begin == null;
    }

    /** Where a stream opened again after a connection drop continues: after the last change handed to the sink. */
    public PgOffset resumePoint() {
        return lastEmitted;
    }

    /** The connection dropped: forget the transaction in progress; the server sends it again from {@link #resumePoint()}. */
    public void prepareReconnect() {
        resumeFrom = lastEmitted;
        begin = null;
        pending = null;
        relations.clear();
        tables.clear();
    }

    private void begin(Begin b) {
        begin = b;
        changeIndex = 0;
        tableOrder.clear();
        if (resumeFrom == null || Long.compareUnsigned(b.finalLsn(), resumeFrom.lsn()) > 0) {
            skip = 0;
        } else if (b.finalLsn() == resumeFrom.lsn()) {
            skip = resumeFrom.changesToSkip();
        } else {
            skip = Long.MAX_VALUE; // committed before the resume point: already emitted
        }
    }

    private void commit(Commit c) throws InterruptedException {
        if (pending != null) {
            PgOffset after = PgOffset.at(c.endLsn());
            ChangeEvent last = pending;
            pending = null;
            lastEmitted = after;
            sink.accept(new CapturedChange<>(last, after, true, pendingBytes));
        }
        previousCommitLsn = c.commitLsn();
        begin = null;
    }

    private void relation(Relation r) {
        relations.put(r.oid(), r);
        tables.remove(r.oid());
        if (filter.includesTable(r.namespace(), r.name())) {
            tables.put(r.oid(), resolver.resolve(r));
        }
    }

    private void row(int relationOid, Operation op, TupleData old, boolean oldIsFullRow, TupleData row, long lsn) throws InterruptedException {
        PgTable table = captured(relationOid);
        if (table == null) {
            return;
        }
        Object[] before = old == null ? null : table.values(oldValues(table, old), null);
        Object[] after = row == null ? null : newValues(table, row, oldIsFullRow ? old : null);
        if (op == Operation.UPDATE && before != null && keyChanged(table.schema(), before, after)) {
            // As Debezium and the binlog engine do: the row under the old key is deleted (so the Kafka record wrapper
            // follows it with a tombstone and a replica removes it), then the row under the new key is created.
            change(table, Operation.DELETE, before, null, lsn);
            change(table, Operation.CREATE, null, after, lsn);
        } else {
            change(table, op, before, after, lsn);
        }
    }

    private void change(PgTable table, Operation op, Object[] before, Object[] after, long lsn) throws InterruptedException {
        if (++changeIndex <= skip) {
            return;
        }
        TableSchema schema = table.schema();
        emit(new ChangeEvent(op, schema, before, after, source(schema, lsn), System.currentTimeMillis(), transaction(schema)));
    }

    /** Whether an update moved the row to another key (the table's key: primary key or replica identity index). */
    private static boolean keyChanged(TableSchema schema, Object[] before, Object[] after) {
        for (String column : schema.primaryKey()) {
            int i = schema.indexOf(column);
            if (i >= 0 && !Objects.deepEquals(before[i], after[i])) {
                return true;
            }
        }
        return false;
    }

    private void truncate(Truncate t, long lsn) throws InterruptedException {
        for (int oid : t.relationOids()) {
            PgTable table = captured(oid);
            if (table == null || ++changeIndex <= skip) {
                continue;
            }
            TableSchema schema = table.schema();
            emit(new ChangeEvent(Operation.TRUNCATE, schema, null, null, source(schema, lsn), System.currentTimeMillis(), transaction(schema)));
        }
    }

    private PgTable captured(int relationOid) {
        if (begin == null) {
            throw new CaptureException(CaptureException.Reason.DECODING, "A row change of relation " + relationOid
                    + " arrived outside a transaction (no Begin message before it)");
        }
        if (!relations.containsKey(relationOid)) {
            throw new CaptureException(CaptureException.Reason.DECODING, "A row change of relation " + relationOid
                    + " arrived before its Relation message, in the transaction committing at " + PgOffset.format(begin.finalLsn()));
        }
        return tables.get(relationOid);
    }

    /** The old row; a key-only old row ('K') has nulls in its other columns, as the server sends them. */
    private static String[] oldValues(PgTable table, TupleData old) {
        for (int i = 0; i < old.values().length; i++) {
            if (old.unchanged(i)) {
                throw unavailable(table, i, "old");
            }
        }
        return old.values();
    }

    /** The new row's values; an unchanged TOASTed value comes from the whole old row when the server sent one. */
    private static Object[] newValues(PgTable table, TupleData row, TupleData fullOld) {
        String[] texts = row.values();
        Object[] values = table.values(texts, i -> unchangedValue(table, i, fullOld));
        return values;
    }

    private static Object unchangedValue(PgTable table, int column, TupleData fullOld) {
        int serverColumn = table.sourceIndex()[column];
        if (fullOld != null && !fullOld.unchanged(serverColumn)) {
            String text = fullOld.values()[serverColumn];
            return text == null ? null : table.columnTypes()[column].fromText(text);
        }
        ColumnSchema schema = table.schema().columns().get(column);
        return switch (schema.kind()) {
            case STRING, SOURCE_TEXT -> UNCHANGED_TOAST;
            case BYTES -> UNCHANGED_TOAST_BYTES.clone();
            default -> throw unavailable(table, serverColumn, "unchanged");
        };
    }

    private void emit(ChangeEvent event) throws InterruptedException {
        if (pending != null) {
            PgOffset after = new PgOffset(begin.finalLsn(), changeIndex - 1);
            ChangeEvent previous = pending;
            lastEmitted = after;
            sink.accept(new CapturedChange<>(previous, after, false, pendingBytes));
        }
        pending = event;
        pendingBytes = ChangeSize.of(event);
    }

    private PgSourceInfo source(TableSchema schema, long lsn) {
        return new PgSourceInfo(serverName, PgTimestamps.epochMillis(begin.commitMicros()), "false", database, schema.database(),
                schema.table(), begin.xid(), lsn, begin.finalLsn(), PgSourceInfo.sequence(previousCommitLsn, lsn));
    }

    private ChangeEvent.TransactionInfo transaction(TableSchema schema) {
        long dataCollectionOrder = tableOrder.merge(schema.database() + "." + schema.table(), 1L, Long::sum);
        return new ChangeEvent.TransactionInfo(begin.xid() + ":" + Long.toUnsignedString(begin.finalLsn()), changeIndex, dataCollectionOrder);
    }

    private static CaptureException unavailable(PgTable table, int serverColumn, String image) {
        return new CaptureException(CaptureException.Reason.DECODING, "The server did not send the " + image + " value of a TOASTed"
                + " column (index " + serverColumn + ") of " + table.schema().qualifiedName() + ". Run ALTER TABLE "
                + table.schema().qualifiedName() + " REPLICA IDENTITY FULL so that changes carry every value.");
    }
}
