package dev.nificdc.cdc.binlog.schema;

import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventMetadata;

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

import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.BIT;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.BLOB;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.DATE;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.DATETIME2;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.DOUBLE;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.ENUM;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.FLOAT;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.GEOMETRY;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.INT24;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.JSON;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.LONG;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.LONGLONG;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.NEWDECIMAL;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.SET;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.SHORT;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.STRING;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.TIME2;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.TIMESTAMP2;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.TINY;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.VARCHAR;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.YEAR;

/**
 * Describes a table as the TABLE_MAP event with {@code binlog_row_metadata=FULL} would: column type codes and
 * metadata, null bitmap, names, signedness, collations, ENUM/SET labels and primary key, all read from
 * {@code information_schema}. {@link TableSchemaResolver} turns it into the same {@link dev.nificdc.cdc.record.TableSchema}
 * a streamed change of the table gets, so snapshot rows and streamed rows share one schema; without FULL metadata in
 * the binlog it is what the resolver checks each TABLE_MAP event against and takes names and labels from.
 */
public final class TableMapSynthesizer {
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

    /** The synthetic TABLE_MAP of {@code database.table}, or null when information_schema lists no column of it. */
    public static TableDefinition describe(Connection connection, String database, String table) throws SQLException {
        List<String> names = new ArrayList<>();
        List<String> declared = new ArrayList<>();
        BitSet unchecked = new BitSet();
        List<Byte> types = new ArrayList<>();
        List<Integer> metadata = new ArrayList<>();
        BitSet nullable = new BitSet();
        BitSet unsigned = new BitSet();
        List<Integer> charsets = new ArrayList<>();
        List<String[]> enums = new ArrayList<>();
        List<String[]> sets = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(COLUMNS)) {
            s.setString(1, database);
            s.setString(2, table);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    int i = names.size();
                    names.add(rs.getString(1));
                    declared.add(rs.getString(3));
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
                            // e.g. MariaDB's UUID, INET4/INET6: read as text; the binlog's type for them is not compared
                            unchecked.set(i);
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
            return null;
        }
        List<Integer> primaryKey = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(PRIMARY_KEY)) {
            s.setString(1, database);
            s.setString(2, table);
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
        data.setDatabase(database);
        data.setTable(table);
        byte[] typeCodes = new byte[types.size()];
        for (int i = 0; i < typeCodes.length; i++) {
            typeCodes[i] = types.get(i);
        }
        data.setColumnTypes(typeCodes);
        data.setColumnMetadata(metadata.stream().mapToInt(Integer::intValue).toArray());
        data.setColumnNullability(nullable);
        data.setEventMetadata(meta);
        return new TableDefinition(data, declared, unchecked);
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
