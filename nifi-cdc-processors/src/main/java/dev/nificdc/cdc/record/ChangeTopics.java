package dev.nificdc.cdc.record;

/** Kafka topic naming for captured tables, as Debezium does it: {@code <prefix>.<database>.<table>}. */
public final class ChangeTopics {
    private ChangeTopics() {
    }

    /** The topic for {@code table}; the prefix and the database are left out when empty. */
    public static String of(String prefix, TableSchema table) {
        StringBuilder topic = new StringBuilder();
        if (prefix != null && !prefix.isEmpty()) {
            topic.append(prefix).append('.');
        }
        if (table.database() != null && !table.database().isEmpty()) {
            topic.append(table.database()).append('.');
        }
        return topic.append(table.table()).toString();
    }
}
