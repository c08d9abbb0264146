package dev.nificdc.cdc.timestamp;

import java.util.ArrayList;
import java.util.List;

/**
 * Validation of configured identifiers (table and column names). Identifiers are always quoted by the dialect, so
 * quote characters inside a name cannot end the identifier; on top of that, characters that never occur in real
 * names but do occur in injection attempts (statement separators, comment markers, control characters) are
 * rejected outright, with a message that says which property and which character.
 */
public final class Identifiers {
    /** Longest identifier any supported database accepts (SQL Server 128, Oracle 128, PostgreSQL 63, MySQL 64). */
    public static final int MAX_LENGTH = 128;

    private Identifiers() {
    }

    /**
     * @return the identifier, unchanged
     * @throws IllegalArgumentException when it is empty, too long, or contains a forbidden character
     */
    public static String requireValid(String identifier, String property) {
        if (identifier == null || identifier.isBlank()) {
            throw new IllegalArgumentException(property + " contains an empty name");
        }
        if (identifier.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(property + " name [" + abbreviate(identifier) + "] is longer than "
                    + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < identifier.length(); i++) {
            char c = identifier.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException(property + " name [" + abbreviate(identifier)
                        + "] contains a control character (code " + (int) c + "); give the plain column or table name");
            }
            if (c == ';') {
                throw new IllegalArgumentException(property + " name [" + abbreviate(identifier)
                        + "] contains ';'; give a plain name, not SQL");
            }
        }
        if (identifier.contains("--") || identifier.contains("/*") || identifier.contains("*/")) {
            throw new IllegalArgumentException(property + " name [" + abbreviate(identifier)
                    + "] contains an SQL comment marker; give a plain name, not SQL");
        }
        return identifier;
    }

    /** Splits a comma-separated list of column names, validating each one; blank input gives an empty list. */
    public static List<String> parseList(String text, String property) {
        List<String> names = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return names;
        }
        for (String part : text.split(",")) {
            String name = part.trim();
            if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                name = name.substring(1, name.length() - 1).replace("\"\"", "\"");
            }
            names.add(requireValid(name, property));
        }
        return names;
    }

    /** A single column name, optionally wrapped in double quotes. */
    public static String parseColumn(String text, String property) {
        List<String> names = parseList(text, property);
        if (names.size() != 1) {
            throw new IllegalArgumentException(property + " must name exactly one column, got [" + abbreviate(text) + "]");
        }
        return names.getFirst();
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 80 ? printable : printable.substring(0, 77) + "...";
    }
}
