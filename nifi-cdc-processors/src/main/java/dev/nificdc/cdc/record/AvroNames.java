package dev.nificdc.cdc.record;

/** Turns database identifiers into valid Avro names ({@code [A-Za-z_][A-Za-z0-9_]*}), as Debezium's avro adjustment does. */
public final class AvroNames {
    private AvroNames() {
    }

    /** Replaces every invalid character with '_' and prefixes '_' when the name starts with a digit. */
    public static String sanitize(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            return "_";
        }
        if (isValid(identifier)) {
            return identifier; // the common case, and called per column of every record: no copy
        }
        StringBuilder out = new StringBuilder(identifier.length() + 1);
        for (int i = 0; i < identifier.length(); i++) {
            char c = identifier.charAt(i);
            boolean valid = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            if (i == 0 && c >= '0' && c <= '9') {
                out.append('_').append(c);
            } else {
                out.append(valid ? c : '_');
            }
        }
        return out.toString();
    }

    private static boolean isValid(String identifier) {
        for (int i = 0; i < identifier.length(); i++) {
            char c = identifier.charAt(i);
            if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    /** A dotted Avro namespace from parts (empty parts skipped), each part sanitised. */
    public static String namespace(String... parts) {
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (part == null || part.isEmpty()) {
                continue;
            }
            if (!out.isEmpty()) {
                out.append('.');
            }
            out.append(sanitize(part));
        }
        return out.toString();
    }
}
