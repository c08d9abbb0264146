package dev.nificdc.cdc.binlog.snapshot;

import dev.nificdc.cdc.record.ColumnSchema;

import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Reads a column of a snapshot result set as the canonical value of its {@link dev.nificdc.cdc.record.ValueKind}, the
 * same value the binlog converters produce for the same data. Temporal values are cast to text by the server (the session
 * runs with {@code time_zone = '+00:00'}) and parsed without any JVM time zone; zero dates are null, or the epoch in a NOT NULL
 * column (as the binlog engine maps them); GEOMETRY is selected as WKB.
 */
final class JdbcValues {
    private JdbcValues() {
    }

    /**
     * The select expression for a column: {@code ST_AsBinary} for GEOMETRY; temporal columns and YEAR cast to text on
     * the server, because the JDBC driver parses temporal values in the JVM's time zone (a DATETIME in a daylight-saving
     * gap of that zone comes back shifted by an hour); the quoted name otherwise.
     */
    static String selectExpression(ColumnSchema column) {
        String quoted = MySqlIdentifiers.quote(column.name());
        if (column.sourceType().startsWith("geometry")) {
            return "ST_AsBinary(" + quoted + ")";
        }
        return switch (column.kind()) {
            case DATE, TIME_MICROS, TIMESTAMP_MICROS, LOCAL_TIMESTAMP_MICROS -> "CAST(" + quoted + " AS CHAR)";
            case INT -> column.sourceType().startsWith("year") ? "CAST(" + quoted + " AS CHAR)" : quoted;
            default -> quoted;
        };
    }

    /** The value of 1-based column {@code index}, or null. */
    static Object read(ResultSet rs, int index, ColumnSchema column) throws SQLException {
        Object value = switch (column.kind()) {
            case BOOLEAN -> rs.getBoolean(index);
            case INT -> column.sourceType().startsWith("year") ? year(rs.getString(index)) : (Object) rs.getInt(index);
            case LONG -> rs.getLong(index);
            case FLOAT -> rs.getFloat(index);
            case DOUBLE -> rs.getDouble(index);
            case DECIMAL -> {
                java.math.BigDecimal d = rs.getBigDecimal(index);
                yield d == null ? null : d.setScale(column.scale(), RoundingMode.UNNECESSARY);
            }
            case STRING, SOURCE_TEXT -> rs.getString(index);
            case BYTES -> rs.getBytes(index);
            case DATE -> date(rs.getString(index));
            case TIME_MICROS -> time(rs.getString(index));
            case TIMESTAMP_MICROS, LOCAL_TIMESTAMP_MICROS -> dateTime(rs.getString(index));
        };
        if (rs.wasNull()) {
            return null;
        }
        if (value == null && !column.nullable()) {
            // a zero date (0000-00-00) in a NOT NULL column: the epoch, as the binlog side and Debezium map it
            return column.kind() == dev.nificdc.cdc.record.ValueKind.DATE ? (Object) 0 : (Object) 0L;
        }
        return value;
    }

    private static Integer year(String text) {
        return text == null ? null : Integer.parseInt(text.length() > 4 ? text.substring(0, 4) : text);
    }

    /** Days since 1970-01-01; MySQL's zero dates (month or day 0) are null. */
    static Integer date(String text) {
        if (text == null || zero(text)) {
            return null;
        }
        return Math.toIntExact(LocalDate.parse(text.substring(0, 10)).toEpochDay());
    }

    /** {@code [-]HHH:MM:SS[.ffffff]} to signed microseconds. */
    static Long time(String text) {
        if (text == null) {
            return null;
        }
        boolean negative = text.startsWith("-");
        String t = negative ? text.substring(1) : text;
        String[] parts = t.split(":");
        long hours = Long.parseLong(parts[0]);
        long minutes = Long.parseLong(parts[1]);
        String secondsText = parts[2];
        int dot = secondsText.indexOf('.');
        long seconds = Long.parseLong(dot < 0 ? secondsText : secondsText.substring(0, dot));
        long micros = dot < 0 ? 0 : fraction(secondsText.substring(dot + 1));
        long total = ((hours * 60 + minutes) * 60 + seconds) * 1_000_000L + micros;
        return negative ? -total : total;
    }

    /** {@code YYYY-MM-DD HH:MM:SS[.ffffff]} as wall-clock (UTC) microseconds; zero dates are null. */
    static Long dateTime(String text) {
        if (text == null || zero(text)) {
            return null;
        }
        int dot = text.indexOf('.');
        String whole = dot < 0 ? text : text.substring(0, dot);
        LocalDateTime dt = LocalDateTime.parse(whole.replace(' ', 'T'));
        long micros = dot < 0 ? 0 : fraction(text.substring(dot + 1));
        return dt.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + micros;
    }

    private static boolean zero(String text) {
        return text.startsWith("0000-00-00") || text.length() >= 10 && (text.startsWith("00", 5) || text.startsWith("00", 8));
    }

    private static long fraction(String digits) {
        String six = (digits + "000000").substring(0, 6);
        return Long.parseLong(six);
    }
}
