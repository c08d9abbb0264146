package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.binlog.schema.TableId;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the statement of a QUERY event does to tables: its kind and the tables it names, qualified with the event's
 * default database where the statement leaves them unqualified. Reads only the statement's head (MySQL/MariaDB
 * syntax: comments, backquoted identifiers, executable {@code /*!...*}{@code /} comments), enough for DDL and for
 * data-changing statements written in statement format; anything else is {@link Kind#OTHER}.
 *
 * @param kind     what the statement does
 * @param database the database it applies to: a DROP DATABASE's, else the event's default database (may be null)
 * @param tables   the tables it names, in order (RENAME TABLE: each old name followed by its new one)
 */
record QueryStatement(Kind kind, String database, List<TableId> tables) {

    /** The kinds of statement capture acts on. */
    enum Kind {
        CREATE_TABLE, ALTER_TABLE, DROP_TABLE, RENAME_TABLE, TRUNCATE_TABLE, CREATE_INDEX, DROP_INDEX, DROP_DATABASE,
        /** INSERT, REPLACE, UPDATE, DELETE, LOAD DATA: rows changed by a statement written in statement format. */
        DATA_CHANGE,
        OTHER;

        /** The statement's keywords, e.g. {@code ALTER TABLE}. */
        String sql() {
            return name().replace('_', ' ');
        }

        /** Whether the statement may change the definition of the tables it names. */
        boolean changesDefinition() {
            return this != DATA_CHANGE && this != OTHER && this != TRUNCATE_TABLE;
        }
    }

    static QueryStatement parse(String sql, String defaultDatabase) {
        return new Parser(sql == null ? "" : sql, defaultDatabase == null || defaultDatabase.isEmpty() ? null : defaultDatabase).statement();
    }

    private static final class Parser {
        private final String sql;
        private final String defaultDatabase;
        private int pos;

        Parser(String sql, String defaultDatabase) {
            this.sql = sql;
            this.defaultDatabase = defaultDatabase;
        }

        QueryStatement statement() {
            String first = keyword();
            return switch (first) {
                case "CREATE" -> create();
                case "ALTER" -> alter();
                case "DROP" -> drop();
                case "RENAME" -> accept("TABLE") ? renameTable() : other();
                case "TRUNCATE" -> {
                    accept("TABLE");
                    yield of(Kind.TRUNCATE_TABLE, tableName());
                }
                case "INSERT", "REPLACE" -> {
                    skipAll("LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "INTO");
                    yield of(Kind.DATA_CHANGE, tableName());
                }
                case "UPDATE" -> {
                    skipAll("LOW_PRIORITY", "IGNORE");
                    yield of(Kind.DATA_CHANGE, tableName());
                }
                case "DELETE" -> {
                    skipAll("LOW_PRIORITY", "QUICK", "IGNORE");
                    accept("FROM");
                    yield of(Kind.DATA_CHANGE, tableName());
                }
                case "LOAD" -> loadData();
                default -> other();
            };
        }

        private QueryStatement create() {
            if (accept("OR")) {
                accept("REPLACE");
            }
            skipAll("TEMPORARY", "ONLINE", "OFFLINE", "UNIQUE", "FULLTEXT", "SPATIAL");
            String what = keyword();
            if (what.equals("TABLE")) {
                skipIfExists("NOT");
                return of(Kind.CREATE_TABLE, tableName());
            }
            if (what.equals("INDEX")) {
                skipIfExists("NOT");
                identifier(); // the index name
                boolean on = false;
                while (!on && !atEnd()) {
                    on = keyword().equals("ON"); // past USING BTREE and the like
                }
                return on ? of(Kind.CREATE_INDEX, tableName()) : other();
            }
            return other();
        }

        private QueryStatement alter() {
            skipAll("ONLINE", "OFFLINE", "IGNORE");
            if (!accept("TABLE")) {
                return other();
            }
            skipIfExists(null);
            List<TableId> tables = new ArrayList<>();
            tables.add(tableName());
            // ALTER TABLE a ..., RENAME [TO | AS] b: the table gets a new name
            while (!atEnd()) {
                String word = keyword();
                if (word.equals("RENAME")) {
                    int mark = pos;
                    String next = keyword();
                    if (!next.equals("COLUMN") && !next.equals("INDEX") && !next.equals("KEY")) {
                        if (!next.equals("TO") && !next.equals("AS")) {
                            pos = mark;
                        }
                        tables.add(tableName());
                    }
                }
            }
            return new QueryStatement(Kind.ALTER_TABLE, defaultDatabase, tables);
        }

        private QueryStatement drop() {
            skipAll("TEMPORARY", "ONLINE", "OFFLINE");
            String what = keyword();
            switch (what) {
                case "TABLE", "TABLES" -> {
                    skipIfExists(null);
                    List<TableId> tables = new ArrayList<>();
                    do {
                        tables.add(tableName());
                    } while (acceptSymbol(','));
                    return new QueryStatement(Kind.DROP_TABLE, defaultDatabase, tables);
                }
                case "INDEX" -> {
                    skipIfExists(null);
                    identifier();
                    return accept("ON") ? of(Kind.DROP_INDEX, tableName()) : other();
                }
                case "DATABASE", "SCHEMA" -> {
                    skipIfExists(null);
                    return new QueryStatement(Kind.DROP_DATABASE, identifier(), List.of());
                }
                default -> {
                    return other();
                }
            }
        }

        private QueryStatement renameTable() {
            List<TableId> tables = new ArrayList<>();
            do {
                tables.add(tableName());
                if (!accept("TO")) {
                    return other();
                }
                tables.add(tableName());
            } while (acceptSymbol(','));
            return new QueryStatement(Kind.RENAME_TABLE, defaultDatabase, tables);
        }

        /** LOAD DATA [LOW_PRIORITY | CONCURRENT] [LOCAL] INFILE '...' [REPLACE | IGNORE] INTO TABLE t. */
        private QueryStatement loadData() {
            if (!accept("DATA") && !accept("XML")) {
                return other();
            }
            while (!atEnd()) {
                if (keyword().equals("INTO") && accept("TABLE")) {
                    return of(Kind.DATA_CHANGE, tableName());
                }
            }
            return of(Kind.DATA_CHANGE, null);
        }

        private QueryStatement of(Kind kind, TableId table) {
            return new QueryStatement(kind, defaultDatabase, table == null ? List.of() : List.of(table));
        }

        private QueryStatement other() {
            return new QueryStatement(Kind.OTHER, defaultDatabase, List.of());
        }

        /** IF [NOT] EXISTS, where {@code not} is "NOT" for CREATE. */
        private void skipIfExists(String not) {
            int mark = pos;
            if (accept("IF") && (not == null || accept(not)) && accept("EXISTS")) {
                return;
            }
            pos = mark;
        }

        private void skipAll(String... words) {
            boolean skipped = true;
            while (skipped) {
                skipped = false;
                for (String word : words) {
                    if (accept(word)) {
                        skipped = true;
                    }
                }
            }
        }

        /** A possibly qualified table name; null when none follows. */
        private TableId tableName() {
            String first = identifier();
            if (first == null) {
                return null;
            }
            if (acceptSymbol('.')) {
                String second = identifier();
                return new TableId(first, second);
            }
            return new TableId(defaultDatabase, first);
        }

        private boolean accept(String word) {
            int mark = pos;
            if (keyword().equals(word)) {
                return true;
            }
            pos = mark;
            return false;
        }

        private boolean acceptSymbol(char symbol) {
            skipSpace();
            if (pos < sql.length() && sql.charAt(pos) == symbol) {
                pos++;
                return true;
            }
            return false;
        }

        private boolean atEnd() {
            skipSpace();
            return pos >= sql.length();
        }

        /** The next token upper-cased when it is a bare word; otherwise consumes one token and returns "". */
        private String keyword() {
            skipSpace();
            if (pos >= sql.length()) {
                return "";
            }
            char c = sql.charAt(pos);
            if (isWordChar(c)) {
                int start = pos;
                while (pos < sql.length() && isWordChar(sql.charAt(pos))) {
                    pos++;
                }
                return sql.substring(start, pos).toUpperCase(Locale.ROOT);
            }
            if (c == '`' || c == '"' || c == '\'') {
                quoted(c);
            } else {
                pos++;
            }
            return "";
        }

        /** An identifier, bare or quoted; null when the next token is none. */
        private String identifier() {
            skipSpace();
            if (pos >= sql.length()) {
                return null;
            }
            char c = sql.charAt(pos);
            if (c == '`' || c == '"') {
                return quoted(c);
            }
            if (!isWordChar(c)) {
                return null;
            }
            int start = pos;
            while (pos < sql.length() && isWordChar(sql.charAt(pos))) {
                pos++;
            }
            return sql.substring(start, pos);
        }

        /** A quoted token starting at pos; a doubled quote stands for itself. */
        private String quoted(char quote) {
            StringBuilder out = new StringBuilder();
            pos++;
            while (pos < sql.length()) {
                char c = sql.charAt(pos++);
                if (c == quote) {
                    if (pos < sql.length() && sql.charAt(pos) == quote) {
                        out.append(quote);
                        pos++;
                    } else {
                        break;
                    }
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }

        /** Skips white space and comments; the content of executable comments ({@code /*!50100 ...}) is read as code. */
        private void skipSpace() {
            while (pos < sql.length()) {
                char c = sql.charAt(pos);
                if (Character.isWhitespace(c)) {
                    pos++;
                } else if (sql.startsWith("/*!", pos) || sql.startsWith("/*M!", pos)) {
                    pos += sql.startsWith("/*M!", pos) ? 4 : 3;
                    while (pos < sql.length() && Character.isDigit(sql.charAt(pos))) {
                        pos++;
                    }
                } else if (sql.startsWith("/*", pos)) {
                    int end = sql.indexOf("*/", pos + 2);
                    pos = end < 0 ? sql.length() : end + 2;
                } else if (sql.startsWith("*/", pos)) {
                    pos += 2; // the end of an executable comment
                } else if (c == '#' || sql.startsWith("-- ", pos)) {
                    int end = sql.indexOf('\n', pos);
                    pos = end < 0 ? sql.length() : end + 1;
                } else {
                    return;
                }
            }
        }

        private static boolean isWordChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 0x7F;
        }
    }
}
