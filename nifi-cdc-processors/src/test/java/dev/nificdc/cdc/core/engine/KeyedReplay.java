package dev.nificdc.cdc.core.engine;

import dev.nificdc.cdc.record.ChangeEvent;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consumer that replays change records into a map keyed by primary key, the last record winning, as a sink that
 * upserts and deletes by key would: reads, creates and updates put the after-image, deletes remove the before-image's
 * key. Values are kept as text, to compare with the source table read over JDBC. One table per replay.
 */
public final class KeyedReplay {
    private final String table;
    private final Map<String, List<String>> rows = new TreeMap<>();

    /** Replays the records of {@code table} (its name without the database) and ignores the others. */
    public KeyedReplay(String table) {
        this.table = table;
    }

    public void apply(List<ChangeEvent> changes) {
        for (ChangeEvent change : changes) {
            if (!change.schema().table().equals(table)) {
                continue;
            }
            Object[] image = change.after() != null ? change.after() : change.before();
            String key = change.schema().primaryKey().stream().map(c -> String.valueOf(image[change.schema().indexOf(c)]))
                    .toList().toString();
            if (change.after() == null) {
                rows.remove(key);
            } else {
                rows.put(key, Arrays.stream(change.after()).map(String::valueOf).toList());
            }
        }
    }

    public Map<String, List<String>> rows() {
        return rows;
    }

    /** Fails, naming at most ten differing keys, unless the replayed rows equal {@code source} (see {@link #table}). */
    public void assertEquals(Map<String, List<String>> source, String what) {
        List<String> differences = new ArrayList<>();
        java.util.Set<String> keys = new java.util.TreeSet<>(source.keySet());
        keys.addAll(rows.keySet());
        for (String key : keys) {
            if (!java.util.Objects.equals(source.get(key), rows.get(key))) {
                differences.add(key + ": source " + source.get(key) + ", replayed " + rows.get(key));
            }
        }
        if (!differences.isEmpty()) {
            throw new AssertionError(what + ": " + differences.size() + " of " + keys.size() + " keys differ, e.g. "
                    + differences.subList(0, Math.min(10, differences.size())));
        }
    }

    /** The rows of {@code table} as text, keyed like {@link #rows()} by the values of {@code keyColumns}. */
    public static Map<String, List<String>> table(Connection c, String table, List<String> keyColumns) throws SQLException {
        Map<String, List<String>> rows = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM " + table)) {
            int columns = r.getMetaData().getColumnCount();
            while (r.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(r.getString(i));
                }
                List<String> key = new ArrayList<>();
                for (String column : keyColumns) {
                    key.add(r.getString(column));
                }
                rows.put(key.toString(), row);
            }
        }
        return rows;
    }
}
