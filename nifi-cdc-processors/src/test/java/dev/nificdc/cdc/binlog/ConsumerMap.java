package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.testsupport.MariaDbServer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A consumer that applies change events by primary key, the last one winning: reads, creates and updates put the
 * after-image, deletes remove the before-image's key. Values are compared as text.
 */
final class ConsumerMap {
    private final Map<List<String>, List<String>> rows = new HashMap<>();

    void apply(List<ChangeEvent> changes) {
        for (ChangeEvent change : changes) {
            Object[] image = change.after() != null ? change.after() : change.before();
            List<String> key = change.schema().primaryKey().stream().map(c -> String.valueOf(image[change.schema().indexOf(c)])).toList();
            if (change.after() == null) {
                rows.remove(key);
            } else {
                rows.put(key, Arrays.stream(change.after()).map(String::valueOf).toList());
            }
        }
    }

    Map<List<String>, List<String>> rows() {
        return rows;
    }

    /** The rows of {@code table} ({@code db.table}) as text, keyed by their primary-key values. */
    static Map<List<String>, List<String>> rows(MariaDbServer server, String table) throws SQLException {
        Map<List<String>, List<String>> rows = new HashMap<>();
        String[] parts = table.split("\\.", 2);
        List<String> keyColumns = new ArrayList<>();
        try (Connection c = server.adminConnection(); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = '"
                    + parts[0] + "' AND TABLE_NAME = '" + parts[1] + "' AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION")) {
                while (r.next()) {
                    keyColumns.add(r.getString(1));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT * FROM " + table)) {
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
                    rows.put(key, row);
                }
            }
        }
        return rows;
    }
}
