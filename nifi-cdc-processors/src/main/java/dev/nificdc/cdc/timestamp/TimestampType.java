package dev.nificdc.cdc.timestamp;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.Temporal;
import java.util.Locale;

/**
 * How the timestamp column's values are read, compared, bound and stored. Values are java.time objects read with
 * {@link SqlDialect#readTemporal}, so no JVM time zone is applied anywhere; in state they are ISO-8601
 * text with every fractional digit the database returned.
 */
public enum TimestampType {
    /** TIMESTAMP / DATETIME / TIMESTAMP WITHOUT TIME ZONE: a wall-clock {@link LocalDateTime}. */
    LOCAL_DATE_TIME(LocalDateTime.class, DateTimeFormatter.ISO_LOCAL_DATE_TIME),
    /** TIMESTAMP WITH TIME ZONE / timestamptz / datetimeoffset: an {@link OffsetDateTime} (an instant). */
    OFFSET_DATE_TIME(OffsetDateTime.class, DateTimeFormatter.ISO_OFFSET_DATE_TIME),
    /** DATE: a {@link LocalDate}; a day is one big tie, delivered once the whole day is older than the commit lag. */
    DATE(LocalDate.class, DateTimeFormatter.ISO_LOCAL_DATE);

    private final Class<? extends Temporal> javaType;
    private final DateTimeFormatter format;

    TimestampType(Class<? extends Temporal> javaType, DateTimeFormatter format) {
        this.javaType = javaType;
        this.format = format;
    }

    public Class<? extends Temporal> javaType() {
        return javaType;
    }

    /**
     * The timestamp type for a column, or null when the column cannot serve as the timestamp column.
     *
     * @param jdbcType java.sql.Types code from ResultSetMetaData
     * @param typeName the database type name (PostgreSQL reports timestamptz as Types.TIMESTAMP)
     */
    public static TimestampType of(int jdbcType, String typeName) {
        String name = typeName == null ? "" : typeName.toLowerCase(Locale.ROOT);
        if (jdbcType == Types.TIMESTAMP_WITH_TIMEZONE || name.equals("timestamptz") || name.contains("with time zone")
                || name.equals("datetimeoffset")) {
            return name.contains("local time zone") ? LOCAL_DATE_TIME : OFFSET_DATE_TIME;
        }
        return switch (jdbcType) {
            case Types.TIMESTAMP -> LOCAL_DATE_TIME;
            case Types.DATE -> name.equals("year") ? null : DATE;
            default -> null;
        };
    }

    /** Reads the column's value (null when SQL NULL). */
    public Temporal read(ResultSet rs, int column, SqlDialect dialect) throws SQLException {
        return dialect.readTemporal(rs, column, javaType);
    }

    /** ISO-8601 text with all fractional digits. */
    public String format(Temporal value) {
        return format.format(value);
    }

    public Temporal parse(String text) {
        return switch (this) {
            case LOCAL_DATE_TIME -> LocalDateTime.parse(text, format);
            case OFFSET_DATE_TIME -> OffsetDateTime.parse(text, format);
            case DATE -> LocalDate.parse(text, format);
        };
    }

    /**
     * Parses a user-given initial timestamp, accepting {@code 2024-01-31 10:15:30.123456} as well as ISO {@code T}
     * and, for OFFSET_DATE_TIME, a missing offset meaning UTC.
     */
    public Temporal parseUserInput(String text) {
        String iso = text.trim().replace(' ', 'T');
        return switch (this) {
            case LOCAL_DATE_TIME -> iso.length() == 10 ? LocalDate.parse(iso).atStartOfDay() : LocalDateTime.parse(iso);
            case OFFSET_DATE_TIME -> {
                try {
                    yield OffsetDateTime.parse(iso);
                } catch (RuntimeException e) {
                    yield (iso.length() == 10 ? LocalDate.parse(iso).atStartOfDay() : LocalDateTime.parse(iso))
                            .atOffset(java.time.ZoneOffset.UTC);
                }
            }
            case DATE -> LocalDate.parse(iso.length() > 10 ? iso.substring(0, 10) : iso);
        };
    }

    /** {@code value - lag}, exact (a DATE drops whole days: the day of {@code value - lag}). */
    public Temporal minus(Temporal value, Duration lag) {
        return switch (this) {
            case LOCAL_DATE_TIME -> ((LocalDateTime) value).minus(lag);
            case OFFSET_DATE_TIME -> ((OffsetDateTime) value).minus(lag);
            case DATE -> value instanceof LocalDateTime ldt ? ldt.minus(lag).toLocalDate() : ((LocalDate) value);
        };
    }

    /** Compares two values of this type (OffsetDateTime by instant). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public int compare(Temporal a, Temporal b) {
        if (this == OFFSET_DATE_TIME) {
            return ((OffsetDateTime) a).toInstant().compareTo(((OffsetDateTime) b).toInstant());
        }
        return ((Comparable) a).compareTo(b);
    }

    /** The class the database clock is read as for this type (DATE reads a date-time, then takes its day). */
    Class<? extends Temporal> clockType() {
        return this == DATE ? LocalDateTime.class : javaType;
    }

    /** A clock reading (date-time with or without offset) as ISO-8601 text, for messages. */
    public static String formatClock(Temporal value) {
        return value instanceof OffsetDateTime offset ? DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(offset)
                : value instanceof LocalDateTime local ? DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(local) : String.valueOf(value);
    }

    /** Epoch milliseconds of a value, reading a wall-clock value as if it were UTC (for the envelope's source.ts_ms). */
    public long epochMillis(Temporal value) {
        return switch (this) {
            case LOCAL_DATE_TIME -> ((LocalDateTime) value).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
            case OFFSET_DATE_TIME -> ((OffsetDateTime) value).toInstant().toEpochMilli();
            case DATE -> ((LocalDate) value).toEpochDay() * ChronoUnit.DAYS.getDuration().toMillis();
        };
    }
}
