package dev.nificdc.cdc.timestamp;

import java.time.temporal.Temporal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The processor's state as a map of strings (NiFi cluster state): one watermark per table and the FlowFile sequence.
 *
 * <pre>
 * sequence.id                         next FlowFile sequence number
 * watermark.&lt;table&gt;.timestamp        update timestamp of the watermark (ISO-8601, every fractional digit)
 * watermark.&lt;table&gt;.bound            AFTER_ROW, AFTER_TIMESTAMP or FROM_TIMESTAMP
 * watermark.&lt;table&gt;.id               incrementing-column value (AFTER_ROW only)
 * watermark.&lt;table&gt;.columns          the ordering columns it belongs to, timestamp|id
 * intent.&lt;table&gt;.end.timestamp       (only while a commit is under way, see {@link Intent}) where the run ends
 * intent.&lt;table&gt;.end.bound, .end.id   its bound and id
 * intent.&lt;table&gt;.upper               the run's upper bound
 * intent.&lt;table&gt;.sequence.end        the sequence number after the run's last FlowFile
 * </pre>
 * {@code <table>} is {@link TableName#canonical()} of the table's schema (database) and name as the database reports them.
 *
 * <p>Versions before multi-table capture stored one watermark as {@code timestamp}, {@code bound}, {@code id} and
 * {@code scope} ({@code table|timestamp|id} with the table as configured) and the sequence as {@code sequence}. Both
 * are still read: the old watermark is taken over by the table its scope names, with the same ordering columns, and
 * the old keys are removed when that table's watermark is first stored.
 */
public final class WatermarkState {
    public static final String KEY_SEQUENCE = "sequence.id";
    static final String LEGACY_SEQUENCE = "sequence";
    static final String PREFIX = "watermark.";
    static final String TIMESTAMP = ".timestamp";
    static final String BOUND = ".bound";
    static final String ID = ".id";
    static final String COLUMNS = ".columns";
    static final String INTENT = "intent.";
    static final String END = ".end";
    static final String UPPER = ".upper";
    static final String SEQUENCE_END = ".sequence.end";
    static final String LEGACY_TIMESTAMP = "timestamp";
    static final String LEGACY_BOUND = "bound";
    static final String LEGACY_ID = "id";
    static final String LEGACY_SCOPE = "scope";
    private static final List<String> LEGACY_WATERMARK = List.of(LEGACY_TIMESTAMP, LEGACY_BOUND, LEGACY_ID, LEGACY_SCOPE);

    private final Map<String, String> entries;

    public WatermarkState(Map<String, String> stored) {
        this.entries = new HashMap<>(stored);
        String legacySequence = entries.remove(LEGACY_SEQUENCE);
        if (legacySequence != null) {
            entries.putIfAbsent(KEY_SEQUENCE, legacySequence);
        }
    }

    /** The state to store: every table's watermark and the sequence, without the old single-table keys once taken over. */
    public Map<String, String> toMap() {
        return Map.copyOf(entries);
    }

    /** The next FlowFile sequence number. */
    public long sequence() {
        return Long.parseLong(entries.getOrDefault(KEY_SEQUENCE, "0"));
    }

    public void setSequence(long next) {
        entries.put(KEY_SEQUENCE, Long.toString(next));
    }

    /**
     * A table's run whose FlowFiles are about to be committed: the state holding it is stored before the commit. NiFi
     * writes a session's FlowFiles before its state, so after a crash between the two the FlowFiles are delivered while
     * the table's watermark is still the old one; the next run then reads again exactly this range, with this bound
     * ({@code TimestampFetcher#repeat}), numbering its FlowFiles from the same sequence number, instead of a longer range.
     *
     * @param end         the watermark after the run's last row
     * @param upper       the run's upper bound
     * @param sequenceEnd the sequence number after the run's last FlowFile
     */
    public record Intent(Watermark end, Temporal upper, long sequenceEnd) {
    }

    /** The intent stored for a table (see {@link Intent}), or null. */
    public Intent intent(String key, TimestampType type) {
        String prefix = INTENT + key;
        String timestamp = entries.get(prefix + END + TIMESTAMP);
        if (timestamp == null) {
            return null;
        }
        try {
            return new Intent(read(timestamp, entries.get(prefix + END + BOUND), entries.get(prefix + END + ID), type),
                    type.parse(entries.get(prefix + UPPER)), Long.parseLong(entries.get(prefix + SEQUENCE_END)));
        } catch (RuntimeException e) {
            return null; // unreadable after a change of the column's type: the next run starts afresh from the watermark
        }
    }

    /** This state with {@code intent} recorded for the table {@code key}: what to store before the table's commit. */
    public Map<String, String> withIntent(String key, Intent intent, TimestampType type) {
        Map<String, String> map = new HashMap<>(entries);
        String prefix = INTENT + key;
        map.put(prefix + END + TIMESTAMP, type.format(intent.end().timestamp()));
        map.put(prefix + END + BOUND, intent.end().bound().name());
        if (intent.end().id() != null) {
            map.put(prefix + END + ID, intent.end().id());
        }
        map.put(prefix + UPPER, type.format(intent.upper()));
        map.put(prefix + SEQUENCE_END, Long.toString(intent.sequenceEnd()));
        return map;
    }

    /**
     * What the state holds for a table.
     *
     * @param watermark    where to continue, or null when the table starts from the Initial Position
     * @param otherColumns the ordering columns of a stored watermark that was ignored because they differ, else null
     */
    public record Stored(Watermark watermark, String otherColumns) {
    }

    /**
     * The stored watermark of a table, or of the old single-table state when its scope names this table.
     *
     * @param key        the table's key (see the class comment)
     * @param configured the table as listed or found, as the old state's scope names it
     * @param ordering   the ordering columns in use, {@link FetchConfig#ordering()}
     * @throws IllegalStateException when a stored watermark cannot be read as {@code type}
     */
    public Stored watermark(String key, TableName configured, String ordering, TimestampType type) {
        String prefix = PREFIX + key;
        if (entries.containsKey(prefix + TIMESTAMP)) {
            String columns = entries.get(prefix + COLUMNS);
            if (!ordering.equals(columns)) {
                return new Stored(null, columns);
            }
            return new Stored(read(entries.get(prefix + TIMESTAMP), entries.get(prefix + BOUND), entries.get(prefix + ID), type), null);
        }
        String legacyScope = entries.get(LEGACY_SCOPE);
        if (legacyScope == null || !entries.containsKey(LEGACY_TIMESTAMP) || !legacyScope.startsWith(configured + "|")) {
            return new Stored(null, null);
        }
        String legacyOrdering = legacyScope.substring(configured.toString().length() + 1);
        if (!ordering.equals(legacyOrdering)) {
            return new Stored(null, legacyOrdering);
        }
        return new Stored(read(entries.get(LEGACY_TIMESTAMP), entries.get(LEGACY_BOUND), entries.get(LEGACY_ID), type), null);
    }

    /**
     * Stores a table's watermark; a null watermark (nothing read yet from the Beginning) removes the table's entries.
     * The old single-table keys go once their table has been stored.
     */
    public void put(String key, TableName configured, String ordering, Watermark watermark, TimestampType type) {
        String prefix = PREFIX + key;
        List.of(TIMESTAMP, BOUND, ID, COLUMNS).forEach(field -> entries.remove(prefix + field));
        List.of(END + TIMESTAMP, END + BOUND, END + ID, UPPER, SEQUENCE_END).forEach(field -> entries.remove(INTENT + key + field));
        String legacyScope = entries.get(LEGACY_SCOPE);
        if (legacyScope != null && legacyScope.startsWith(configured + "|") || legacyScope == null && entries.containsKey(LEGACY_TIMESTAMP)) {
            LEGACY_WATERMARK.forEach(entries::remove);
        }
        if (watermark == null) {
            return;
        }
        entries.put(prefix + TIMESTAMP, type.format(watermark.timestamp()));
        entries.put(prefix + BOUND, watermark.bound().name());
        entries.put(prefix + COLUMNS, ordering);
        if (watermark.id() != null) {
            entries.put(prefix + ID, watermark.id());
        }
    }

    private static Watermark read(String timestamp, String bound, String id, TimestampType type) {
        Watermark.Bound kind = Watermark.Bound.valueOf(bound == null ? Watermark.Bound.AFTER_TIMESTAMP.name() : bound);
        try {
            return new Watermark(kind, type.parse(timestamp), id);
        } catch (RuntimeException e) {
            throw new IllegalStateException("The stored watermark [" + timestamp + "] is not a " + type
                    + " value (did the Timestamp Column's type change?); clear the processor's state to start again from the Initial Position", e);
        }
    }
}
