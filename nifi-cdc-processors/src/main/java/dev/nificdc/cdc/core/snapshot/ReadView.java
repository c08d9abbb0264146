package dev.nificdc.cdc.core.snapshot;

import dev.nificdc.cdc.core.SourceOffset;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ChangeSize;
import dev.nificdc.cdc.record.TableSchema;

import java.sql.SQLException;
import java.util.List;

/**
 * One consistent read view of a source's tables tied to the log position it corresponds to: every row read through it
 * is the state of its table exactly at {@link #position()}, so streaming the log from that position afterwards loses
 * and repeats nothing. A table with a {@link #pageable} key is read page by page ({@link #readChunk}); any table can be
 * read in one pass ({@link #readTable}). Either way the heap holds at most one page or chunk. Not thread-safe.
 *
 * @param <O> the source's offset type
 */
public interface ReadView<O extends SourceOffset<O>> extends AutoCloseable {

    /** The log position the view corresponds to. */
    O position();

    /**
     * Whether every change the stream hands out before {@code streamed} (a stored streaming offset) is visible in this
     * view. By default: {@code streamed} is not after {@link #position()}, which holds for a view whose position is
     * exact, as in the views an incremental snapshot opens ({@link SnapshotSource#openIncrementalView()}).
     */
    default boolean contains(O streamed) {
        return streamed.compareTo(position()) <= 0;
    }

    /** The captured base tables, ordered by database and name. */
    List<SnapshotTable> tables() throws SQLException;

    /** The schema the rows of {@code table} get (the one streamed changes of it get); null when it is not captured. */
    TableSchema schema(SnapshotTable table) throws SQLException;

    /**
     * The next page of a {@link #pageable} table: at most {@code limit} rows whose primary key is greater than
     * {@code after} (all rows from the start when null) and at most {@code upTo} (no bound when null), in key order, as
     * READ change events. The page also ends after the row with which its rows reach {@code maxBytes} (as
     * {@link ChangeSize} estimates them; at least one row), so wide rows cannot fill the heap. When the rows up to
     * {@code upTo} fit into the page, the chunk ends at {@code upTo} itself ({@link Chunk#lastKey()}), whether or not a
     * row has that key, and {@link Chunk#more()} says whether the table holds rows after it.
     *
     * @param lastTable when true and the page is the table's last, its final row is marked {@code source.snapshot = "last"}
     */
    Chunk readChunk(SnapshotTable table, SnapshotKey after, SnapshotKey upTo, int limit, long maxBytes, boolean lastTable)
            throws SQLException;

    /** {@link #readChunk(SnapshotTable, SnapshotKey, SnapshotKey, int, long, boolean)} with {@link ChangeSize#BUFFER_BYTES}. */
    default Chunk readChunk(SnapshotTable table, SnapshotKey after, SnapshotKey upTo, int limit, boolean lastTable) throws SQLException {
        return readChunk(table, after, upTo, limit, ChangeSize.BUFFER_BYTES, lastTable);
    }

    /**
     * Every row of {@code table} in one pass, handed to {@code sink} in chunks of at most {@code chunkSize} rows and
     * {@code maxBytes} (a chunk ends after the row that reaches it), in primary-key order (storage order without a
     * primary key).
     *
     * @param lastTable when true the table's final row is marked {@code source.snapshot = "last"}
     * @return the number of rows read
     */
    long readTable(SnapshotTable table, int chunkSize, long maxBytes, boolean lastTable, ChunkSink sink) throws Exception;

    /** {@link #readTable(SnapshotTable, int, long, boolean, ChunkSink)} with {@link ChangeSize#BUFFER_BYTES}. */
    default long readTable(SnapshotTable table, int chunkSize, boolean lastTable, ChunkSink sink) throws Exception {
        return readTable(table, chunkSize, ChangeSize.BUFFER_BYTES, lastTable, sink);
    }

    /** Ends the view and releases its connection. */
    @Override
    void close();

    /**
     * One page of a table read with keyset pagination.
     *
     * @param lastKey the key the page reaches (rows after the previous page's key up to this one were read)
     * @param more    whether rows after {@code lastKey} may exist
     */
    record Chunk(List<ChangeEvent> events, SnapshotKey lastKey, boolean more) {
    }

    /** Receives the rows of a table chunk by chunk. */
    @FunctionalInterface
    interface ChunkSink {
        void accept(List<ChangeEvent> chunk) throws Exception;
    }

    /**
     * Whether a table can be read in pages with keyset pagination ({@code WHERE key > last ORDER BY key LIMIT n}),
     * which needs a primary key whose order Java reproduces exactly: integer and DECIMAL columns only. Other tables (no
     * primary key, text or temporal keys, whose order depends on collations) are read in one pass.
     */
    static boolean pageable(TableSchema schema) {
        if (schema == null || schema.primaryKey().isEmpty()) {
            return false;
        }
        for (String column : schema.primaryKey()) {
            int i = schema.indexOf(column);
            if (i < 0) {
                return false;
            }
            switch (schema.columns().get(i).kind()) {
                case INT, LONG, DECIMAL -> {
                }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }
}
