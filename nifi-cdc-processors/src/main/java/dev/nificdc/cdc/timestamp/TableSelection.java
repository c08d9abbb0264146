package dev.nificdc.cdc.timestamp;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which tables one processor captures: the tables named in a list, plus every table whose {@code schema.table}
 * (MySQL: {@code database.table}) matches one of the include patterns and none of the exclude patterns. Patterns are
 * Java regular expressions matched against the whole name, case-sensitively, as CaptureBinlogChange's table patterns.
 * Matching tables are looked up on every call (each run), so a table created later is captured from the next run on.
 * Only base tables are matched (views and PostgreSQL partitioned parents can be listed by name); system schemas never.
 */
public final class TableSelection {
    private static final Set<String> SYSTEM_SCHEMAS = Set.of("information_schema", "mysql", "performance_schema", "sys",
            "pg_catalog", "pg_toast");

    private final List<TableName> names;
    private final List<Pattern> include;
    private final List<Pattern> exclude;

    private TableSelection(List<TableName> names, List<Pattern> include, List<Pattern> exclude) {
        this.names = List.copyOf(names);
        this.include = include;
        this.exclude = exclude;
    }

    /**
     * @param names   tables named explicitly (found as written, else case-folded, see {@link TableInspector})
     * @param include regular expressions of {@code schema.table} names to capture as well
     * @param exclude regular expressions of {@code schema.table} names not to capture from the patterns
     * @throws IllegalArgumentException naming the property and the expression that does not compile, or when nothing is selected
     */
    public static TableSelection of(List<TableName> names, List<String> include, List<String> exclude, String includeProperty,
                                    String excludeProperty) {
        if (names.isEmpty() && include.isEmpty()) {
            throw new IllegalArgumentException("No table is selected: give table names or an include pattern");
        }
        return new TableSelection(names, compile(include, includeProperty), compile(exclude, excludeProperty));
    }

    /** Splits a comma-separated list of regular expressions; blanks are dropped. An expression needing a comma can use {@code \x2C}. */
    public static List<String> splitPatterns(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(text.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toList();
    }

    private static List<Pattern> compile(List<String> expressions, String property) {
        List<Pattern> patterns = new ArrayList<>();
        for (String expression : expressions) {
            try {
                patterns.add(Pattern.compile(expression));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(property + " expression [" + expression + "] is not a valid regular expression: "
                        + e.getDescription() + " near index " + e.getIndex() + "; it is matched against the whole schema.table name");
            }
        }
        return List.copyOf(patterns);
    }

    public List<TableName> names() {
        return names;
    }

    public boolean hasPatterns() {
        return !include.isEmpty();
    }

    /** Whether a table found in the database, {@code schema.table}, is selected by the patterns. */
    public boolean matches(String qualifiedName) {
        return include.stream().anyMatch(p -> p.matcher(qualifiedName).matches())
                && exclude.stream().noneMatch(p -> p.matcher(qualifiedName).matches());
    }

    /**
     * The tables to capture now: the listed names in their order, then the tables the patterns match, in name order.
     * A listed table the patterns also match may appear twice (as written and as found); callers drop the second one
     * once both are resolved.
     */
    public List<TableName> tables(Connection connection) throws SQLException {
        Set<TableName> tables = new LinkedHashSet<>(names);
        if (!include.isEmpty()) {
            tables.addAll(matchingTables(connection));
        }
        return List.copyOf(tables);
    }

    private List<TableName> matchingTables(Connection connection) throws SQLException {
        DatabaseMetaData md = connection.getMetaData();
        Set<String> seen = new TreeSet<>();
        List<TableName> found = new ArrayList<>();
        try (ResultSet rs = md.getTables(null, null, "%", new String[]{"TABLE"})) {
            while (rs.next()) {
                // MySQL/MariaDB report the database as the catalog, the others as the schema
                String schema = rs.getString("TABLE_SCHEM") != null ? rs.getString("TABLE_SCHEM") : rs.getString("TABLE_CAT");
                String table = rs.getString("TABLE_NAME");
                if (table == null || schema != null && SYSTEM_SCHEMAS.contains(schema.toLowerCase(Locale.ROOT))) {
                    continue;
                }
                String qualified = schema == null ? table : schema + "." + table;
                if (matches(qualified) && seen.add(qualified)) {
                    found.add(new TableName(schema == null ? List.of(table) : List.of(schema, table)));
                }
            }
        }
        found.sort(java.util.Comparator.comparing(TableName::toString));
        return found;
    }
}
