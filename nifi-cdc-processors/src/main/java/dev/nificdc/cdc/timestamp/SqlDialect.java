package dev.nificdc.cdc.timestamp;

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
            return "SELECT CURRENT_TIMESTAMP(6)";
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
