package dev.nificdc.cdc.postgres.types;

import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.ValueKind;

import java.math.BigDecimal;
import java.util.function.Function;

/**
 * STAND-IN until branch i18t lands the PostgreSQL type mapping: one resolved column type, its column schema and the
 * canonical value of its text output. Covers only what the engine's first tests use.
 */
public record PgColumnType(String sourceType, ValueKind kind, int precision, int scale, Function<String, Object> parser) {

    public ColumnSchema column(String name, boolean nullable) {
        return new ColumnSchema(name, kind, nullable, precision, scale, sourceType);
    }

    public Object fromText(String text) {
        return text == null ? null : parser.apply(text);
    }

    static PgColumnType of(int oid, int typmod, String name) {
        return switch (oid) {
            case 16 -> new PgColumnType("boolean", ValueKind.BOOLEAN, 0, 0, t -> t.equals("t"));
            case 21, 23 -> new PgColumnType(oid == 21 ? "smallint" : "integer", ValueKind.INT, 0, 0, Integer::valueOf);
            case 20 -> new PgColumnType("bigint", ValueKind.LONG, 0, 0, Long::valueOf);
            case 1700 -> typmod >= 4
                    ? new PgColumnType("numeric(" + ((typmod - 4) >> 16) + "," + ((typmod - 4) & 0xffff) + ")", ValueKind.DECIMAL,
                    (typmod - 4) >> 16, (typmod - 4) & 0xffff, BigDecimal::new)
                    : new PgColumnType("numeric", ValueKind.STRING, 0, 0, t -> t);
            case 17 -> new PgColumnType("bytea", ValueKind.BYTES, 0, 0, PgColumnType::hex);
            default -> new PgColumnType(name, ValueKind.STRING, 0, 0, t -> t);
        };
    }

    private static byte[] hex(String text) {
        String hex = text.substring(2);
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
