package dev.nificdc.cdc.core.snapshot;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.SourceOffset;
import dev.nificdc.cdc.record.ChangeEvent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How far an initial snapshot got, kept in the processor state next to (and committed with) the FlowFiles of the rows.
 *
 * <p>The unit of progress is a chunk of a {@link ReadView#pageable pageable} table (rows up to a primary-key
 * value) or a whole other table: its rows are committed together with the record of how far the table was read and in
 * which read view ({@link ReadView#position()}). A restart loses the read view (it is a transaction), so
 * reading continues after the last committed key, and with the remaining tables, in a new view at a later log
 * position. Every key range therefore has a view: a table's final view, plus "splits" (keys up to K belong to view V)
 * for a table whose reading spanned a restart. Streaming starts at the first view's position and drops each change made
 * before the view of its row's key range: it is already in the snapshot row. Without a crash every row thus appears
 * once as a READ and then with exactly the changes made after it was read. (A change of the key moves a row between
 * ranges; it is streamed as a delete of the old key and a create of the new one, each judged by its own key.)
 *
 * <p><b>Repeats after a crash inside the commit.</b> NiFi writes a session's FlowFiles before its state, so a crash
 * between the two delivers a chunk whose progress was never stored. After the restart that chunk is read again, in a
 * new view. Were its range judged by the new view, the changes made between the two views would be dropped, and a row
 * deleted in between would stay in the consumer for good (the first copy's READ, never followed by its delete). So
 * before a chunk's output is committed, the processor stores an {@link Attempt} (see the coordinator): the table, the
 * view and the key range the output may hold. A later read of that range records the attempt's (earlier) view instead
 * of its own: every key's range view is then at or before every view any READ of that key was delivered in, and
 * streaming emits every change of the key made after that view. A consumer that applies changes by primary key
 * (last one wins) therefore converges: if the key changed after the range view, its last streamed change comes after
 * all its READs and is the key's final state; if not, all its READs show the same, final, state. Key changes are
 * covered because each key is judged alone. Within the attempt's range the second READ may be followed by changes it
 * already contains (they are streamed again): harmless for such a consumer, and the price of never losing a delete.
 *
 * <p>Positions are the source's offsets ({@code O}); {@link LogPositions} writes them into the state and locates
 * streamed changes in the log.
 *
 * @param <O> the source's offset type
 */
public final class SnapshotProgress<O extends SourceOffset<O>> {
    /** Prefix of every state key this class writes. */
    public static final String PREFIX = "snapshot.";
    static final String KEY_STATUS = PREFIX + "status";
    static final String KEY_VIEWS = PREFIX + "views";
    static final String KEY_VIEW = PREFIX + "view.";
    static final String KEY_TABLE = PREFIX + "table.";
    static final String KEY_ROWS = PREFIX + "rows";
    static final String KEY_SPLIT = PREFIX + "split.";
    static final String KEY_CURRENT = PREFIX + "current";
    static final String KEY_CURRENT_KEY = PREFIX + "current.key";
    static final String KEY_CURRENT_VIEW = PREFIX + "current.view";
    static final String KEY_CURRENT_ROWS = PREFIX + "current.rows";
    static final String KEY_ATTEMPT_TABLE = PREFIX + "attempt.table";
    static final String KEY_ATTEMPT_VIEW = PREFIX + "attempt.view";
    static final String KEY_ATTEMPT_UP_TO = PREFIX + "attempt.upto";
    static final String KEY_ATTEMPT_SEQUENCE_END = PREFIX + "attempt.sequence.end";

    /** Keys up to and including {@code upTo} were read in read view {@code view}. */
    record Split(int view, SnapshotKey upTo) {
    }

    /**
     * Output of {@code table} that may have been delivered without its progress being stored: the rows after the
     * table's committed key, up to {@code upTo}, read in view {@code view} (or later), in output units numbered below
     * {@code sequenceEnd}.
     *
     * @param upTo the last key the output may hold; null: every row to the end of the table (its last page, or a table
     *             read in one pass)
     */
    public record Attempt(SnapshotTable table, int view, SnapshotKey upTo, long sequenceEnd) {
        /** Whether rows up to and including {@code key} cover this attempt's range. */
        public boolean coveredBy(SnapshotKey key) {
            return upTo != null && key != null && key.compareTo(upTo) >= 0;
        }

        /** This attempt, also covering output numbered below {@code end}. */
        public Attempt withSequenceEnd(long end) {
            return new Attempt(table, view, upTo, Math.max(sequenceEnd, end));
        }
    }
    private static final String RUNNING = "running";
    private static final String COMPLETE = "complete";

    private final LogPositions<O> positions;
    private final boolean running;
    private final List<O> views;
    private final Map<String, Integer> tableViews;
    private final long rows;
    private final Map<String, List<Split>> splits;
    private final String current;
    private final SnapshotKey currentKey;
    private final int currentView;
    private final long currentRows;
    private final Attempt attempt;

    private SnapshotProgress(LogPositions<O> positions, boolean running, List<O> views, Map<String, Integer> tableViews, long rows,
                             Map<String, List<Split>> splits, String current, SnapshotKey currentKey, int currentView, long currentRows,
                             Attempt attempt) {
        this.positions = positions;
        this.running = running;
        this.views = List.copyOf(views);
        this.tableViews = Collections.unmodifiableMap(new TreeMap<>(tableViews));
        this.rows = rows;
        this.splits = Collections.unmodifiableMap(new TreeMap<>(splits));
        this.current = current;
        this.currentKey = currentKey;
        this.currentView = currentView;
        this.currentRows = currentRows;
        this.attempt = attempt;
    }

    /** A snapshot that has not read anything yet. */
    public static <O extends SourceOffset<O>> SnapshotProgress<O> start(LogPositions<O> positions) {
        return new SnapshotProgress<>(positions, true, List.of(), Map.of(), 0, Map.of(), null, null, -1, 0, null);
    }

    /** The progress stored in a state map, or null when it holds none. */
    public static <O extends SourceOffset<O>> SnapshotProgress<O> fromStateMap(Map<String, String> state, LogPositions<O> positions) {
        String status = state.get(KEY_STATUS);
        if (status == null) {
            return null;
        }
        int count = Integer.parseInt(state.getOrDefault(KEY_VIEWS, "0"));
        List<O> views = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            views.add(positions.decode(state.get(KEY_VIEW + i), state));
        }
        Map<String, Integer> tables = new TreeMap<>();
        Map<String, List<Split>> splits = new TreeMap<>();
        state.forEach((key, value) -> {
            if (key.startsWith(KEY_TABLE)) {
                tables.put(key.substring(KEY_TABLE.length()), Integer.parseInt(value));
            } else if (key.startsWith(KEY_SPLIT)) {
                List<Split> list = new ArrayList<>();
                for (String split : value.split(";")) {
                    int at = split.indexOf('@');
                    list.add(new Split(Integer.parseInt(split.substring(0, at)), SnapshotKey.decode(split.substring(at + 1))));
                }
                splits.put(key.substring(KEY_SPLIT.length()), list);
            }
        });
        String current = state.get(KEY_CURRENT);
        return new SnapshotProgress<>(positions, RUNNING.equals(status), views, tables, Long.parseLong(state.getOrDefault(KEY_ROWS, "0")), splits,
                current, current == null ? null : SnapshotKey.decode(state.get(KEY_CURRENT_KEY)),
                current == null ? -1 : Integer.parseInt(state.get(KEY_CURRENT_VIEW)),
                current == null ? 0 : Long.parseLong(state.getOrDefault(KEY_CURRENT_ROWS, "0")), attemptFrom(state));
    }

    private static Attempt attemptFrom(Map<String, String> state) {
        String table = state.get(KEY_ATTEMPT_TABLE);
        if (table == null) {
            return null;
        }
        String upTo = state.get(KEY_ATTEMPT_UP_TO);
        return new Attempt(SnapshotTable.parse(table), Integer.parseInt(state.get(KEY_ATTEMPT_VIEW)),
                upTo == null ? null : SnapshotKey.decode(upTo), Long.parseLong(state.get(KEY_ATTEMPT_SEQUENCE_END)));
    }

    /** The state entries of this progress (all keys start with {@link #PREFIX}). */
    public Map<String, String> toStateMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(KEY_STATUS, running ? RUNNING : COMPLETE);
        map.put(KEY_VIEWS, String.valueOf(views.size()));
        for (int i = 0; i < views.size(); i++) {
            map.put(KEY_VIEW + i, positions.encode(views.get(i)));
        }
        map.putAll(positions.sharedEntries(views));
        tableViews.forEach((table, view) -> map.put(KEY_TABLE + table, String.valueOf(view)));
        splits.forEach((table, list) -> map.put(KEY_SPLIT + table,
                list.stream().map(sp -> sp.view() + "@" + sp.upTo().encode()).collect(Collectors.joining(";"))));
        if (current != null) {
            map.put(KEY_CURRENT, current);
            map.put(KEY_CURRENT_KEY, currentKey.encode());
            map.put(KEY_CURRENT_VIEW, String.valueOf(currentView));
            map.put(KEY_CURRENT_ROWS, String.valueOf(currentRows));
        }
        if (attempt != null) {
            map.put(KEY_ATTEMPT_TABLE, attempt.table().qualifiedName());
            map.put(KEY_ATTEMPT_VIEW, String.valueOf(attempt.view()));
            if (attempt.upTo() != null) {
                map.put(KEY_ATTEMPT_UP_TO, attempt.upTo().encode());
            }
            map.put(KEY_ATTEMPT_SEQUENCE_END, String.valueOf(attempt.sequenceEnd()));
        }
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

    public List<O> views() {
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
    public SnapshotProgress<O> withView(O view) {
        List<O> more = new ArrayList<>(views);
        more.add(view);
        return new SnapshotProgress<>(positions, running, more, tableViews, rows, splits, current, currentKey, currentView, currentRows, attempt);
    }

    /** Index of the latest read view. */
    public int latestView() {
        if (views.isEmpty()) {
            throw new IllegalStateException("No read view");
        }
        return views.size() - 1;
    }

    /** The output that may have been delivered without its progress being stored (see {@link Attempt}), or null. */
    public Attempt attempt() {
        return attempt;
    }

    /** This progress with {@code attempt} recorded (null: none). */
    public SnapshotProgress<O> withAttempt(Attempt attempt) {
        return new SnapshotProgress<>(positions, running, views, tableViews, rows, splits, current, currentKey, currentView, currentRows, attempt);
    }

    /** The table read in part (by key) when the last chunk was committed, or null. */
    public SnapshotTable current() {
        return current == null ? null : SnapshotTable.parse(current);
    }

    /** The last key committed of {@code table} when it is {@link #current()}, else null (read from the start). */
    public SnapshotKey resumeKey(SnapshotTable table) {
        return table.qualifiedName().equals(current) ? currentKey : null;
    }

    /** Rows of the table in progress committed so far. */
    public long currentRows() {
        return currentRows;
    }

    /**
     * This progress after one chunk of {@code table} ({@code chunkRows} rows up to {@code lastKey}) was read in the
     * latest view; {@code done} when it was the table's last.
     */
    public SnapshotProgress<O> withChunk(SnapshotTable table, SnapshotKey lastKey, long chunkRows, boolean done) {
        return withChunk(table, lastKey, chunkRows, done, latestView());
    }

    /**
     * This progress after one chunk of {@code table} ({@code chunkRows} rows up to {@code lastKey}; {@code done} when it
     * was the table's last) whose key range belongs to view {@code view}: the latest view it was read in, or the earlier
     * view of an {@link Attempt} it repeats.
     */
    public SnapshotProgress<O> withChunk(SnapshotTable table, SnapshotKey lastKey, long chunkRows, boolean done, int view) {
        if (view < 0 || view >= views.size()) {
            throw new IllegalStateException("No read view " + view + " (views: " + views + ")");
        }
        String name = table.qualifiedName();
        Map<String, List<Split>> moreSplits = new TreeMap<>(splits);
        boolean continued = name.equals(current);
        if (continued && currentView != view) {
            List<Split> list = new ArrayList<>(moreSplits.getOrDefault(name, List.of()));
            list.add(new Split(currentView, currentKey));
            moreSplits.put(name, list);
        }
        long tableRows = (continued ? currentRows : 0) + chunkRows;
        if (done) {
            Map<String, Integer> more = new TreeMap<>(tableViews);
            more.put(name, view);
            return new SnapshotProgress<>(positions, running, views, more, rows + chunkRows, moreSplits, null, null, -1, tableRows, attempt);
        }
        return new SnapshotProgress<>(positions, running, views, tableViews, rows + chunkRows, moreSplits, name, lastKey, view, tableRows, attempt);
    }

    public boolean isDone(SnapshotTable table) {
        return tableViews.containsKey(table.qualifiedName());
    }

    /** This progress with {@code table} read in full ({@code rowCount} rows) in the latest view. */
    public SnapshotProgress<O> withTableDone(SnapshotTable table, long rowCount) {
        return withChunk(table, null, rowCount, true);
    }

    /** This progress marked complete: streaming may start at {@link #streamStart()}. */
    public SnapshotProgress<O> completed() {
        return new SnapshotProgress<>(positions, false, views, tableViews, rows, splits, null, null, -1, 0, null);
    }

    /** Where streaming starts after the snapshot: the first read view's position. */
    public O streamStart() {
        return views.get(0);
    }

    /**
     * Whether streamed changes still have to be checked with {@link #emits(ChangeEvent)} once streaming has committed up
     * to {@code committed}: only while tables read in a later view exist and {@code committed} is before that view.
     */
    public boolean filterNeeded(O committed) {
        if (views.size() < 2) {
            return false;
        }
        return committed == null || committed.compareTo(views.get(views.size() - 1)) < 0;
    }

    /**
     * Whether a streamed change must be emitted: false when its table was read in a view that already contains it
     * (the change was made before that view's log position).
     */
    public boolean emits(ChangeEvent change) {
        // the table as the snapshot names it (SnapshotTable: MySQL's database or PostgreSQL's schema, and the table)
        String table = change.schema().database() + "." + change.schema().table();
        Integer view = tableViews.get(table);
        List<Split> tableSplits = splits.get(table);
        if (tableSplits != null) {
            SnapshotKey key = SnapshotKey.of(change);
            if (key != null) {
                for (Split split : tableSplits) {
                    if (key.compareTo(split.upTo()) <= 0) {
                        view = split.view();
                        break;
                    }
                }
            }
        }
        if (view == null || view == 0) {
            return true;
        }
        O position = positions.positionOf(change);
        return position == null || position.compareTo(views.get(view)) >= 0;
    }

    /**
     * Whether a change to a whole table (a TRUNCATE) streamed while the snapshot is caught up with must be emitted: yes
     * when every row delivered for the table was read in views opened before it, no when every one was read in views
     * opened after it (those rows already reflect it).
     *
     * @throws CaptureException when the table's rows come from views on both sides of it: applying it would remove rows
     *                          read after it, dropping it would keep rows read before it
     */
    public boolean emitsTableWide(ChangeEvent change) {
        String table = change.source().db() + "." + change.source().table();
        List<Integer> tableViewsUsed = new ArrayList<>();
        Integer finished = tableViews.get(table);
        if (finished != null) {
            tableViewsUsed.add(finished);
        }
        splits.getOrDefault(table, List.of()).forEach(split -> tableViewsUsed.add(split.view()));
        if (table.equals(current) && currentView >= 0) {
            tableViewsUsed.add(currentView);
        }
        O position = positions.positionOf(change);
        if (tableViewsUsed.isEmpty() || position == null) {
            return true;
        }
        boolean before = false;
        boolean after = false;
        for (int view : tableViewsUsed) {
            if (position.compareTo(views.get(view)) >= 0) {
                before = true; // the view was opened before the change: its rows do not reflect it
            } else {
                after = true;
            }
        }
        if (before && after) {
            throw new CaptureException(CaptureException.Reason.SNAPSHOT, "The table " + table + " was emptied (" + change.op()
                    + ") at " + position + ", between the read views of a snapshot that needed several: some of its snapshot"
                    + " rows were read before and some after, so the change can be neither applied nor dropped. Clear the"
                    + " processor state to take a new snapshot.");
        }
        return before;
    }

    @Override
    public String toString() {
        return (running ? "running" : "complete") + " snapshot: " + tableViews.size() + " tables, " + rows + " rows, views " + views;
    }
}
