package dev.nificdc.cdc.postgres.types;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The session settings (GUCs) under which PostgreSQL's text output of every value is exact and the same on every
 * connection: the snapshot's JDBC session and the replication session whose walsender runs pgoutput (output functions
 * read the session's settings).
 * <ul>
 *   <li>{@code DateStyle=ISO}: {@code 2024-02-29 12:34:56.123456}, {@code 0044-03-15 BC} (pgjdbc requires ISO too);</li>
 *   <li>{@code IntervalStyle=iso_8601}: {@code P1Y2M3DT4H5M6.000007S}, months, days and time kept apart;</li>
 *   <li>{@code TimeZone=UTC}: timestamptz printed as the UTC instant ({@code ...+00});</li>
 *   <li>{@code extra_float_digits=3}: shortest text that reads back to the same float on PostgreSQL 12+ (any value
 *       above 0 does), 17 significant digits, also exact, before 12;</li>
 *   <li>{@code bytea_output=hex};</li>
 *   <li>{@code lc_monetary}: pinned to the database's own value, so money's fraction digits are the currency's.</li>
 * </ul>
 */
public final class PgSessionSettings {
    private static final String DEFAULT_LC_MONETARY = "SELECT reset_val FROM pg_catalog.pg_settings WHERE name = 'lc_monetary'";

    private final Map<String, String> settings;

    private PgSessionSettings(String lcMonetary) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("DateStyle", "ISO");
        values.put("IntervalStyle", "iso_8601");
        values.put("TimeZone", "UTC");
        values.put("extra_float_digits", "3");
        values.put("bytea_output", "hex");
        values.put("lc_monetary", Objects.requireNonNull(lcMonetary, "lcMonetary"));
        this.settings = Collections.unmodifiableMap(values);
    }

    /** The settings with lc_monetary as {@code connection}'s database (or role) sets it by default. */
    public static PgSessionSettings forDatabase(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(DEFAULT_LC_MONETARY); ResultSet rs = statement.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("pg_settings has no lc_monetary");
            }
            return new PgSessionSettings(rs.getString(1));
        }
    }

    /** The settings with the given lc_monetary (e.g. from NiFi state, so a restart keeps the value it started with). */
    public static PgSessionSettings withMonetaryLocale(String lcMonetary) {
        return new PgSessionSettings(lcMonetary);
    }

    /** Setting name to value, in a fixed order. */
    public Map<String, String> asMap() {
        return settings;
    }

    public String lcMonetary() {
        return settings.get("lc_monetary");
    }

    /** Sets every setting in {@code connection}'s session (not only its current transaction). */
    public void applyTo(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_catalog.set_config(?, ?, false)")) {
            for (Map.Entry<String, String> setting : settings.entrySet()) {
                statement.setString(1, setting.getKey());
                statement.setString(2, setting.getValue());
                statement.execute();
            }
        }
    }

    /**
     * The value of pgjdbc's {@code options} connection property that starts a session (also a replication session)
     * with these settings: {@code -c DateStyle=ISO -c IntervalStyle=iso_8601 ...}, spaces and backslashes in values
     * escaped with a backslash as PostgreSQL's startup options require.
     */
    public String connectionOptions() {
        StringBuilder options = new StringBuilder();
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            if (!options.isEmpty()) {
                options.append(' ');
            }
            options.append("-c ").append(setting.getKey()).append('=').append(escape(setting.getValue()));
        }
        return options.toString();
    }

    private static String escape(String value) {
        StringBuilder escaped = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || Character.isWhitespace(c)) {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PgSessionSettings that && settings.equals(that.settings);
    }

    @Override
    public int hashCode() {
        return settings.hashCode();
    }

    @Override
    public String toString() {
        return connectionOptions();
    }
}
