package dev.nificdc.cdc.timestamp;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.Temporal;
import java.util.Locale;

/**
 * The SQL differences the timestamp-incremental query needs: identifier quoting, the paging clause and the
 * expression that reads the database's own clock. Detected from {@link java.sql.DatabaseMetaData#getDatabaseProductName()}.
 */
public enum SqlDialect {
    /** MySQL and MariaDB: back-quoted identifiers, {@code LIMIT n}, {@code CURRENT_TIMESTAMP(6)} in the session time zone. */
    MYSQL("MySQL / MariaDB") {
        @Override
        public String quote(String identifier) {
            return "`" + identifier.replace("`", "``") + "`";
        }

        @Override
        public String nowQuery(boolean withTimeZone) {
            return "SELECT CAST(CURRENT_TIMESTAMP(6) AS CHAR)";
        }

        /**
         * MariaDB Connector/J (3.5) converts DATETIME values through java.sql.Timestamp in the JVM's default time zone,
         * even for getString and getObject(LocalDateTime.class): a wall-clock time inside a daylight-saving gap of
         * the JVM zone moves (02:30 on 2024-03-10 in New York becomes 03:30). So date and time columns are selected as
         * text ({@code CAST(col AS CHAR)}), which the server formats exactly.
         */
        @Override
        public String selectExpression(String quotedColumn, int jdbcType, String typeName) {
            boolean temporal = jdbcType == Types.TIMESTAMP || jdbcType == Types.TIME
                    || jdbcType == Types.DATE && !"YEAR".equalsIgnoreCase(typeName);
            return temporal ? "CAST(" + quotedColumn + " AS CHAR)" : quotedColumn;
        }

        /** Parses the text of a column selected by {@link #selectExpression}; zero dates ("0000-00-00") read as NULL. */
        @Override
        public <T extends Temporal> T readTemporal(ResultSet rs, int column, Class<T> type) throws SQLException {
            if (type == OffsetDateTime.class) {
                return super.readTemporal(rs, column, type);
            }
            String text = rs.getString(column);
            if (text == null || text.startsWith("0000-00-00")) {
                return null;
            }
            if (type == LocalDateTime.class) {
                LocalDateTime fast = parseMySqlDateTime(text);
                if (fast != null) {
                    return type.cast(fast);
                }
            }
            String iso = text.trim().replace(' ', 'T');
            try {
                if (type == LocalDate.class) {
                    return type.cast(LocalDate.parse(iso.length() > 10 ? iso.substring(0, 10) : iso));
                }
                return type.cast(iso.length() == 10 ? LocalDate.parse(iso).atStartOfDay() : LocalDateTime.parse(iso));
            } catch (DateTimeParseException e) {
                throw new SQLException("Cannot read [" + text + "] of column " + column + " as " + type.getSimpleName(), e);
            }
        }

        /** Bound as text ({@code 2024-03-10 02:30:00.123456}) so that no driver time-zone conversion touches it. */
        @Override
        public Object bindTemporal(Temporal value) {
            if (value instanceof LocalDateTime ldt) {
                return MYSQL_DATETIME.format(ldt);
            }
            if (value instanceof LocalDate date) {
                return date.toString();
            }
            return value;
        }
    },
    /** PostgreSQL: {@code clock_timestamp()} (the real time, not the transaction start that {@code now()} returns). */
    POSTGRESQL("PostgreSQL") {
        @Override
        public String nowQuery(boolean withTimeZone) {
            return withTimeZone ? "SELECT clock_timestamp()" : "SELECT CAST(clock_timestamp() AS timestamp)";
        }
    },
    /** Oracle 12c and later: {@code FETCH FIRST n ROWS ONLY}, {@code SYSTIMESTAMP} (the server's clock and zone). */
    ORACLE("Oracle") {
        @Override
        public String page(String select, int limit) {
            return select + " FETCH FIRST " + limit + " ROWS ONLY";
        }

        @Override
        public String nowQuery(boolean withTimeZone) {
            return withTimeZone ? "SELECT SYSTIMESTAMP FROM DUAL" : "SELECT CAST(SYSTIMESTAMP AS TIMESTAMP) FROM DUAL";
        }
    },
    /** Microsoft SQL Server: bracket quoting, {@code TOP (n)}, {@code SYSDATETIME()} / {@code SYSDATETIMEOFFSET()}. */
    SQL_SERVER("Microsoft SQL Server") {
        @Override
        public String quote(String identifier) {
            return "[" + identifier.replace("]", "]]") + "]";
        }

        @Override
        public String page(String select, int limit) {
            if (!select.startsWith("SELECT ")) {
                throw new IllegalArgumentException("Expected a SELECT statement: " + select);
            }
            return "SELECT TOP (" + limit + ") " + select.substring("SELECT ".length());
        }

        @Override
        public String nowQuery(boolean withTimeZone) {
            return withTimeZone ? "SELECT SYSDATETIMEOFFSET()" : "SELECT SYSDATETIME()";
        }
    },
    /** Any other database: SQL standard double quotes, {@code FETCH FIRST n ROWS ONLY}, {@code CURRENT_TIMESTAMP}. */
    GENERIC("Generic SQL") {
        @Override
        public String page(String select, int limit) {
            return select + " FETCH FIRST " + limit + " ROWS ONLY";
        }

        @Override
        public String nowQuery(boolean withTimeZone) {
            return "SELECT CURRENT_TIMESTAMP";
        }
    };

    private final String displayName;

    SqlDialect(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    /** Quotes one identifier, escaping embedded quote characters, so any name is taken literally. */
    public String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** Limits a {@code SELECT ...} statement to {@code limit} rows. */
    public String page(String select, int limit) {
        return select + " LIMIT " + limit;
    }

    /** A statement returning one row with the database's current time, as a timestamp with or without time zone. */
    public abstract String nowQuery(boolean withTimeZone);

    /** The SELECT-list expression for a column (the quoted column itself unless the driver cannot read its type exactly). */
    public String selectExpression(String quotedColumn, int jdbcType, String typeName) {
        return quotedColumn;
    }

    /**
     * Reads a date-time value exactly as the database holds it, with no JVM time zone applied.
     *
     * @param type LocalDateTime, OffsetDateTime or LocalDate
     */
    public <T extends Temporal> T readTemporal(ResultSet rs, int column, Class<T> type) throws SQLException {
        return rs.getObject(column, type);
    }

    /** The object to bind for a date-time parameter (java.time by default). */
    public Object bindTemporal(Temporal value) {
        return value;
    }

    private static final DateTimeFormatter MYSQL_DATETIME = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss").appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).toFormatter();

    /**
     * Parses the server's own text of a DATETIME or TIMESTAMP, {@code yyyy-MM-dd HH:mm:ss[.f...]} (1 to 9 fractional
     * digits), without a DateTimeFormatter: this runs for every date-time column of every fetched row. Returns null for
     * any other shape or an invalid value, which the caller then parses the general way (and reports).
     */
    static LocalDateTime parseMySqlDateTime(String text) {
        int length = text.length();
        if (length < 19 || length == 20 || length > 29 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != ' '
                || text.charAt(13) != ':' || text.charAt(16) != ':' || length > 19 && text.charAt(19) != '.') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int nano = 0;
        if (length > 19) {
            nano = digits(text, 20, length);
            for (int i = length; i < 29; i++) {
                nano *= 10;
            }
        }
        if ((year | month | day | hour | minute | second | nano) < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nano);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** The decimal number in {@code text[from, to)}, or -1 when a character is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** The dialect for a {@link java.sql.DatabaseMetaData#getDatabaseProductName()} value. */
    public static SqlDialect detect(String productName) {
        String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (name.contains("mysql") || name.contains("mariadb")) {
            return MYSQL;
        }
        if (name.contains("postgres")) {
            return POSTGRESQL;
        }
        if (name.contains("oracle")) {
            return ORACLE;
        }
        if (name.contains("microsoft sql server") || name.equals("sql server")) {
            return SQL_SERVER;
        }
        return GENERIC;
    }
}
