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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.BIT;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.BLOB;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.DATE;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.DATETIME;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.DATETIME2;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.DECIMAL;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.DOUBLE;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.ENUM;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.FLOAT;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.GEOMETRY;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.INT24;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.JSON;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.LONG;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.LONGLONG;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.LONG_BLOB;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.MEDIUM_BLOB;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.NEWDATE;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.NEWDECIMAL;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.SET;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.SHORT;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.STRING;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.TIME;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.TIME2;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.TIMESTAMP;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.TIMESTAMP2;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.TINY;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.TINY_BLOB;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.VARCHAR;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.VAR_STRING;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.VECTOR;
import static dev.nificdc.cdc.binlog.schema.BinlogColumnTypes.YEAR;

/**
 * Derives a {@link TableMapping} from a TABLE_MAP event. With {@code binlog_row_metadata=FULL} everything comes from the
 * event itself (names, signedness, charsets, ENUM/SET labels, primary key), so replaying old binlog yields the columns
 * the table had when the row was written. Without column names in the event the {@link SchemaSource}
 * (information_schema) supplies them, its ENUM/SET labels and the primary key, after {@link TableMapCheck} found the
 * event's column count and types (and, with MINIMAL metadata, signedness and charsets) equal to the definition's; any
 * difference stops capture ({@link TableDefinitionMismatch}) instead of labelling rows by another definition. The
 * definition read for a table is kept until a DDL statement names the table; when capture has caught up with the
 * server at that statement, the definition is read right then and is the table's state after it. Nullability always
 * comes from the event's null bitmap. Mappings are cached by the event's content, so an unchanged table yields the
 * same {@link TableSchema} instance.
 */
public final class TableSchemaResolver {
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
    /** Definitions read from the source, by {@code db.table}; a table is forgotten when a DDL statement names it. */
    private final Map<String, TableDefinition> definitions = new HashMap<>();
    /** The schema of each table's last mapping, by {@code db.table}. */
    private final Map<String, TableSchema> lastSchemas = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TableSchema> eldest) {
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
     * @throws TableDefinitionMismatch when the event has no column names and does not match the table's definition
     */
    public TableMapping resolve(TableMapEventData tableMap, boolean mariaDb) {
        if (!filter.includesTable(tableMap.getDatabase(), tableMap.getTable())) {
            return null;
        }
        Key key = Key.of(tableMap);
        TableMapping mapping = cache.get(key);
        if (mapping == null) {
            mapping = build(hasColumnNames(tableMap) ? tableMap : withDefinition(tableMap, mariaDb), mariaDb);
            cache.put(key, mapping);
        }
        lastSchemas.put(tableMap.getDatabase() + "." + tableMap.getTable(), mapping.schema());
        return mapping;
    }

    /**
     * The table's schema for a change that carries no row (a TRUNCATE): the schema of its last table map, else the one
     * its definition gives, else a schema without columns (the table is gone and was not seen since capture started).
     */
    public TableSchema schema(String database, String table, boolean mariaDb) {
        TableSchema last = lastSchemas.get(database + "." + table);
        if (last != null) {
            return last;
        }
        TableDefinition definition = fallback.available() ? definition(database, table) : null;
        if (definition != null) {
            TableMapping mapping = resolve(definition.tableMap(), mariaDb);
            if (mapping != null) {
                return mapping.schema();
            }
        }
        return new TableSchema(database, table, List.of(), List.of());
    }

    /**
     * The table's definition as read at the DDL statement {@link #tablesChanged} was last told about, when capture had
     * caught up with the server then; null when it had not, or the table is not there.
     */
    public TableDefinition definitionAfterStatement(String database, String table) {
        return definitions.get(database + "." + table);
    }

    /** Whether the filter captures the table; a null table asks whether any table of the database is captured. */
    public boolean captures(String database, String table) {
        if (database == null) {
            return false;
        }
        return table == null ? filter.includesDatabase(database) : filter.includesTable(database, table);
    }

    /**
     * A DDL statement ended at {@code file:nextPosition}: mappings are rebuilt from the next TABLE_MAP events, and the
     * definitions of the captured tables it names are read again now (kept only if capture has caught up with the
     * server, so that they describe the tables right after the statement) or when the tables' next TABLE_MAP event
     * arrives.
     */
    public void tablesChanged(List<TableId> tables, String file, long nextPosition) {
        cache.clear();
        for (TableId table : tables) {
            String qualified = table.database() + "." + table.name();
            definitions.remove(qualified);
            lastSchemas.remove(qualified);
            if (fallback.available() && captures(table.database(), table.name())) {
                try {
                    TableDefinition now = fallback.describeAt(table.database(), table.name(), file, nextPosition);
                    if (now != null) {
                        definitions.put(qualified, now);
                    }
                } catch (RuntimeException e) {
                    // not needed with full metadata; without it the definition is read (and checked) at the next table map
                    logger.warn("The definition of " + qualified + " could not be read after a DDL statement at " + file
                            + ": " + e.getMessage());
                }
            }
        }
    }

    /** Forgets cached mappings and definitions (a statement whose tables are not known, e.g. DROP DATABASE). */
    public void invalidate() {
        cache.clear();
        definitions.clear();
        lastSchemas.clear();
    }

    /** The definition of the table now (or as read at its last DDL statement), or null when the source has none. */
    public TableDefinition definition(String database, String table) {
        return definitions.computeIfAbsent(database + "." + table, k -> fallback.describe(database, table));
    }

    private static boolean hasColumnNames(TableMapEventData tableMap) {
        TableMapEventMetadata meta = tableMap.getEventMetadata();
        return meta != null && meta.getColumnNames() != null && meta.getColumnNames().size() == tableMap.getColumnTypes().length;
    }

    /**
     * The event with the metadata of the table's definition (names, signedness, collations, labels, primary key), after
     * checking that the two describe the same columns; the event unchanged when no source is available.
     */
    private TableMapEventData withDefinition(TableMapEventData tableMap, boolean mariaDb) {
        String db = tableMap.getDatabase();
        String table = tableMap.getTable();
        String qualified = db + "." + table;
        if (!fallback.available()) {
            if (warnedTables.add(qualified)) {
                logger.warn("The binlog carries no column names for " + qualified + " and no table definitions are available:"
                        + " columns are named col_1, col_2, ... Set binlog_row_metadata=FULL on the server (MySQL 8.0.1+,"
                        + " MariaDB 10.5+).");
            }
            return tableMap;
        }
        TableDefinition definition = definition(db, table);
        String mismatch = TableMapCheck.mismatch(tableMap, definition, mariaDb, charsets);
        if (mismatch != null) {
            definitions.remove(qualified); // read again when capture is restarted at another position
            throw new TableDefinitionMismatch(qualified, mismatch);
        }
        if (warnedTables.add(qualified)) {
            logger.warn("The binlog carries no column names for " + qualified + " (binlog_row_metadata is not FULL): names,"
                    + " ENUM/SET labels and the primary key come from information_schema, after checking that its columns"
                    + " have the binlog's types. A change that keeps every type, such as RENAME COLUMN, cannot be detected"
                    + " when binlog written before it is replayed. Set binlog_row_metadata=FULL on the server (MySQL 8.0.1+,"
                    + " MariaDB 10.5+).");
        }
        TableMapEventData merged = new TableMapEventData();
        merged.setTableId(tableMap.getTableId());
        merged.setDatabase(db);
        merged.setTable(table);
        merged.setColumnTypes(tableMap.getColumnTypes());
        merged.setColumnMetadata(tableMap.getColumnMetadata());
        merged.setColumnNullability(tableMap.getColumnNullability());
        merged.setEventMetadata(definition.tableMap().getEventMetadata());
        return merged;
    }

    private TableMapping build(TableMapEventData tableMap, boolean mariaDb) {
        String db = tableMap.getDatabase();
        String table = tableMap.getTable();
        byte[] types = tableMap.getColumnTypes();
        int[] metadata = tableMap.getColumnMetadata();
        BitSet nullability = tableMap.getColumnNullability();
        TableMapEventMetadata meta = tableMap.getEventMetadata();
        boolean named = hasColumnNames(tableMap);

        Map<Integer, Integer> collations = characterCollations(tableMap, mariaDb);
        Walk walk = new Walk();
        List<ColumnSchema> columns = new ArrayList<>();
        List<Integer> binlogColumns = new ArrayList<>();
        List<ValueConverter> converters = new ArrayList<>();
        for (int i = 0; i < types.length; i++) {
            String name = named ? meta.getColumnNames().get(i) : "col_" + (i + 1);
            boolean unsigned = meta != null && meta.getSignedness() != null && meta.getSignedness().get(i);
            Column column = describe(name, types[i] & 0xFF, metadata[i], unsigned, collations.get(i), walk, named ? meta : null);
            if (!filter.includesColumn(db, table, column.name)) {
                continue;
            }
            boolean nullable = nullability == null || nullability.get(i);
            columns.add(new ColumnSchema(column.name, column.kind, nullable, column.precision, column.scale, column.sourceType));
            binlogColumns.add(i);
            converters.add(column.converter);
        }
        List<String> primaryKey = new ArrayList<>();
        if (named && meta.getSimplePrimaryKeys() != null) {
            meta.getSimplePrimaryKeys().forEach(index -> primaryKey.add(meta.getColumnNames().get(index)));
        } else if (named && meta.getPrimaryKeysWithPrefix() != null) {
            meta.getPrimaryKeysWithPrefix().keySet().forEach(index -> primaryKey.add(meta.getColumnNames().get(index)));
        }
        List<String> included = columns.stream().map(ColumnSchema::name).toList();
        List<String> pk = primaryKey.stream().filter(included::contains).toList();
        TableSchema schema = new TableSchema(db, table, columns, pk);
        return new TableMapping(schema, binlogColumns.stream().mapToInt(Integer::intValue).toArray(),
                converters.toArray(ValueConverter[]::new), types.length);
    }

    /**
     * The collation id of each character column (CHAR, VARCHAR, TEXT/BLOB, by column index) that the event's metadata
     * names: one per character column, or a default with exceptions. GEOMETRY columns take a slot in the list on MariaDB
     * (see {@link #geometryHasCharset}). Empty without charset metadata.
     */
    static Map<Integer, Integer> characterCollations(TableMapEventData tableMap, boolean mariaDb) {
        Map<Integer, Integer> collations = new HashMap<>();
        TableMapEventMetadata meta = tableMap.getEventMetadata();
        if (meta == null || (meta.getColumnCharsets() == null && meta.getDefaultCharset() == null)) {
            return collations;
        }
        byte[] types = tableMap.getColumnTypes();
        int[] metadata = tableMap.getColumnMetadata();
        boolean geometrySlot = geometryHasCharset(types, metadata, meta, mariaDb);
        int character = 0;
        for (int i = 0; i < types.length; i++) {
            int real = BinlogColumnTypes.realType(types[i] & 0xFF, metadata[i]);
            if (real == GEOMETRY && geometrySlot) {
                character++;
            } else if (isCharacter(real)) {
                Integer collation = null;
                if (meta.getColumnCharsets() != null) {
                    collation = character < meta.getColumnCharsets().size() ? meta.getColumnCharsets().get(character) : null;
                } else {
                    Map<Integer, Integer> exceptions = meta.getDefaultCharset().getCharsetCollations();
                    collation = exceptions != null && exceptions.containsKey(character) ? exceptions.get(character)
                            : meta.getDefaultCharset().getDefaultCharsetCollation();
                }
                if (collation != null) {
                    collations.put(i, collation);
                }
                character++;
            }
        }
        return collations;
    }

    static boolean isCharacter(int realType) {
        return realType == VARCHAR || realType == VAR_STRING || realType == STRING || realType == BLOB
                || realType == TINY_BLOB || realType == MEDIUM_BLOB || realType == LONG_BLOB;
    }

    /** The charset name of a collation id ({@code binary} for the binary collation). */
    String charsetName(int collation, String column) {
        return collation == MySqlCharsets.BINARY_COLLATION ? "binary" : charsets.charsetName(collation).orElseGet(() -> {
            logger.warn("Unknown collation id " + collation + " for column " + column + "; decoding it as UTF-8");
            return "utf8mb4";
        });
    }

    /** Counts ENUM and SET columns, whose labels the metadata lists in column order. */
    private static final class Walk {
        int enums;
        int sets;
    }

    private record Column(String name, ValueKind kind, int precision, int scale, String sourceType,
                          ValueConverter converter) {
    }

    /**
     * One column: its value kind, source type and converter, from the type code and metadata, the signedness and
     * collation the event's metadata gives, and ({@code md}, when the event names its columns) ENUM/SET labels.
     */
    private Column describe(String name, int type, int meta, boolean unsigned, Integer collation, Walk walk, TableMapEventMetadata md) {
        int realType = BinlogColumnTypes.realType(type, meta);
        int stringLength = BinlogColumnTypes.stringLength(type, meta);
        String u = unsigned ? " unsigned" : "";
        return switch (realType) {
            case TINY -> new Column(name, ValueKind.INT, 0, 0, "tinyint" + u,
                    unsigned ? ValueConverters.unsignedInt(0xFF) : ValueConverters.identity());
            case SHORT -> new Column(name, ValueKind.INT, 0, 0, "smallint" + u,
                    unsigned ? ValueConverters.unsignedInt(0xFFFF) : ValueConverters.identity());
            case INT24 -> new Column(name, ValueKind.INT, 0, 0, "mediumint" + u,
                    unsigned ? ValueConverters.unsignedInt(0xFFFFFF) : ValueConverters.identity());
            case LONG -> unsigned
                    ? new Column(name, ValueKind.LONG, 0, 0, "int unsigned", ValueConverters.unsignedIntToLong())
                    : new Column(name, ValueKind.INT, 0, 0, "int", ValueConverters.identity());
            case LONGLONG -> unsigned
                    ? new Column(name, ValueKind.DECIMAL, 20, 0, "bigint unsigned", ValueConverters.unsignedBigint())
                    : new Column(name, ValueKind.LONG, 0, 0, "bigint", ValueConverters.identity());
            case FLOAT -> new Column(name, ValueKind.FLOAT, 0, 0, "float" + u, ValueConverters.identity());
            case DOUBLE -> new Column(name, ValueKind.DOUBLE, 0, 0, "double" + u, ValueConverters.identity());
            case NEWDECIMAL, DECIMAL -> {
                int precision = meta & 0xFF;
                int scale = meta >> 8;
                yield new Column(name, ValueKind.DECIMAL, precision, scale,
                        "decimal(" + precision + "," + scale + ")" + u, ValueConverters.decimal(scale));
            }
            case DATE, NEWDATE -> new Column(name, ValueKind.DATE, 0, 0, "date", ValueConverters.date());
            case TIME, TIME2 -> new Column(name, ValueKind.TIME_MICROS, 0, 0, fsp("time", type, meta),
                    ValueConverters.identity());
            case DATETIME, DATETIME2 -> new Column(name, ValueKind.LOCAL_TIMESTAMP_MICROS, 0, 0,
                    fsp("datetime", type, meta), ValueConverters.identity());
            case TIMESTAMP, TIMESTAMP2 -> new Column(name, ValueKind.TIMESTAMP_MICROS, 0, 0,
                    fsp("timestamp", type, meta), ValueConverters.identity());
            case YEAR -> new Column(name, ValueKind.INT, 0, 0, "year", ValueConverters.year());
            case BIT -> {
                int bits = (meta >> 8) * 8 + (meta & 0xFF);
                yield bits == 1
                        ? new Column(name, ValueKind.BOOLEAN, 0, 0, "bit(1)", ValueConverters.bit1())
                        : new Column(name, ValueKind.BYTES, 0, 0, "bit(" + bits + ")", ValueConverters.bits(bits));
            }
            case JSON -> new Column(name, ValueKind.STRING, 0, 0, "json", ValueConverters.json());
            case GEOMETRY -> new Column(name, ValueKind.BYTES, 0, 0, "geometry", ValueConverters.geometryWkb());
            case VECTOR -> new Column(name, ValueKind.BYTES, 0, 0, "vector", ValueConverters.identity());
            case ENUM, SET -> enumOrSet(name, realType, walk, md);
            case VARCHAR, VAR_STRING, STRING, BLOB, TINY_BLOB, MEDIUM_BLOB, LONG_BLOB -> character(name, realType, stringLength, collation);
            default -> throw new IllegalStateException("Column " + name + " has the binlog column type " + type
                    + ", which this version cannot decode");
        };
    }

    private Column enumOrSet(String name, int realType, Walk walk, TableMapEventMetadata md) {
        boolean isEnum = realType == ENUM;
        String[] labels = null;
        if (md != null) {
            List<String[]> values = isEnum ? md.getEnumStrValues() : md.getSetStrValues();
            int ordinal = isEnum ? walk.enums : walk.sets;
            if (values != null && ordinal < values.size()) {
                labels = values.get(ordinal);
            }
        }
        if (isEnum) {
            walk.enums++;
        } else {
            walk.sets++;
        }
        ValueConverter converter = labels == null ? ValueConverters.numberAsText()
                : isEnum ? ValueConverters.enumLabel(labels) : ValueConverters.setLabels(labels);
        return new Column(name, ValueKind.STRING, 0, 0, isEnum ? "enum" : "set", converter);
    }

    private Column character(String name, int realType, int stringLength, Integer collation) {
        boolean blob = realType == BLOB || realType == TINY_BLOB || realType == MEDIUM_BLOB || realType == LONG_BLOB;
        // no charset metadata at all: BLOB/TEXT are taken as bytes, CHAR/VARCHAR as UTF-8 text
        String charsetName = collation != null ? charsetName(collation, name) : blob ? "binary" : "utf8mb4";
        if (charsetName.equals("binary")) {
            String type = blob ? "blob" : realType == STRING ? "binary(" + stringLength + ")" : "varbinary";
            ValueConverter converter = realType == STRING ? ValueConverters.fixedBinary(stringLength) : ValueConverters.identity();
            return new Column(name, ValueKind.BYTES, 0, 0, type, converter);
        }
        String javaCharset = charsetName;
        MySqlCharsets.TextDecoder decoder = MySqlCharsets.decoder(charsetName).orElseGet(() -> {
            logger.warn("Charset " + javaCharset + " of column " + name + " has no Java decoder here; decoding it as UTF-8");
            return MySqlCharsets.decoder("utf8mb4").orElseThrow();
        });
        String type = (blob ? "text" : realType == STRING ? "char" : "varchar") + " charset " + charsetName;
        return new Column(name, ValueKind.STRING, 0, 0, type, ValueConverters.text(decoder));
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
