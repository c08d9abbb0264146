package dev.nificdc.cdc.postgres.types;

import java.util.HashMap;
import java.util.Map;

/**
 * The built-in PostgreSQL types nifi-cdc maps specially, by their OIDs (fixed in {@code pg_type.dat} across versions),
 * with the SQL name {@code format_type} gives them.
 */
enum PgBuiltinType {
    BOOL(16, "boolean"),
    BYTEA(17, "bytea"),
    CHAR(18, "\"char\""),
    NAME(19, "name"),
    INT8(20, "bigint"),
    INT2(21, "smallint"),
    INT4(23, "integer"),
    TEXT(25, "text"),
    OID(26, "oid"),
    JSON(114, "json"),
    XML(142, "xml"),
    CIDR(650, "cidr"),
    FLOAT4(700, "real"),
    FLOAT8(701, "double precision"),
    MACADDR8(774, "macaddr8"),
    MONEY(790, "money"),
    MACADDR(829, "macaddr"),
    INET(869, "inet"),
    BPCHAR(1042, "character"),
    VARCHAR(1043, "character varying"),
    DATE(1082, "date"),
    TIME(1083, "time without time zone"),
    TIMESTAMP(1114, "timestamp without time zone"),
    TIMESTAMPTZ(1184, "timestamp with time zone"),
    INTERVAL(1186, "interval"),
    TIMETZ(1266, "time with time zone"),
    BIT(1560, "bit"),
    VARBIT(1562, "bit varying"),
    NUMERIC(1700, "numeric"),
    UUID(2950, "uuid"),
    JSONB(3802, "jsonb");

    private static final Map<Integer, PgBuiltinType> BY_OID = new HashMap<>();

    static {
        for (PgBuiltinType type : values()) {
            BY_OID.put(type.oid, type);
        }
    }

    final int oid;
    final String sqlName;

    PgBuiltinType(int oid, String sqlName) {
        this.oid = oid;
        this.sqlName = sqlName;
    }

    /** The built-in type of {@code oid}, or null. */
    static PgBuiltinType of(int oid) {
        return BY_OID.get(oid);
    }
}
