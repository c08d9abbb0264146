package dev.nificdc.cdc.binlog.schema;

/**
 * The column type codes of TABLE_MAP events (MySQL {@code field_types.h}) and what their metadata means: the type a
 * STRING column really has (CHAR, BINARY, ENUM, SET) and its length, and a readable name for messages.
 */
public final class BinlogColumnTypes {
    public static final int DECIMAL = 0, TINY = 1, SHORT = 2, LONG = 3, FLOAT = 4, DOUBLE = 5, TIMESTAMP = 7, LONGLONG = 8,
            INT24 = 9, DATE = 10, TIME = 11, DATETIME = 12, YEAR = 13, NEWDATE = 14, VARCHAR = 15, BIT = 16,
            TIMESTAMP2 = 17, DATETIME2 = 18, TIME2 = 19, VECTOR = 242, JSON = 245, NEWDECIMAL = 246, ENUM = 247,
            SET = 248, TINY_BLOB = 249, MEDIUM_BLOB = 250, LONG_BLOB = 251, BLOB = 252, VAR_STRING = 253,
            STRING = 254, GEOMETRY = 255;

    private BinlogColumnTypes() {
    }

    /** The type a column really has: a STRING column's metadata may say ENUM or SET, or hold a CHAR's long length. */
    public static int realType(int type, int meta) {
        if (type == STRING && meta >= 256) {
            int meta0 = meta >> 8;
            if ((meta0 & 0x30) != 0x30) {
                return meta0 | 0x30;
            }
            if (meta0 == ENUM || meta0 == SET) {
                return meta0;
            }
        }
        return type;
    }

    /** The maximum length in bytes of a CHAR/BINARY (STRING) column. */
    public static int stringLength(int type, int meta) {
        if (type != STRING || meta < 256) {
            return meta;
        }
        int meta0 = meta >> 8;
        int meta1 = meta & 0xFF;
        return (meta0 & 0x30) != 0x30 ? meta1 | (((meta0 & 0x30) ^ 0x30) << 4) : meta1;
    }

    /**
     * The type family: codes that differ only in their on-disk encoding (DATETIME and DATETIME2, VARCHAR and
     * VAR_STRING, the BLOB sizes, ...) share one.
     */
    static int family(int realType) {
        return switch (realType) {
            case NEWDECIMAL -> DECIMAL;
            case NEWDATE -> DATE;
            case TIME2 -> TIME;
            case DATETIME2 -> DATETIME;
            case TIMESTAMP2 -> TIMESTAMP;
            case VAR_STRING -> VARCHAR;
            case TINY_BLOB, MEDIUM_BLOB, LONG_BLOB -> BLOB;
            default -> realType;
        };
    }

    /** A readable name of the column's type as the binlog describes it, e.g. {@code varchar(40 bytes)} or {@code decimal(10,2)}. */
    static String name(int type, int meta) {
        int real = realType(type, meta);
        return switch (real) {
            case TINY -> "tinyint";
            case SHORT -> "smallint";
            case INT24 -> "mediumint";
            case LONG -> "int";
            case LONGLONG -> "bigint";
            case FLOAT -> "float";
            case DOUBLE -> "double";
            case NEWDECIMAL -> "decimal(" + (meta & 0xFF) + "," + (meta >> 8) + ")";
            case DECIMAL -> "decimal";
            case DATE, NEWDATE -> "date";
            case TIME -> "time";
            case TIME2 -> meta > 0 ? "time(" + meta + ")" : "time";
            case DATETIME -> "datetime";
            case DATETIME2 -> meta > 0 ? "datetime(" + meta + ")" : "datetime";
            case TIMESTAMP -> "timestamp";
            case TIMESTAMP2 -> meta > 0 ? "timestamp(" + meta + ")" : "timestamp";
            case YEAR -> "year";
            case BIT -> "bit(" + ((meta >> 8) * 8 + (meta & 0xFF)) + ")";
            case VARCHAR, VAR_STRING -> "varchar(" + meta + " bytes)";
            case STRING -> "char(" + stringLength(type, meta) + " bytes)";
            case ENUM -> "enum";
            case SET -> "set";
            case BLOB, TINY_BLOB, MEDIUM_BLOB, LONG_BLOB -> switch (meta) {
                case 1 -> "tinyblob/tinytext";
                case 3 -> "mediumblob/mediumtext";
                case 4 -> "longblob/longtext";
                default -> "blob/text";
            };
            case JSON -> "json";
            case GEOMETRY -> "geometry";
            case VECTOR -> "vector";
            default -> "type " + real;
        };
    }
}
