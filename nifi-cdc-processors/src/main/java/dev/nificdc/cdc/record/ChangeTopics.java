package dev.nificdc.cdc.record;

/**
 * Kafka topic naming for captured tables, as Debezium does it: {@code <prefix>.<database>.<table>}, reduced to what
 * Kafka accepts. Every character outside {@code [a-zA-Z0-9._-]} becomes {@code _} (one per UTF-16 char, so a character
 * outside the Basic Multilingual Plane becomes two), a name longer than 249 characters is cut to 249, and the names
 * {@code .} and {@code ..} become {@code _} and {@code __}. Names that are legal already are kept unchanged, so topics
 * match the ones a Debezium connector with the same prefix writes.
 */
public final class ChangeTopics {
    /** Kafka's longest topic name. */
    public static final int MAX_LENGTH = 249;
    private static final char REPLACEMENT = '_';

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
        return legal(topic.append(table.table()).toString());
    }

    /** {@code name} reduced to a legal Kafka topic name (see the class comment). */
    public static String legal(String name) {
        StringBuilder legal = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            legal.append(isLegal(c) ? c : REPLACEMENT);
        }
        if (legal.length() > MAX_LENGTH) {
            legal.setLength(MAX_LENGTH);
        }
        String result = legal.toString();
        return switch (result) {
            case "." -> "_";
            case ".." -> "__";
            default -> result;
        };
    }

    /**
     * Kafka refuses a topic whose name equals an existing one's once '.' and '_' are treated alike (their metric names
     * would collide), so two topics with the same key cannot live in one cluster.
     */
    public static String collisionKey(String topic) {
        return topic.replace('.', '_');
    }

    private static boolean isLegal(char c) {
        return c == '.' || c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
