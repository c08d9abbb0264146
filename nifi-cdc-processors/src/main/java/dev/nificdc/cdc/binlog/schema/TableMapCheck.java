package dev.nificdc.cdc.binlog.schema;

import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventMetadata;
import dev.nificdc.cdc.binlog.convert.MySqlCharsets;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.BIT;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.BLOB;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.DATETIME2;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.DOUBLE;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.FLOAT;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.INT24;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.LONG;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.LONGLONG;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.NEWDECIMAL;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.SHORT;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.STRING;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.TIME2;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.TIMESTAMP2;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.TINY;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.VARCHAR;

/**
 * Compares a TABLE_MAP event that names no columns with the table's definition (a synthesized TABLE_MAP with full
 * metadata): the column count, each column's type and the metadata the event always carries (DECIMAL precision and
 * scale, CHAR/VARCHAR length in bytes, TEXT/BLOB size, BIT length, fractional seconds), and, when the event carries
 * MINIMAL metadata, signedness and charsets. Equal means the definition may name the event's columns; a change that
 * keeps all of these (a rename, new ENUM labels, a changed default) cannot be seen.
 */
final class TableMapCheck {
    private TableMapCheck() {
    }

    /** What differs, for the user; null when the event matches the definition. */
    static String mismatch(TableMapEventData event, TableDefinition definition, boolean mariaDb, MySqlCharsets charsets) {
        String table = event.getDatabase() + "." + event.getTable();
        if (definition == null) {
            return "information_schema lists no column of " + table + " (the table was dropped or renamed since these rows"
                    + " were written, or the capture user lacks SELECT on it), so the binlog's columns (" + found(event) + ") cannot be named";
        }
        TableMapEventData expected = definition.tableMap();
        byte[] types = event.getColumnTypes();
        if (types.length != expected.getColumnTypes().length) {
            return "the binlog has " + types.length + " columns (" + found(event) + ") where information_schema lists "
                    + expected.getColumnTypes().length + " (" + String.join(", ", definition.declaredColumns()) + ")";
        }
        TableMapEventMetadata eventMeta = event.getEventMetadata();
        TableMapEventMetadata expectedMeta = expected.getEventMetadata();
        Map<Integer, Integer> eventCollations = TableSchemaResolver.characterCollations(event, mariaDb);
        Map<Integer, Integer> expectedCollations = TableSchemaResolver.characterCollations(expected, mariaDb);
        for (int i = 0; i < types.length; i++) {
            int type = types[i] & 0xFF;
            int meta = event.getColumnMetadata()[i];
            String difference = null;
            if (!definition.uncheckedTypes().get(i)) {
                difference = typeDifference(type, meta, expected.getColumnTypes()[i] & 0xFF, expected.getColumnMetadata()[i]);
            }
            if (difference == null && eventMeta != null && eventMeta.getSignedness() != null && isNumeric(type)
                    && eventMeta.getSignedness().get(i) != signedness(expectedMeta).get(i)) {
                difference = eventMeta.getSignedness().get(i) ? "unsigned" : "signed";
            }
            if (difference == null && eventCollations.containsKey(i) && expectedCollations.containsKey(i)
                    && !charset(charsets, eventCollations.get(i)).equals(charset(charsets, expectedCollations.get(i)))) {
                difference = BinlogColumnTypes.name(type, meta) + " charset " + charset(charsets, eventCollations.get(i));
            }
            if (difference != null) {
                return "column " + (i + 1) + " is " + difference + " in the binlog but " + definition.declaredColumns().get(i)
                        + " in information_schema (binlog: " + found(event) + "; information_schema: "
                        + String.join(", ", definition.declaredColumns()) + ")";
            }
        }
        return null;
    }

    /** The binlog's type when it differs from the expected one in family or in the metadata that fixes its layout. */
    private static String typeDifference(int type, int meta, int expectedType, int expectedMeta) {
        int real = BinlogColumnTypes.realType(type, meta);
        int expectedReal = BinlogColumnTypes.realType(expectedType, expectedMeta);
        boolean same = BinlogColumnTypes.family(real) == BinlogColumnTypes.family(expectedReal);
        if (same) {
            same = switch (real) {
                case NEWDECIMAL, VARCHAR, BIT -> meta == expectedMeta;
                case BLOB -> meta == expectedMeta; // the size: TINY, plain, MEDIUM or LONG
                case STRING -> BinlogColumnTypes.stringLength(type, meta) == BinlogColumnTypes.stringLength(expectedType, expectedMeta);
                case TIME2, DATETIME2, TIMESTAMP2 -> expectedReal != real || meta == expectedMeta;
                default -> true;
            };
        }
        return same ? null : BinlogColumnTypes.name(type, meta);
    }

    private static boolean isNumeric(int type) {
        return switch (type) {
            case TINY, SHORT, INT24, LONG, LONGLONG, FLOAT, DOUBLE, NEWDECIMAL -> true;
            default -> false;
        };
    }

    private static BitSet signedness(TableMapEventMetadata meta) {
        return meta == null || meta.getSignedness() == null ? new BitSet() : meta.getSignedness();
    }

    private static String charset(MySqlCharsets charsets, int collation) {
        return collation == MySqlCharsets.BINARY_COLLATION ? "binary" : charsets.charsetName(collation).orElse("collation " + collation);
    }

    /** The event's columns as the binlog describes them. */
    static String found(TableMapEventData event) {
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < event.getColumnTypes().length; i++) {
            columns.add(BinlogColumnTypes.name(event.getColumnTypes()[i] & 0xFF, event.getColumnMetadata()[i]));
        }
        return String.join(", ", columns);
    }
}
