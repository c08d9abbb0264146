package dev.nificdc.cdc.core.snapshot;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tables waiting for an incremental snapshot, and how far the first of them has been read, kept in the processor
 * state and committed with the FlowFiles of each chunk. Tables are read one after the other, in the order they were
 * queued; the first one is read in chunks after {@link #resumeKey()}, the last key committed. A restart continues after
 * that key in a new read view, which is correct because every chunk is emitted where the stream stands when it is read
 * (see {@code IncrementalSnapshots}): a chunk read again after a crash inside NiFi's commit converges like any other.
 */
public final class IncrementalSnapshotProgress {
    /** Prefix of every state key this class writes. */
    public static final String PREFIX = "incremental.";
    static final String KEY_TABLE = PREFIX + "table.";
    static final String KEY_KEY = PREFIX + "key";
    static final String KEY_ROWS = PREFIX + "rows";
    static final String KEY_CHUNKS = PREFIX + "chunks";

    private static final IncrementalSnapshotProgress NONE = new IncrementalSnapshotProgress(List.of(), null, 0, 0);

    private final List<SnapshotTable> queue;
    private final SnapshotKey resumeKey;
    private final long rows;
    private final long chunks;

    private IncrementalSnapshotProgress(List<SnapshotTable> queue, SnapshotKey resumeKey, long rows, long chunks) {
        this.queue = List.copyOf(queue);
        this.resumeKey = resumeKey;
        this.rows = rows;
        this.chunks = chunks;
    }

    /** No table queued. */
    public static IncrementalSnapshotProgress none() {
        return NONE;
    }

    /** The progress stored in a state map ({@link #toStateMap}); {@link #none()} when it holds none. */
    public static IncrementalSnapshotProgress fromStateMap(Map<String, String> state) {
        Map<Integer, SnapshotTable> tables = new TreeMap<>();
        state.forEach((key, value) -> {
            if (key.startsWith(KEY_TABLE)) {
                tables.put(Integer.parseInt(key.substring(KEY_TABLE.length())), SnapshotTable.parse(value));
            }
        });
        if (tables.isEmpty()) {
            return NONE;
        }
        String key = state.get(KEY_KEY);
        return new IncrementalSnapshotProgress(new ArrayList<>(tables.values()), key == null ? null : SnapshotKey.decode(key),
                Long.parseLong(state.getOrDefault(KEY_ROWS, "0")), Long.parseLong(state.getOrDefault(KEY_CHUNKS, "0")));
    }

    /** The state entries of this progress (all keys start with {@link #PREFIX}; none when nothing is queued). */
    public Map<String, String> toStateMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < queue.size(); i++) {
            map.put(KEY_TABLE + i, queue.get(i).qualifiedName());
        }
        if (!queue.isEmpty()) {
            if (resumeKey != null) {
                map.put(KEY_KEY, resumeKey.encode());
            }
            map.put(KEY_ROWS, String.valueOf(rows));
            map.put(KEY_CHUNKS, String.valueOf(chunks));
        }
        return map;
    }

    /** Removes every entry of this class from a state map. */
    public static void removeFrom(Map<String, String> state) {
        state.keySet().removeIf(key -> key.startsWith(PREFIX));
    }

    /** True while a table is queued. */
    public boolean pending() {
        return !queue.isEmpty();
    }

    /** The tables queued, the one being read first. */
    public List<SnapshotTable> queue() {
        return queue;
    }

    /** The table being read, or null when none is queued. */
    public SnapshotTable current() {
        return queue.isEmpty() ? null : queue.get(0);
    }

    /** The last key committed of {@link #current()}; null: read from its first row. */
    public SnapshotKey resumeKey() {
        return resumeKey;
    }

    /** Rows of {@link #current()} committed so far. */
    public long rows() {
        return rows;
    }

    /** Chunks of {@link #current()} committed so far. */
    public long chunks() {
        return chunks;
    }

    /** This progress with {@code tables} queued after those already queued; a table already queued keeps its place. */
    public IncrementalSnapshotProgress withQueued(Collection<SnapshotTable> tables) {
        List<SnapshotTable> more = new ArrayList<>(queue);
        for (SnapshotTable table : tables) {
            if (!more.contains(table)) {
                more.add(table);
            }
        }
        return new IncrementalSnapshotProgress(more, resumeKey, rows, chunks);
    }

    /** This progress after a chunk of {@link #current()} of {@code chunkRows} rows up to {@code lastKey}, more to come. */
    public IncrementalSnapshotProgress withChunk(SnapshotKey lastKey, long chunkRows) {
        return new IncrementalSnapshotProgress(queue, lastKey, rows + chunkRows, chunks + 1);
    }

    /** This progress with {@link #current()} read to its end (or given up): the next table starts from its first row. */
    public IncrementalSnapshotProgress withCurrentDone() {
        return queue.isEmpty() ? this : new IncrementalSnapshotProgress(queue.subList(1, queue.size()), null, 0, 0);
    }

    /** Nothing queued any more. */
    public IncrementalSnapshotProgress cleared() {
        return NONE;
    }

    @Override
    public String toString() {
        return queue.isEmpty() ? "no incremental snapshot" : "incremental snapshot of " + queue + " (" + rows + " rows of "
                + current() + " in " + chunks + " chunks" + (resumeKey == null ? "" : ", up to key " + resumeKey) + ")";
    }
}
