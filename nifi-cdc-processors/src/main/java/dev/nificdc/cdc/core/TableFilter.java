package dev.nificdc.cdc.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which databases, tables and columns are captured. Each list holds regular expressions matched against the whole
 * name (case-sensitive, as MySQL names on Linux are): databases against {@code db}, tables against {@code db.table},
 * excluded columns against {@code db.table.column}. An empty include list includes everything; excludes win over
 * includes. For PostgreSQL the "database" is the schema ({@code schema.table}). The source's system databases are
 * always excluded: by default MySQL's {@code mysql}, {@code sys}, {@code information_schema} and
 * {@code performance_schema}; {@link #withSystemNames} sets another source's.
 */
public final class TableFilter {
    /** MySQL's and MariaDB's system databases. */
    public static final Predicate<String> MYSQL_SYSTEM_DATABASES =
            name -> List.of("mysql", "sys", "information_schema", "performance_schema").contains(name.toLowerCase(Locale.ROOT));
    /** PostgreSQL's system schemas: {@code information_schema} and every {@code pg_} name (reserved for the system). */
    public static final Predicate<String> POSTGRES_SYSTEM_SCHEMAS =
            name -> name.equals("information_schema") || name.startsWith("pg_");

    /** Prefix of the state keys {@link #toStateMap} writes. */
    public static final String STATE_PREFIX = "filter.";
    private static final String KEY_INCLUDE_DATABASES = STATE_PREFIX + "databases.include";
    private static final String KEY_EXCLUDE_DATABASES = STATE_PREFIX + "databases.exclude";
    private static final String KEY_INCLUDE_TABLES = STATE_PREFIX + "tables.include";
    private static final String KEY_EXCLUDE_TABLES = STATE_PREFIX + "tables.exclude";

    private final Predicate<String> systemDatabases;
    private final List<Pattern> includeDatabases;
    private final List<Pattern> excludeDatabases;
    private final List<Pattern> includeTables;
    private final List<Pattern> excludeTables;
    private final List<Pattern> excludeColumns;

    private TableFilter(Predicate<String> systemDatabases, List<Pattern> includeDatabases, List<Pattern> excludeDatabases,
                        List<Pattern> includeTables, List<Pattern> excludeTables, List<Pattern> excludeColumns) {
        this.systemDatabases = systemDatabases;
        this.includeDatabases = includeDatabases;
        this.excludeDatabases = excludeDatabases;
        this.includeTables = includeTables;
        this.excludeTables = excludeTables;
        this.excludeColumns = excludeColumns;
    }

    /** Captures every table of every non-system database. */
    public static TableFilter all() {
        return new TableFilter(MYSQL_SYSTEM_DATABASES, List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /**
     * @throws CaptureException with reason CONFIGURATION naming the list and the expression when one does not compile
     */
    public static TableFilter of(List<String> includeDatabases, List<String> excludeDatabases, List<String> includeTables,
                                 List<String> excludeTables, List<String> excludeColumns) {
        return new TableFilter(MYSQL_SYSTEM_DATABASES, compile("include databases", includeDatabases), compile("exclude databases", excludeDatabases),
                compile("include tables", includeTables), compile("exclude tables", excludeTables),
                compile("exclude columns", excludeColumns));
    }

    /** This filter with another source's system databases (e.g. {@link #POSTGRES_SYSTEM_SCHEMAS}) always excluded. */
    public TableFilter withSystemNames(Predicate<String> systemNames) {
        return new TableFilter(systemNames, includeDatabases, excludeDatabases, includeTables, excludeTables, excludeColumns);
    }

    /**
     * Splits a comma-separated list of expressions, as a processor property holds them; blanks are dropped.
     * Expressions that need a comma can use {@code \x2C}.
     */
    public static List<String> split(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * The table-selecting expressions (databases and tables, not columns) as state entries under {@link #STATE_PREFIX}, so
     * that a later start can tell which tables have started to match since ({@link #fromStateMap}).
     */
    public Map<String, String> toStateMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(KEY_INCLUDE_DATABASES, joined(includeDatabases));
        map.put(KEY_EXCLUDE_DATABASES, joined(excludeDatabases));
        map.put(KEY_INCLUDE_TABLES, joined(includeTables));
        map.put(KEY_EXCLUDE_TABLES, joined(excludeTables));
        return map;
    }

    /** The table selection {@link #toStateMap} stored, or null when the state holds none. */
    public static TableFilter fromStateMap(Map<String, String> state) {
        if (!state.containsKey(KEY_INCLUDE_TABLES)) {
            return null;
        }
        return of(split(state.get(KEY_INCLUDE_DATABASES)), split(state.get(KEY_EXCLUDE_DATABASES)),
                split(state.get(KEY_INCLUDE_TABLES)), split(state.get(KEY_EXCLUDE_TABLES)), List.of());
    }

    /** Removes the entries {@link #toStateMap} writes. */
    public static void removeFrom(Map<String, String> state) {
        state.keySet().removeIf(key -> key.startsWith(STATE_PREFIX));
    }

    // expressions come from comma-separated properties (split), so they never hold a comma themselves
    private static String joined(List<Pattern> patterns) {
        return String.join(",", patterns.stream().map(Pattern::pattern).toList());
    }

    private static List<Pattern> compile(String what, List<String> expressions) {
        if (expressions == null) {
            return List.of();
        }
        return expressions.stream().map(e -> {
            try {
                return Pattern.compile(e);
            } catch (PatternSyntaxException ex) {
                throw new CaptureException(CaptureException.Reason.CONFIGURATION,
                        "The " + what + " expression '" + e + "' is not a valid regular expression: "
                                + ex.getDescription() + " near index " + ex.getIndex()
                                + ". Fix the expression (Java regular expression syntax, matched against the whole name).", ex);
            }
        }).toList();
    }

    public boolean includesDatabase(String database) {
        if (database == null || systemDatabases.test(database)) {
            return false;
        }
        return matchesIncludeExclude(database, includeDatabases, excludeDatabases);
    }

    public boolean includesTable(String database, String table) {
        return includesDatabase(database) && matchesIncludeExclude(database + "." + table, includeTables, excludeTables);
    }

    public boolean includesColumn(String database, String table, String column) {
        String name = database + "." + table + "." + column;
        return excludeColumns.stream().noneMatch(p -> p.matcher(name).matches());
    }

    private static boolean matchesIncludeExclude(String name, List<Pattern> include, List<Pattern> exclude) {
        if (!include.isEmpty() && include.stream().noneMatch(p -> p.matcher(name).matches())) {
            return false;
        }
        return exclude.stream().noneMatch(p -> p.matcher(name).matches());
    }
}
