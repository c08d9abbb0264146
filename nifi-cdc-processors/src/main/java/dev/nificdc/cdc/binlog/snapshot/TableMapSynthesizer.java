package dev.nificdc.cdc.binlog.snapshot;

import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventMetadata;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Describes a table as the TABLE_MAP event with {@code binlog_row_metadata=FULL} would: column type codes and
 * metadata, null bitmap, names, signedness, collations, ENUM/SET labels and primary key, all read from
 * {@code information_schema}. The binlog engine's {@link dev.nificdc.cdc.binlog.schema.TableSchemaResolver} turns it
 * into the same {@link dev.nificdc.cdc.record.TableSchema} a streamed change of the table gets, so snapshot rows and
 * streamed rows share one schema.
 */
final class TableMapSynthesizer {
    // binlog column type codes (as in the engine's TableSchemaResolver)
    private static final int TINY = 1, SHORT = 2, LONG = 3, FLOAT = 4, DOUBLE = 5, LONGLONG = 8, INT24 = 9, DATE = 10,
            YEAR = 13, VARCHAR = 15, BIT = 16, TIMESTAMP2 = 17, DATETIME2 = 18, TIME2 = 19, JSON = 245, NEWDECIMAL = 246,
            ENUM = 247, SET = 248, BLOB = 252, STRING = 254, GEOMETRY = 255;
    private static final int BINARY_COLLATION = 63;
    private static final Pattern LABEL = Pattern.compile("'((?:[^']|'')*)'");

    private static final String COLUMNS = """
            SELECT c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.IS_NULLABLE, c.NUMERIC_PRECISION, c.NUMERIC_SCALE,
                   c.DATETIME_PRECISION, c.CHARACTER_OCTET_LENGTH, co.ID
            FROM information_schema.COLUMNS c
            LEFT JOIN information_schema.COLLATIONS co ON co.COLLATION_NAME = c.COLLATION_NAME
            WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = ? ORDER BY c.ORDINAL_POSITION""";
    private static final String PRIMARY_KEY = """
            SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
            WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION""";

    private TableMapSynthesizer() {
    }

    /** The synthetic TABLE_MAP of {@code table}; throws when the table has no visible columns. */
    static TableMapEventData describe(Connection connection, SnapshotTable table) throws SQLException {
        List<String> names = new ArrayList<>();
        List<Byte> types = new ArrayList<>();
        List<Integer> metadata = new ArrayList<>();
        BitSet nullable = new BitSet();
        BitSet unsigned = new BitSet();
        List<Integer> charsets = new ArrayList<>();
        List<String[]> enums = new ArrayList<>();
        List<String[]> sets = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(COLUMNS)) {
            s.setString(1, table.database());
            s.setString(2, table.table());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    int i = names.size();
                    names.add(rs.getString(1));
                    String dataType = rs.getString(2).toLowerCase(Locale.ROOT);
                    String declaredType = rs.getString(3);
                    String columnType = declaredType.toLowerCase(Locale.ROOT);
                    if ("YES".equalsIgnoreCase(rs.getString(4))) {
                        nullable.set(i);
                    }
                    if (columnType.contains("unsigned")) {
                        unsigned.set(i);
                    }
                    int precision = rs.getInt(5);
                    int scale = rs.getInt(6);
                    int fsp = rs.getInt(7);
                    long octets = rs.getLong(8);
                    Integer collation = rs.getObject(9) == null ? null : rs.getInt(9);
                    int collationId = collation == null ? BINARY_COLLATION : collation;
                    int type;
                    int meta = 0;
                    switch (dataType) {
                        case "tinyint", "bool", "boolean" -> type = TINY;
                        case "smallint" -> type = SHORT;
                        case "mediumint" -> type = INT24;
                        case "int", "integer" -> type = LONG;
                        case "bigint" -> type = LONGLONG;
                        case "float" -> {
                            type = FLOAT;
                            meta = 4;
                        }
                        case "double", "real", "double precision" -> {
                            type = DOUBLE;
                            meta = 8;
                        }
                        case "decimal", "numeric", "fixed" -> {
                            type = NEWDECIMAL;
                            meta = (scale << 8) | precision;
                        }
                        case "date" -> type = DATE;
                        case "time" -> {
                            type = TIME2;
                            meta = fsp;
                        }
                        case "datetime" -> {
                            type = DATETIME2;
                            meta = fsp;
                        }
                        case "timestamp" -> {
                            type = TIMESTAMP2;
                            meta = fsp;
                        }
                        case "year" -> type = YEAR;
                        case "bit" -> {
                            type = BIT;
                            int bits = precision;
                            meta = ((bits / 8) << 8) | (bits % 8);
                        }
                        case "json" -> type = JSON;
                        case "enum", "set" -> {
                            boolean isEnum = dataType.equals("enum");
                            type = STRING;
                            meta = ((isEnum ? ENUM : SET) << 8) | 1;
                            (isEnum ? enums : sets).add(labels(declaredType));
                        }
                        case "char", "binary" -> {
                            type = STRING;
                            int length = (int) octets;
                            int meta0 = STRING ^ ((length & 0x300) >> 4);
                            meta = (meta0 << 8) | (length & 0xFF);
                            charsets.add(dataType.equals("binary") ? BINARY_COLLATION : collationId);
                        }
                        case "varchar", "varbinary" -> {
                            type = VARCHAR;
                            meta = (int) Math.min(octets, 65535);
                            charsets.add(dataType.equals("varbinary") ? BINARY_COLLATION : collationId);
                        }
                        case "tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob", "longblob" -> {
                            type = BLOB;
                            meta = dataType.startsWith("tiny") ? 1 : dataType.startsWith("medium") ? 3 : dataType.startsWith("long") ? 4 : 2;
                            charsets.add(dataType.endsWith("blob") ? BINARY_COLLATION : collationId);
                        }
                        case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
                             "geometrycollection", "geomcollection" -> {
                            type = GEOMETRY;
                            meta = 4;
                        }
                        default -> {
                            // e.g. MariaDB's UUID, INET4/INET6: read as text
                            type = VARCHAR;
                            meta = (int) Math.min(Math.max(octets, 1), 65535);
                            charsets.add(collation == null ? 45 : collationId);
                        }
                    }
                    types.add((byte) type);
                    metadata.add(meta);
                }
            }
        }
        if (names.isEmpty()) {
            throw new SQLException("information_schema lists no columns for " + table + ": the table was dropped, or the"
                    + " capture user lacks SELECT on it");
        }
        List<Integer> primaryKey = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(PRIMARY_KEY)) {
            s.setString(1, table.database());
            s.setString(2, table.table());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    primaryKey.add(names.indexOf(rs.getString(1)));
                }
            }
        }
        TableMapEventMetadata meta = new TableMapEventMetadata();
        meta.setColumnNames(names);
        meta.setSignedness(unsigned);
        meta.setColumnCharsets(charsets);
        meta.setEnumStrValues(enums);
        meta.setSetStrValues(sets);
        meta.setSimplePrimaryKeys(primaryKey);
        TableMapEventData data = new TableMapEventData();
        data.setDatabase(table.database());
        data.setTable(table.table());
        byte[] typeCodes = new byte[types.size()];
        for (int i = 0; i < typeCodes.length; i++) {
            typeCodes[i] = types.get(i);
        }
        data.setColumnTypes(typeCodes);
        data.setColumnMetadata(metadata.stream().mapToInt(Integer::intValue).toArray());
        data.setColumnNullability(nullable);
        data.setEventMetadata(meta);
        return data;
    }

    /** The labels of {@code enum('a','b''c')} in order, unquoted. */
    static String[] labels(String columnType) {
        int open = columnType.indexOf('(');
        List<String> labels = new ArrayList<>();
        if (open >= 0) {
            Matcher m = LABEL.matcher(columnType.substring(open));
            while (m.find()) {
                labels.add(m.group(1).replace("''", "'"));
            }
        }
        return labels.toArray(String[]::new);
    }
}
