package dev.nificdc.cdc.postgres.types;

/**
 * Decodes a column's type modifier ({@code atttypmod}, -1 when none) as PostgreSQL's own {@code format_type} does,
 * so {@code sourceType} reads like the column's declaration: {@code numeric(10,2)}, {@code character varying(20)},
 * {@code timestamp(3) with time zone}, {@code interval day to second(3)}, {@code bit varying(12)}.
 */
final class PgTypmod {
    /** The header length PostgreSQL adds to numeric and character typmods (VARHDRSZ). */
    private static final int VARHDRSZ = 4;
    private static final int INTERVAL_FULL_RANGE = 0x7FFF;
    private static final int INTERVAL_FULL_PRECISION = 0xFFFF;
    // Interval field bits, from PostgreSQL's datetime.h (MONTH 1, YEAR 2, DAY 3, HOUR 10, MINUTE 11, SECOND 12).
    private static final int MONTH = 1 << 1;
    private static final int YEAR = 1 << 2;
    private static final int DAY = 1 << 3;
    private static final int HOUR = 1 << 10;
    private static final int MINUTE = 1 << 11;
    private static final int SECOND = 1 << 12;

    private PgTypmod() {
    }

    /** Declared numeric precision, or 0 for an unconstrained numeric. */
    static int numericPrecision(int typmod) {
        return typmod < VARHDRSZ ? 0 : ((typmod - VARHDRSZ) >> 16) & 0xFFFF;
    }

    /** Declared numeric scale (negative scales exist since PostgreSQL 15), or 0 for an unconstrained numeric. */
    static int numericScale(int typmod) {
        return typmod < VARHDRSZ ? 0 : (((typmod - VARHDRSZ) & 0x7FF) ^ 1024) - 1024;
    }

    /** Declared length of bit/varbit (the typmod itself) or of character types (typmod minus the header), else -1. */
    static int length(PgBuiltinType type, int typmod) {
        if (typmod < 0) {
            return -1;
        }
        return type == PgBuiltinType.BIT || type == PgBuiltinType.VARBIT ? typmod : typmod - VARHDRSZ;
    }

    /** The declaration of a built-in type with {@code typmod}. */
    static String declaration(PgBuiltinType type, int typmod) {
        if (typmod < 0) {
            return type == PgBuiltinType.BPCHAR ? "bpchar" : type.sqlName;
        }
        return switch (type) {
            case NUMERIC -> "numeric(" + numericPrecision(typmod) + "," + numericScale(typmod) + ")";
            case BPCHAR, VARCHAR, BIT, VARBIT -> type.sqlName + "(" + length(type, typmod) + ")";
            case TIME, TIMESTAMP -> withPrecision(type.sqlName, typmod, " without time zone");
            case TIMETZ, TIMESTAMPTZ -> withPrecision(type.sqlName, typmod, " with time zone");
            case INTERVAL -> interval(typmod);
            default -> type.sqlName;
        };
    }

    private static String withPrecision(String sqlName, int precision, String zoneSuffix) {
        String base = sqlName.substring(0, sqlName.length() - zoneSuffix.length());
        return base + "(" + precision + ")" + zoneSuffix;
    }

    private static String interval(int typmod) {
        int range = (typmod >> 16) & INTERVAL_FULL_RANGE;
        int precision = typmod & 0xFFFF;
        String fields = switch (range) {
            case YEAR -> " year";
            case MONTH -> " month";
            case DAY -> " day";
            case HOUR -> " hour";
            case MINUTE -> " minute";
            case SECOND -> " second";
            case YEAR | MONTH -> " year to month";
            case DAY | HOUR -> " day to hour";
            case DAY | HOUR | MINUTE -> " day to minute";
            case DAY | HOUR | MINUTE | SECOND -> " day to second";
            case HOUR | MINUTE -> " hour to minute";
            case HOUR | MINUTE | SECOND -> " hour to second";
            case MINUTE | SECOND -> " minute to second";
            default -> "";
        };
        return "interval" + fields + (precision == INTERVAL_FULL_PRECISION ? "" : "(" + precision + ")");
    }
}
