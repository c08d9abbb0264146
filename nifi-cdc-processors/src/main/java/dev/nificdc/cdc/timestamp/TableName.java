package dev.nificdc.cdc.timestamp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A table name as configured, optionally qualified by a schema (PostgreSQL, Oracle, SQL Server) or database (MySQL):
 * {@code table}, {@code schema.table} or {@code catalog.schema.table}. A part wrapped in double quotes is taken
 * literally (so it may contain dots; {@code ""} stands for one double quote). Every part is later quoted for the
 * target database by {@link SqlDialect#quote(String)}, so names with spaces, mixed case or reserved words work.
 */
public record TableName(List<String> parts) {
    public TableName {
        parts = List.copyOf(parts);
        if (parts.isEmpty() || parts.size() > 3) {
            throw new IllegalArgumentException("A table name has one to three parts (table, schema.table or catalog.schema.table)");
        }
    }

    /** The unqualified table name (last part). */
    public String table() {
        return parts.getLast();
    }

    /** The schema or database part, or null when the name is unqualified. */
    public String schema() {
        return parts.size() >= 2 ? parts.get(parts.size() - 2) : null;
    }

    /** The catalog part of a three-part name, else null. */
    public String catalog() {
        return parts.size() == 3 ? parts.getFirst() : null;
    }

    /** The same name with every part in the given case (used to find names the database folded to upper or lower case). */
    public TableName withCase(boolean upper) {
        return new TableName(parts.stream().map(p -> upper ? p.toUpperCase(Locale.ROOT) : p.toLowerCase(Locale.ROOT)).toList());
    }

    public String quoted(SqlDialect dialect) {
        return String.join(".", parts.stream().map(dialect::quote).toList());
    }

    @Override
    public String toString() {
        return String.join(".", parts);
    }

    /**
     * The name in the syntax {@link #parse} reads back to the same parts: a part containing a dot, comma, double quote or
     * outer spaces is wrapped in double quotes. Unique per table, so it serves as a key.
     */
    public String canonical() {
        return String.join(".", parts.stream().map(TableName::canonicalPart).toList());
    }

    private static String canonicalPart(String part) {
        boolean plain = !part.isEmpty() && part.equals(part.trim()) && part.indexOf('.') < 0 && part.indexOf(',') < 0 && part.indexOf('"') < 0;
        return plain ? part : "\"" + part.replace("\"", "\"\"") + "\"";
    }

    /** Whether both name the same table ignoring case, comparing only the parts both have (an unqualified name matches any schema). */
    public boolean matchesIgnoringCase(TableName other) {
        int common = Math.min(parts.size(), other.parts.size());
        for (int i = 1; i <= common; i++) {
            if (!parts.get(parts.size() - i).equalsIgnoreCase(other.parts.get(other.parts.size() - i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses a comma-separated list of table names; commas inside double quotes belong to the name. Blank input gives
     * an empty list.
     *
     * @throws IllegalArgumentException naming the offending entry
     */
    public static List<TableName> parseList(String text) {
        List<TableName> names = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return names;
        }
        StringBuilder entry = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted; // a doubled quote inside a quoted part toggles twice
            }
            if (c == ',' && !quoted) {
                addEntry(names, entry.toString(), text);
                entry.setLength(0);
            } else {
                entry.append(c);
            }
        }
        addEntry(names, entry.toString(), text);
        return names;
    }

    private static void addEntry(List<TableName> names, String entry, String list) {
        if (entry.isBlank()) {
            throw new IllegalArgumentException("The list [" + list + "] has an empty entry; separate table names with single commas");
        }
        names.add(parse(entry));
    }

    /**
     * Parses a configured table name.
     *
     * @throws IllegalArgumentException with a message naming the offending part when the name is not valid
     */
    public static TableName parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.trim();
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (true) {
            StringBuilder part = new StringBuilder();
            if (i < trimmed.length() && trimmed.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < trimmed.length()) {
                    char c = trimmed.charAt(i++);
                    if (c == '"') {
                        if (i < trimmed.length() && trimmed.charAt(i) == '"') {
                            part.append('"');
                            i++;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        part.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("Table name [" + text + "] has an unclosed double quote");
                }
                if (i < trimmed.length() && trimmed.charAt(i) != '.') {
                    throw new IllegalArgumentException("Table name [" + text + "] has characters after a closing double quote; "
                            + "separate the parts with a dot");
                }
            } else {
                while (i < trimmed.length() && trimmed.charAt(i) != '.') {
                    char c = trimmed.charAt(i++);
                    if (c == '"') {
                        throw new IllegalArgumentException("Table name [" + text + "] contains a double quote inside a part; "
                                + "wrap the whole part in double quotes and double the quote inside it");
                    }
                    part.append(c);
                }
            }
            parts.add(Identifiers.requireValid(part.toString().trim(), "Table name"));
            if (i >= trimmed.length()) {
                break;
            }
            i++; // the dot
        }
        if (parts.size() > 3) {
            throw new IllegalArgumentException("Table name [" + text + "] has " + parts.size()
                    + " dot-separated parts; use table, schema.table or catalog.schema.table (wrap a part containing dots in double quotes)");
        }
        return new TableName(parts);
    }
}
