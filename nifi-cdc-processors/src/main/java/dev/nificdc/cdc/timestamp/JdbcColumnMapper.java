package dev.nificdc.cdc.timestamp;

import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.ValueKind;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Maps JDBC result columns to {@link ColumnSchema}s and reads their values as the canonical Java values of
 * {@link ValueKind}. Temporal values are read as java.time objects through {@link SqlDialect#readTemporal}, never as
 * java.sql.Timestamp, so the JVM's default time zone is never applied.
 */
public final class JdbcColumnMapper {
    /** Largest DECIMAL precision mapped to Avro decimal; larger or unknown precision (PostgreSQL bare numeric, Oracle NUMBER) become text. */
    static final int MAX_DECIMAL_PRECISION = 76;

    private JdbcColumnMapper() {
    }

    /** Reads one column of the current row. */
    @FunctionalInterface
    public interface ValueReader {
        Object read(ResultSet rs, int column) throws SQLException;
    }

    /** A result column: its schema and how to read it. */
    public record MappedColumn(ColumnSchema schema, int jdbcType, String typeName, ValueReader reader) {
    }

    public static List<MappedColumn> map(ResultSetMetaData md, SqlDialect dialect) throws SQLException {
        List<MappedColumn> columns = new ArrayList<>(md.getColumnCount());
        for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(map(md.getColumnLabel(i), md.getColumnType(i), md.getColumnTypeName(i), md.getPrecision(i),
                    md.getScale(i), md.isSigned(i), md.isNullable(i) != ResultSetMetaData.columnNoNulls, dialect));
        }
        return columns;
    }

    public static MappedColumn map(String name, int jdbcType, String typeName, int precision, int scale, boolean signed,
                                   boolean nullable, SqlDialect dialect) {
        String type = typeName == null ? "" : typeName;
        String lower = type.toLowerCase(Locale.ROOT);
        TimestampType temporal = TimestampType.of(jdbcType, type);
        if (temporal == TimestampType.OFFSET_DATE_TIME) {
            return new MappedColumn(ColumnSchema.of(name, ValueKind.TIMESTAMP_MICROS, nullable, type), jdbcType, type,
                    (rs, c) -> {
                        OffsetDateTime v = dialect.readTemporal(rs, c, OffsetDateTime.class);
                        return v == null ? null : micros(v.toEpochSecond(), v.getNano());
                    });
        }
        if (temporal == TimestampType.LOCAL_DATE_TIME && dialect == SqlDialect.MYSQL && lower.equals("timestamp")) {
            // a MySQL TIMESTAMP is an instant; the fetcher reads it in a UTC session, so its text is UTC
            return new MappedColumn(ColumnSchema.of(name, ValueKind.TIMESTAMP_MICROS, nullable, type), jdbcType, type,
                    (rs, c) -> {
                        LocalDateTime v = dialect.readTemporal(rs, c, LocalDateTime.class);
                        return v == null ? null : micros(v.toEpochSecond(ZoneOffset.UTC), v.getNano());
                    });
        }
        if (temporal == TimestampType.LOCAL_DATE_TIME) {
            return new MappedColumn(ColumnSchema.of(name, ValueKind.LOCAL_TIMESTAMP_MICROS, nullable, type), jdbcType, type,
                    (rs, c) -> {
                        LocalDateTime v = dialect.readTemporal(rs, c, LocalDateTime.class);
                        return v == null ? null : micros(v.toEpochSecond(ZoneOffset.UTC), v.getNano());
                    });
        }
        return switch (jdbcType) {
            case Types.BOOLEAN -> simple(name, ValueKind.BOOLEAN, nullable, type, jdbcType, JdbcColumnMapper::readBoolean);
            case Types.BIT -> precision <= 1 || lower.startsWith("bool")
                    ? simple(name, ValueKind.BOOLEAN, nullable, type, jdbcType, JdbcColumnMapper::readBoolean)
                    : simple(name, ValueKind.BYTES, nullable, type, jdbcType, ResultSet::getBytes);
            case Types.TINYINT, Types.SMALLINT -> simple(name, ValueKind.INT, nullable, type, jdbcType, JdbcColumnMapper::readInt);
            case Types.INTEGER -> signed && !lower.contains("unsigned")
                    ? simple(name, ValueKind.INT, nullable, type, jdbcType, JdbcColumnMapper::readInt)
                    : simple(name, ValueKind.LONG, nullable, type, jdbcType, JdbcColumnMapper::readLong);
            case Types.BIGINT -> signed && !lower.contains("unsigned")
                    ? simple(name, ValueKind.LONG, nullable, type, jdbcType, JdbcColumnMapper::readLong)
                    : decimal(name, 20, 0, nullable, type, jdbcType);
            case Types.REAL -> simple(name, ValueKind.FLOAT, nullable, type, jdbcType, (rs, c) -> {
                float v = rs.getFloat(c);
                return rs.wasNull() ? null : v;
            });
            case Types.FLOAT, Types.DOUBLE -> simple(name, ValueKind.DOUBLE, nullable, type, jdbcType, (rs, c) -> {
                double v = rs.getDouble(c);
                return rs.wasNull() ? null : v;
            });
            case Types.NUMERIC, Types.DECIMAL -> precision > 0 && precision <= MAX_DECIMAL_PRECISION && scale >= 0 && scale <= precision
                    ? decimal(name, precision, scale, nullable, type, jdbcType)
                    : simple(name, ValueKind.STRING, nullable, type, jdbcType, (rs, c) -> {
                        BigDecimal v = rs.getBigDecimal(c);
                        return v == null ? null : v.toPlainString();
                    });
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB ->
                    simple(name, ValueKind.BYTES, nullable, type, jdbcType, ResultSet::getBytes);
            case Types.DATE -> lower.equals("year")
                    ? simple(name, ValueKind.INT, nullable, type, jdbcType, JdbcColumnMapper::readInt)
                    : simple(name, ValueKind.DATE, nullable, type, jdbcType, (rs, c) -> {
                        LocalDate v = dialect.readTemporal(rs, c, LocalDate.class);
                        return v == null ? null : Math.toIntExact(v.toEpochDay());
                    });
            case Types.TIME -> simple(name, ValueKind.TIME_MICROS, nullable, type, jdbcType, (rs, c) -> {
                String v = rs.getString(c);
                return v == null ? null : parseTimeMicros(v);
            });
            default -> simple(name, ValueKind.STRING, nullable, type, jdbcType, ResultSet::getString);
        };
    }

    private static MappedColumn simple(String name, ValueKind kind, boolean nullable, String type, int jdbcType, ValueReader reader) {
        return new MappedColumn(ColumnSchema.of(name, kind, nullable, type), jdbcType, type, reader);
    }

    private static MappedColumn decimal(String name, int precision, int scale, boolean nullable, String type, int jdbcType) {
        return new MappedColumn(ColumnSchema.decimal(name, precision, scale, nullable, type), jdbcType, type, (rs, c) -> {
            BigDecimal v = rs.getBigDecimal(c);
            return v == null ? null : v.setScale(scale, RoundingMode.UNNECESSARY);
        });
    }

    private static Object readBoolean(ResultSet rs, int c) throws SQLException {
        boolean v = rs.getBoolean(c);
        return rs.wasNull() ? null : v;
    }

    private static Object readInt(ResultSet rs, int c) throws SQLException {
        int v = rs.getInt(c);
        return rs.wasNull() ? null : v;
    }

    private static Object readLong(ResultSet rs, int c) throws SQLException {
        long v = rs.getLong(c);
        return rs.wasNull() ? null : v;
    }

    /**
     * The canonical value of a date-time read with {@link SqlDialect#readTemporal}, exactly as this mapper's reader of
     * the same column produces it: micros for a LocalDateTime (as UTC) or OffsetDateTime, epoch days for a LocalDate.
     */
    static Object canonical(java.time.temporal.Temporal value) {
        return switch (value) {
            case null -> null;
            case LocalDateTime v -> micros(v.toEpochSecond(ZoneOffset.UTC), v.getNano());
            case OffsetDateTime v -> micros(v.toEpochSecond(), v.getNano());
            case LocalDate v -> Math.toIntExact(v.toEpochDay());
            default -> throw new IllegalArgumentException("Not a date-time value of a timestamp column: " + value.getClass().getName());
        };
    }

    static long micros(long epochSecond, int nano) {
        return Math.addExact(Math.multiplyExact(epochSecond, 1_000_000L), nano / 1_000);
    }

    /** Parses {@code [-]H+:MM:SS[.f+]} (MySQL TIME spans -838:59:59 to 838:59:59) into signed microseconds. */
    static long parseTimeMicros(String text) {
        String t = text.trim();
        boolean negative = t.startsWith("-");
        if (negative) {
            t = t.substring(1);
        }
        String[] hms = t.split(":");
        if (hms.length != 3) {
            throw new IllegalArgumentException("Not a time value: " + text);
        }
        long hours = Long.parseLong(hms[0]);
        long minutes = Long.parseLong(hms[1]);
        String secPart = hms[2];
        int plus = indexOfZone(secPart);
        if (plus >= 0) {
            secPart = secPart.substring(0, plus);
        }
        long micros = 0;
        int dot = secPart.indexOf('.');
        long seconds;
        if (dot >= 0) {
            seconds = Long.parseLong(secPart.substring(0, dot));
            String frac = (secPart.substring(dot + 1) + "000000").substring(0, 6);
            micros = Long.parseLong(frac);
        } else {
            seconds = Long.parseLong(secPart);
        }
        long total = ((hours * 60 + minutes) * 60 + seconds) * 1_000_000L + micros;
        return negative ? -total : total;
    }

    private static int indexOfZone(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '+' || ch == '-' || ch == 'Z') {
                return i;
            }
        }
        return -1;
    }
}
