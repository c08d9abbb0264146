package dev.nificdc.cdc.binlog.schema;

import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventMetadata;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.binlog.convert.MySqlCharsets;
import dev.nificdc.cdc.binlog.convert.ValueConverter;
import dev.nificdc.cdc.binlog.convert.ValueConverters;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.TableSchema;
import dev.nificdc.cdc.record.ValueKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Derives a {@link TableMapping} from a TABLE_MAP event. With {@code binlog_row_metadata=FULL} everything comes from the
 * event itself (names, signedness, charsets, ENUM/SET labels, primary key), so replaying old binlog yields the columns
 * the table had when the row was written. Without it the {@link SchemaSource} (information_schema) fills in, with a
 * warning, since it describes the table as it is now. Nullability always comes from the event's null bitmap.
 * Mappings are cached by the event's content, so an unchanged table yields the same {@link TableSchema} instance.
 */
public final class TableSchemaResolver {
    // MySQL column type codes (include/mysql_com.h / field_types.h)
    static final int DECIMAL = 0, TINY = 1, SHORT = 2, LONG = 3, FLOAT = 4, DOUBLE = 5, TIMESTAMP = 7, LONGLONG = 8,
            INT24 = 9, DATE = 10, TIME = 11, DATETIME = 12, YEAR = 13, NEWDATE = 14, VARCHAR = 15, BIT = 16,
            TIMESTAMP2 = 17, DATETIME2 = 18, TIME2 = 19, VECTOR = 242, JSON = 245, NEWDECIMAL = 246, ENUM = 247,
            SET = 248, TINY_BLOB = 249, MEDIUM_BLOB = 250, LONG_BLOB = 251, BLOB = 252, VAR_STRING = 253,
            STRING = 254, GEOMETRY = 255;
    private static final Pattern ENUM_LABELS = Pattern.compile("'((?:[^']|'')*)'");

    private final TableFilter filter;
    private final SchemaSource fallback;
    private final MySqlCharsets charsets;
    private final CaptureLogger logger;
    private final Map<Key, TableMapping> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, TableMapping> eldest) {
            return size() > 2_000;
        }
    };
    private final Set<String> warnedTables = new HashSet<>();

    public TableSchemaResolver(TableFilter filter, SchemaSource fallback, MySqlCharsets charsets, CaptureLogger logger) {
        this.filter = Objects.requireNonNull(filter, "filter");
        this.fallback = fallback == null ? SchemaSource.none() : fallback;
        this.charsets = charsets == null ? MySqlCharsets.builtIn() : charsets;
        this.logger = Objects.requireNonNull(logger, "logger");
    }

    /**
     * The mapping for a TABLE_MAP event, or null when the table is filtered out.
     *
     * @param mariaDb whether the event comes from MariaDB, which counts GEOMETRY columns among the character
     *                columns of the charset metadata (MySQL does not)
     */
    public TableMapping resolve(TableMapEventData tableMap, boolean mariaDb) {
        if (!filter.includesTable(tableMap.getDatabase(), tableMap.getTable())) {
            return null;
        }
        Key key = Key.of(tableMap);
        TableMapping mapping = cache.get(key);
        if (mapping == null) {
            mapping = build(tableMap, mariaDb);
            cache.put(key, mapping);
        }
        return mapping;
    }

    /** Whether the filter captures the table; a null table asks whether any table of the database is captured. */
    public boolean captures(String database, String table) {
        if (database == null) {
            return false;
        }
        return table == null ? filter.includesDatabase(database) : filter.includesTable(database, table);
    }

    /**
     * Forgets cached mappings after a DDL statement. With full row metadata a changed table yields a different
     * TABLE_MAP anyway; without it this makes the information_schema fallback re-read the definition.
     */
    public void invalidate() {
        cache.clear();
    }

    private TableMapping build(TableMapEventData tableMap, boolean mariaDb) {
        String db = tableMap.getDatabase();
        String table = tableMap.getTable();
        byte[] types = tableMap.getColumnTypes();
        int[] metadata = tableMap.getColumnMetadata();
        BitSet nullability = tableMap.getColumnNullability();
        TableMapEventMetadata meta = tableMap.getEventMetadata();
        boolean full = meta != null && meta.getColumnNames() != null && meta.getColumnNames().size() == types.length;
        List<SourceColumn> sourceColumns = full ? List.of() : fallbackColumns(db, table, types.length);

        Walk walk = new Walk(meta, geometryHasCharset(types, metadata, meta, mariaDb));
        List<ColumnSchema> columns = new ArrayList<>();
        List<Integer> binlogColumns = new ArrayList<>();
        List<ValueConverter> converters = new ArrayList<>();
        Map<Integer, String> primaryKey = new TreeMap<>();
        for (int i = 0; i < types.length; i++) {
            Column column = describe(i, types[i] & 0xFF, metadata[i], walk, meta, full,
                    i < sourceColumns.size() ? sourceColumns.get(i) : null);
            if (column.pkOrder > 0) {
                primaryKey.put(column.pkOrder, column.name);
            }
            if (!filter.includesColumn(db, table, column.name)) {
                continue;
            }
            boolean nullable = nullability == null || nullability.get(i);
            columns.add(new ColumnSchema(column.name, column.kind, nullable, column.precision, column.scale, column.sourceType));
            binlogColumns.add(i);
            converters.add(column.converter);
        }
        if (full && meta.getSimplePrimaryKeys() != null) {
            primaryKey.clear();
            List<Integer> pk = meta.getSimplePrimaryKeys();
            for (int k = 0; k < pk.size(); k++) {
                primaryKey.put(k + 1, meta.getColumnNames().get(pk.get(k)));
            }
        } else if (full && meta.getPrimaryKeysWithPrefix() != null) {
            primaryKey.clear();
            int k = 1;
            for (Integer index : meta.getPrimaryKeysWithPrefix().keySet()) {
                primaryKey.put(k++, meta.getColumnNames().get(index));
            }
        }
        List<String> included = columns.stream().map(ColumnSchema::name).toList();
        List<String> pk = primaryKey.values().stream().filter(included::contains).toList();
        TableSchema schema = new TableSchema(db, table, columns, pk);
        return new TableMapping(schema, binlogColumns.stream().mapToInt(Integer::intValue).toArray(),
                converters.toArray(ValueConverter[]::new), types.length);
    }

    private List<SourceColumn> fallbackColumns(String db, String table, int columnCount) {
        List<SourceColumn> columns = fallback.columns(db, table);
        String qualified = db + "." + table;
        if (warnedTables.add(qualified)) {
            if (columns.isEmpty()) {
                logger.warn("The binlog carries no column metadata for " + qualified + " and its definition is not available:"
                        + " columns are named col_1, col_2, ... and text/binary columns cannot be told apart."
                        + " Set binlog_row_metadata=FULL on the server (MySQL 8.0.1+, MariaDB 10.5+).");
            } else {
                logger.warn("The binlog carries no column metadata for " + qualified + "; column names and types come from"
                        + " information_schema, i.e. the table as it is now. Rows written before a later ALTER TABLE can be"
                        + " mislabelled when replayed. Set binlog_row_metadata=FULL on the server (MySQL 8.0.1+, MariaDB 10.5+).");
            }
        }
        if (!columns.isEmpty() && columns.size() != columnCount) {
            logger.warn("information_schema lists " + columns.size() + " columns for " + qualified + " but the binlog event has "
                    + columnCount + " (the table changed since): columns without a match get positional names.");
        }
        return columns;
    }

    /** Walks the ordinal lists of the optional metadata (numeric, character, ENUM, SET and geometry columns). */
    private static final class Walk {
        int character;
        int enums;
        int sets;
        int enumOrSet;
        final Map<Integer, Integer> characterCollations = new java.util.HashMap<>();
        final Integer defaultCollation;
        final boolean geometryHasCharset;

        Walk(TableMapEventMetadata meta, boolean geometryHasCharset) {
            this.geometryHasCharset = geometryHasCharset;
            Integer fallbackCollation = null;
            if (meta != null && meta.getDefaultCharset() != null) {
                fallbackCollation = meta.getDefaultCharset().getDefaultCharsetCollation();
                if (meta.getDefaultCharset().getCharsetCollations() != null) {
                    characterCollations.putAll(meta.getDefaultCharset().getCharsetCollations());
                }
            }
            defaultCollation = fallbackCollation;
        }
    }

    private record Column(String name, ValueKind kind, int precision, int scale, String sourceType,
                          ValueConverter converter, int pkOrder) {
    }

    private Column describe(int index, int type, int meta, Walk walk, TableMapEventMetadata md, boolean full, SourceColumn source) {
        String name = full ? md.getColumnNames().get(index) : source != null ? source.name() : "col_" + (index + 1);
        int pkOrder = source != null ? source.primaryKeyOrder() : 0;
        String declared = source != null && source.columnType() != null ? source.columnType().toLowerCase(Locale.ROOT) : null;
        boolean unsigned = full
                ? md.getSignedness() != null && md.getSignedness().get(index)
                : declared != null && declared.contains("unsigned");

        int realType = type;
        int stringLength = 0;
        if (type == STRING) {
            if (meta >= 256) {
                int meta0 = meta >> 8;
                int meta1 = meta & 0xFF;
                if ((meta0 & 0x30) != 0x30) {
                    realType = meta0 | 0x30;
                    stringLength = meta1 | (((meta0 & 0x30) ^ 0x30) << 4);
                } else {
                    if (meta0 == ENUM || meta0 == SET) {
                        realType = meta0;
                    }
                    stringLength = meta1;
                }
            } else {
                stringLength = meta;
            }
        }

        String u = unsigned ? " unsigned" : "";
        return switch (realType) {
            case TINY -> new Column(name, ValueKind.INT, 0, 0, orDefault(declared, "tinyint" + u),
                    unsigned ? ValueConverters.unsignedInt(0xFF) : ValueConverters.identity(), pkOrder);
            case SHORT -> new Column(name, ValueKind.INT, 0, 0, orDefault(declared, "smallint" + u),
                    unsigned ? ValueConverters.unsignedInt(0xFFFF) : ValueConverters.identity(), pkOrder);
            case INT24 -> new Column(name, ValueKind.INT, 0, 0, orDefault(declared, "mediumint" + u),
                    unsigned ? ValueConverters.unsignedInt(0xFFFFFF) : ValueConverters.identity(), pkOrder);
            case LONG -> unsigned
                    ? new Column(name, ValueKind.LONG, 0, 0, orDefault(declared, "int unsigned"), ValueConverters.unsignedIntToLong(), pkOrder)
                    : new Column(name, ValueKind.INT, 0, 0, orDefault(declared, "int"), ValueConverters.identity(), pkOrder);
            case LONGLONG -> unsigned
                    ? new Column(name, ValueKind.DECIMAL, 20, 0, orDefault(declared, "bigint unsigned"), ValueConverters.unsignedBigint(), pkOrder)
                    : new Column(name, ValueKind.LONG, 0, 0, orDefault(declared, "bigint"), ValueConverters.identity(), pkOrder);
            case FLOAT -> new Column(name, ValueKind.FLOAT, 0, 0, orDefault(declared, "float" + u), ValueConverters.identity(), pkOrder);
            case DOUBLE -> new Column(name, ValueKind.DOUBLE, 0, 0, orDefault(declared, "double" + u), ValueConverters.identity(), pkOrder);
            case NEWDECIMAL, DECIMAL -> {
                int precision = meta & 0xFF;
                int scale = meta >> 8;
                yield new Column(name, ValueKind.DECIMAL, precision, scale,
                        orDefault(declared, "decimal(" + precision + "," + scale + ")" + u), ValueConverters.decimal(scale), pkOrder);
            }
            case DATE, NEWDATE -> new Column(name, ValueKind.DATE, 0, 0, orDefault(declared, "date"), ValueConverters.date(), pkOrder);
            case TIME, TIME2 -> new Column(name, ValueKind.TIME_MICROS, 0, 0, orDefault(declared, fsp("time", type, meta)),
                    ValueConverters.identity(), pkOrder);
            case DATETIME, DATETIME2 -> new Column(name, ValueKind.LOCAL_TIMESTAMP_MICROS, 0, 0,
                    orDefault(declared, fsp("datetime", type, meta)), ValueConverters.identity(), pkOrder);
            case TIMESTAMP, TIMESTAMP2 -> new Column(name, ValueKind.TIMESTAMP_MICROS, 0, 0,
                    orDefault(declared, fsp("timestamp", type, meta)), ValueConverters.identity(), pkOrder);
            case YEAR -> new Column(name, ValueKind.INT, 0, 0, orDefault(declared, "year"), ValueConverters.year(), pkOrder);
            case BIT -> {
                int bits = (meta >> 8) * 8 + (meta & 0xFF);
                yield bits == 1
                        ? new Column(name, ValueKind.BOOLEAN, 0, 0, orDefault(declared, "bit(1)"), ValueConverters.bit1(), pkOrder)
                        : new Column(name, ValueKind.BYTES, 0, 0, orDefault(declared, "bit(" + bits + ")"), ValueConverters.bits(bits), pkOrder);
            }
            case JSON -> new Column(name, ValueKind.STRING, 0, 0, orDefault(declared, "json"), ValueConverters.json(), pkOrder);
            case GEOMETRY -> {
                if (walk.geometryHasCharset) {
                    walk.character++;
                }
                yield new Column(name, ValueKind.BYTES, 0, 0, orDefault(declared, "geometry"), ValueConverters.geometryWkb(), pkOrder);
            }
            case VECTOR -> new Column(name, ValueKind.BYTES, 0, 0, orDefault(declared, "vector"), ValueConverters.identity(), pkOrder);
            case ENUM, SET -> enumOrSet(name, realType, walk, md, full, declared, pkOrder);
            case VARCHAR, VAR_STRING, STRING, BLOB, TINY_BLOB, MEDIUM_BLOB, LONG_BLOB ->
                    character(name, realType, stringLength, walk, md, full, source, declared, pkOrder);
            default -> throw new IllegalStateException("Column " + name + " has the binlog column type " + type
                    + ", which this version cannot decode");
        };
    }

    private Column enumOrSet(String name, int realType, Walk walk, TableMapEventMetadata md, boolean full, String declared, int pkOrder) {
        boolean isEnum = realType == ENUM;
        String[] labels = null;
        if (full) {
            List<String[]> values = isEnum ? md.getEnumStrValues() : md.getSetStrValues();
            int ordinal = isEnum ? walk.enums : walk.sets;
            if (values != null && ordinal < values.size()) {
                labels = values.get(ordinal);
            }
        } else if (declared != null) {
            labels = parseLabels(declared);
        }
        if (isEnum) {
            walk.enums++;
        } else {
            walk.sets++;
        }
        walk.enumOrSet++;
        String type = isEnum ? "enum" : "set";
        ValueConverter converter = labels == null ? ValueConverters.numberAsText()
                : isEnum ? ValueConverters.enumLabel(labels) : ValueConverters.setLabels(labels);
        return new Column(name, ValueKind.STRING, 0, 0, orDefault(declared, type), converter, pkOrder);
    }

    private Column character(String name, int realType, int stringLength, Walk walk, TableMapEventMetadata md, boolean full,
                             SourceColumn source, String declared, int pkOrder) {
        String charsetName = null;
        if (full) {
            Integer collation = null;
            if (md.getColumnCharsets() != null && walk.character < md.getColumnCharsets().size()) {
                collation = md.getColumnCharsets().get(walk.character);
            } else if (walk.defaultCollation != null) {
                collation = walk.characterCollations.getOrDefault(walk.character, walk.defaultCollation);
            }
            if (collation != null) {
                int id = collation;
                charsetName = id == MySqlCharsets.BINARY_COLLATION ? "binary" : charsets.charsetName(id).orElseGet(() -> {
                    logger.warn("Unknown collation id " + id + " for column " + name + "; decoding it as UTF-8");
                    return "utf8mb4";
                });
            }
        } else if (source != null) {
            charsetName = source.charsetName() == null ? "binary" : source.charsetName();
        }
        walk.character++;
        boolean blob = realType == BLOB || realType == TINY_BLOB || realType == MEDIUM_BLOB || realType == LONG_BLOB;
        if (charsetName == null) {
            // no metadata at all: BLOB/TEXT are taken as bytes, CHAR/VARCHAR as UTF-8 text
            charsetName = blob ? "binary" : "utf8mb4";
        }
        if (charsetName.equals("binary")) {
            String type = blob ? "blob" : realType == STRING ? "binary(" + stringLength + ")" : "varbinary";
            ValueConverter converter = realType == STRING ? ValueConverters.fixedBinary(stringLength) : ValueConverters.identity();
            return new Column(name, ValueKind.BYTES, 0, 0, orDefault(declared, type), converter, pkOrder);
        }
        String javaCharset = charsetName;
        MySqlCharsets.TextDecoder decoder = MySqlCharsets.decoder(charsetName).orElseGet(() -> {
            logger.warn("Charset " + javaCharset + " of column " + name + " has no Java decoder here; decoding it as UTF-8");
            return MySqlCharsets.decoder("utf8mb4").orElseThrow();
        });
        String type = (blob ? "text" : realType == STRING ? "char" : "varchar") + " charset " + charsetName;
        return new Column(name, ValueKind.STRING, 0, 0, orDefault(declared, type), ValueConverters.text(decoder), pkOrder);
    }

    /**
     * Whether GEOMETRY columns take a slot in the character-column charset lists: told by the list length when the
     * event carries one charset per column, else by the server flavour.
     */
    private static boolean geometryHasCharset(byte[] types, int[] metadata, TableMapEventMetadata meta, boolean mariaDb) {
        if (meta != null && meta.getColumnCharsets() != null) {
            int character = 0;
            int geometry = 0;
            for (int i = 0; i < types.length; i++) {
                int type = types[i] & 0xFF;
                if (type == GEOMETRY) {
                    geometry++;
                } else if (type == VARCHAR || type == VAR_STRING || type == BLOB || type == TINY_BLOB || type == MEDIUM_BLOB
                        || type == LONG_BLOB || (type == STRING && !isEnumOrSet(metadata[i]))) {
                    character++;
                }
            }
            return geometry > 0 && meta.getColumnCharsets().size() == character + geometry;
        }
        return mariaDb;
    }

    private static boolean isEnumOrSet(int meta) {
        int meta0 = meta >> 8;
        return meta >= 256 && (meta0 & 0x30) == 0x30 && (meta0 == ENUM || meta0 == SET);
    }

    private static String fsp(String base, int type, int meta) {
        boolean v2 = type == TIME2 || type == DATETIME2 || type == TIMESTAMP2;
        return v2 && meta > 0 ? base + "(" + meta + ")" : base;
    }

    private static String orDefault(String declared, String derived) {
        return declared != null ? declared : derived;
    }

    static String[] parseLabels(String declared) {
        int open = declared.indexOf('(');
        if (open < 0) {
            return null;
        }
        List<String> labels = new ArrayList<>();
        Matcher m = ENUM_LABELS.matcher(declared.substring(open));
        while (m.find()) {
            labels.add(m.group(1).replace("''", "'"));
        }
        return labels.toArray(String[]::new);
    }

    /** The content of a TABLE_MAP event that determines the mapping. */
    private record Key(String db, String table, List<Byte> types, List<Integer> meta, BitSet nulls, String metadata) {
        static Key of(TableMapEventData e) {
            List<Byte> types = new ArrayList<>(e.getColumnTypes().length);
            for (byte b : e.getColumnTypes()) {
                types.add(b);
            }
            return new Key(e.getDatabase(), e.getTable(), types, Arrays.stream(e.getColumnMetadata()).boxed().toList(),
                    e.getColumnNullability(), e.getEventMetadata() == null ? "" : describe(e.getEventMetadata()));
        }

        private static String describe(TableMapEventMetadata m) {
            StringBuilder s = new StringBuilder();
            s.append(m.getSignedness()).append('|').append(m.getColumnNames()).append('|').append(m.getColumnCharsets()).append('|');
            if (m.getDefaultCharset() != null) {
                s.append(m.getDefaultCharset().getDefaultCharsetCollation()).append(m.getDefaultCharset().getCharsetCollations());
            }
            s.append('|').append(m.getSimplePrimaryKeys()).append('|').append(m.getPrimaryKeysWithPrefix()).append('|');
            appendLabels(s, m.getEnumStrValues());
            s.append('|');
            appendLabels(s, m.getSetStrValues());
            return s.toString();
        }

        private static void appendLabels(StringBuilder s, List<String[]> labels) {
            if (labels != null) {
                labels.forEach(l -> s.append(Arrays.toString(l)).append(';'));
            }
        }
    }
}
