package dev.nificdc.cdc.snapshot;

import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.cdc.record.ChangeEvent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far an initial snapshot got, kept in the processor state next to (and committed with) the FlowFiles of the rows.
 *
 * <p>A table is the unit of progress: all rows of a table are committed together with the record that the table is
 * done and at which read view ({@link ConsistentSnapshot#position()}) it was read. A restart in the middle of a table
 * therefore re-reads only that table, and none of its rows was committed before. A restart loses the read view (it is a
 * transaction), so the remaining tables are read in a new view at a later binlog position. Streaming then starts at the
 * first view's position and drops, per table, the changes before the view the table was read at: those are already in
 * its snapshot rows. Every row thus appears once as a READ and then with exactly the changes made after the moment it
 * was read: nothing lost, nothing doubled, even across restarts.
 */
public final class SnapshotProgress {
    /** Prefix of every state key this class writes. */
    public static final String PREFIX = "snapshot.";
    static final String KEY_STATUS = PREFIX + "status";
    static final String KEY_VIEWS = PREFIX + "views";
    static final String KEY_VIEW = PREFIX + "view.";
    static final String KEY_TABLE = PREFIX + "table.";
    static final String KEY_ROWS = PREFIX + "rows";
    static final String KEY_SERVER_ID = PREFIX + "server.id";
    private static final String RUNNING = "running";
    private static final String COMPLETE = "complete";

    private final boolean running;
    private final List<BinlogOffset> views;
    private final Map<String, Integer> tableViews;
    private final long rows;

    private SnapshotProgress(boolean running, List<BinlogOffset> views, Map<String, Integer> tableViews, long rows) {
        this.running = running;
        this.views = List.copyOf(views);
        this.tableViews = Collections.unmodifiableMap(new TreeMap<>(tableViews));
        this.rows = rows;
    }

    /** A snapshot that has not read anything yet. */
    public static SnapshotProgress start() {
        return new SnapshotProgress(true, List.of(), Map.of(), 0);
    }

    /** The progress stored in a state map, or null when it holds none. */
    public static SnapshotProgress fromStateMap(Map<String, String> state) {
        String status = state.get(KEY_STATUS);
        if (status == null) {
            return null;
        }
        long serverId = Long.parseLong(state.getOrDefault(KEY_SERVER_ID, "0"));
        int count = Integer.parseInt(state.getOrDefault(KEY_VIEWS, "0"));
        List<BinlogOffset> views = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String value = state.get(KEY_VIEW + i);
            int colon = value.lastIndexOf(':');
            views.add(new BinlogOffset(value.substring(0, colon), Long.parseLong(value.substring(colon + 1)), 0, "", false, serverId));
        }
        Map<String, Integer> tables = new TreeMap<>();
        state.forEach((key, value) -> {
            if (key.startsWith(KEY_TABLE)) {
                tables.put(key.substring(KEY_TABLE.length()), Integer.parseInt(value));
            }
        });
        return new SnapshotProgress(RUNNING.equals(status), views, tables, Long.parseLong(state.getOrDefault(KEY_ROWS, "0")));
    }

    /** The state entries of this progress (all keys start with {@link #PREFIX}). */
    public Map<String, String> toStateMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(KEY_STATUS, running ? RUNNING : COMPLETE);
        map.put(KEY_VIEWS, String.valueOf(views.size()));
        for (int i = 0; i < views.size(); i++) {
            map.put(KEY_VIEW + i, views.get(i).file() + ":" + views.get(i).position());
        }
        if (!views.isEmpty()) {
            map.put(KEY_SERVER_ID, String.valueOf(views.get(0).serverId()));
        }
        tableViews.forEach((table, view) -> map.put(KEY_TABLE + table, String.valueOf(view)));
        map.put(KEY_ROWS, String.valueOf(rows));
        return map;
    }

    /** Removes every snapshot entry from a state map. */
    public static void removeFrom(Map<String, String> state) {
        state.keySet().removeIf(k -> k.startsWith(PREFIX));
    }

    /** True until every table has been read. */
    public boolean running() {
        return running;
    }

    public List<BinlogOffset> views() {
        return views;
    }

    /** Rows read so far. */
    public long rows() {
        return rows;
    }

    /** Tables read so far. */
    public int tablesDone() {
        return tableViews.size();
    }

    /** This progress with a new read view; its index is {@code views().size() - 1}. */
    public SnapshotProgress withView(BinlogOffset view) {
        List<BinlogOffset> more = new ArrayList<>(views);
        more.add(view);
        return new SnapshotProgress(running, more, tableViews, rows);
    }

    public boolean isDone(SnapshotTable table) {
        return tableViews.containsKey(table.qualifiedName());
    }

    /** This progress with {@code table} read in full ({@code rowCount} rows) in the latest view. */
    public SnapshotProgress withTableDone(SnapshotTable table, long rowCount) {
        if (views.isEmpty()) {
            throw new IllegalStateException("No read view");
        }
        Map<String, Integer> more = new TreeMap<>(tableViews);
        more.put(table.qualifiedName(), views.size() - 1);
        return new SnapshotProgress(running, views, more, rows + rowCount);
    }

    /** This progress marked complete: streaming may start at {@link #streamStart()}. */
    public SnapshotProgress completed() {
        return new SnapshotProgress(false, views, tableViews, rows);
    }

    /** Where streaming starts after the snapshot: the first read view's position. */
    public BinlogOffset streamStart() {
        return views.get(0);
    }

    /**
     * Whether streamed changes still have to be checked with {@link #emits(ChangeEvent)} once streaming has committed up
     * to {@code committed}: only while tables read in a later view exist and {@code committed} is before that view.
     */
    public boolean filterNeeded(BinlogOffset committed) {
        if (views.size() < 2) {
            return false;
        }
        BinlogOffset lastView = views.get(views.size() - 1);
        return committed == null || committed.file() == null || compare(committed.file(), committed.position(), lastView) < 0;
    }

    /**
     * Whether a streamed change must be emitted: false when its table was read in a view that already contains it
     * (the change was made before that view's binlog position).
     */
    public boolean emits(ChangeEvent change) {
        Integer view = tableViews.get(change.source().db() + "." + change.source().table());
        if (view == null || view == 0 || change.source().file() == null) {
            return true;
        }
        return compare(change.source().file(), change.source().pos(), views.get(view)) >= 0;
    }

    private static int compare(String file, long position, BinlogOffset view) {
        return BinlogOffset.at(file, position).compareTo(BinlogOffset.at(view.file(), view.position()));
    }

    @Override
    public String toString() {
        return (running ? "running" : "complete") + " snapshot: " + tableViews.size() + " tables, " + rows + " rows, views " + views;
    }
}
