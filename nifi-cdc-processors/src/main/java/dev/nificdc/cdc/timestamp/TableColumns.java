package dev.nificdc.cdc.timestamp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The columns a table is read by: its update timestamp, incrementing, creation and soft-delete columns and the columns
 * to return. The processor's properties give the defaults; a table may override any of them with a setting list such as
 * {@code Timestamp Column=changed_on; Incrementing Column=order_no; Soft Delete Column=} (an empty value means none;
 * separated by semicolons or line breaks; keys are the property names, in any case).
 *
 * @param timestampColumn  the update-timestamp column
 * @param idColumn         the incrementing column, or null
 * @param creationColumn   the creation-timestamp column, or null
 * @param softDeleteColumn the soft-delete flag column, or null
 * @param columns          the columns to return, empty for all
 */
public record TableColumns(String timestampColumn, String idColumn, String creationColumn, String softDeleteColumn,
                           List<String> columns) {
    public static final String TIMESTAMP = "Timestamp Column";
    public static final String INCREMENTING = "Incrementing Column";
    public static final String CREATION = "Creation Timestamp Column";
    public static final String SOFT_DELETE = "Soft Delete Column";
    public static final String COLUMNS = "Columns to Return";
    private static final List<String> KEYS = List.of(TIMESTAMP, INCREMENTING, CREATION, SOFT_DELETE, COLUMNS);

    public TableColumns {
        Identifiers.requireValid(timestampColumn, TIMESTAMP);
        columns = List.copyOf(columns);
    }

    /**
     * These columns with a table's overrides applied.
     *
     * @param settings e.g. {@code Timestamp Column=changed_on; Incrementing Column=order_no}
     * @throws IllegalArgumentException naming the setting that cannot be read
     */
    public TableColumns with(String settings) {
        Map<String, String> values = parse(settings);
        String timestamp = values.containsKey(TIMESTAMP) ? column(values.get(TIMESTAMP), TIMESTAMP) : timestampColumn;
        if (timestamp == null) {
            throw new IllegalArgumentException(TIMESTAMP + " cannot be empty: every table needs one");
        }
        return new TableColumns(timestamp,
                values.containsKey(INCREMENTING) ? column(values.get(INCREMENTING), INCREMENTING) : idColumn,
                values.containsKey(CREATION) ? column(values.get(CREATION), CREATION) : creationColumn,
                values.containsKey(SOFT_DELETE) ? column(values.get(SOFT_DELETE), SOFT_DELETE) : softDeleteColumn,
                values.containsKey(COLUMNS) ? Identifiers.parseList(values.get(COLUMNS), COLUMNS) : columns);
    }

    /** Checks a setting list without applying it. */
    public static void validate(String settings) {
        new TableColumns("any", null, null, null, List.of()).with(settings);
    }

    private static String column(String value, String key) {
        return value.isBlank() ? null : Identifiers.parseColumn(value, key);
    }

    private static Map<String, String> parse(String settings) {
        Map<String, String> values = new LinkedHashMap<>();
        if (settings == null || settings.isBlank()) {
            throw new IllegalArgumentException("No column setting given; write e.g. " + TIMESTAMP + "=changed_on; " + INCREMENTING + "=order_no");
        }
        for (String entry : settings.split("[;\\r\\n]")) {
            if (entry.isBlank()) {
                continue;
            }
            int equals = entry.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("Column setting [" + entry.trim() + "] has no '='; write <setting>=<column>, e.g. "
                        + TIMESTAMP + "=changed_on");
            }
            String key = canonicalKey(entry.substring(0, equals).trim());
            if (values.put(key, entry.substring(equals + 1).trim()) != null) {
                throw new IllegalArgumentException("Column setting " + key + " is given twice");
            }
        }
        return values;
    }

    private static String canonicalKey(String key) {
        for (String known : KEYS) {
            if (known.toLowerCase(Locale.ROOT).equals(key.toLowerCase(Locale.ROOT))) {
                return known;
            }
        }
        throw new IllegalArgumentException("Unknown column setting [" + key + "]; the settings are " + String.join(", ", KEYS));
    }
}
