package dev.nificdc.cdc.postgres.types;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Type modifiers as pg_attribute.atttypmod holds them, decoded as format_type prints them. */
class PgTypmodTest {
    @Test
    void declarationsReadLikeFormatType() {
        assertEquals("numeric(10,2)", PgTypmod.declaration(PgBuiltinType.NUMERIC, (10 << 16 | 2) + 4));
        // PostgreSQL 15+: negative scale, stored in 11 bits
        assertEquals("numeric(5,-3)", PgTypmod.declaration(PgBuiltinType.NUMERIC, (5 << 16 | (-3 & 0x7FF)) + 4));
        assertEquals("numeric", PgTypmod.declaration(PgBuiltinType.NUMERIC, -1));
        assertEquals("character varying(20)", PgTypmod.declaration(PgBuiltinType.VARCHAR, 24));
        assertEquals("bpchar", PgTypmod.declaration(PgBuiltinType.BPCHAR, -1));
        assertEquals("bit varying(12)", PgTypmod.declaration(PgBuiltinType.VARBIT, 12));
        assertEquals("timestamp(3) with time zone", PgTypmod.declaration(PgBuiltinType.TIMESTAMPTZ, 3));
        assertEquals("time(0) without time zone", PgTypmod.declaration(PgBuiltinType.TIME, 0));
        // interval day to second(3): range DAY|HOUR|MINUTE|SECOND in the high half, precision in the low
        assertEquals("interval day to second(3)", PgTypmod.declaration(PgBuiltinType.INTERVAL, ((1 << 3 | 1 << 10 | 1 << 11 | 1 << 12) << 16) | 3));
        assertEquals("interval year to month", PgTypmod.declaration(PgBuiltinType.INTERVAL, ((1 << 2 | 1 << 1) << 16) | 0xFFFF));
    }
}
