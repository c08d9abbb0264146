package dev.nificdc.cdc.postgres.types;

import dev.nificdc.cdc.record.ValueKind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The types of one PostgreSQL database as {@code pg_type} describes them (base types, enums with their labels,
 * domains with their base types and modifiers, arrays with their element types) and the {@link PgColumnType} of each
 * column type. A type created after {@link #load} (a new enum, a new domain) is read when first asked for.
 *
 * <p>The mapping, chosen so that no value changes on the way (see the processor's "PostgreSQL types" documentation):
 * integers, floats (NaN, infinities and -0 included), booleans, bytea, character types, enums and text-like types map to
 * their Avro counterparts; {@code date} to Avro date with {@code ±infinity} as the int extremes (outside every finite
 * date); {@code time} to microseconds since midnight; {@code money} to a decimal in the database currency's smallest
 * unit; everything that no Avro type carries exactly (numeric, which may be NaN; timestamps, which reach years beyond
 * 294,000 and infinity; timetz, interval, bit strings, arrays, geometric, range and unknown types) to
 * {@link ValueKind#SOURCE_TEXT}, PostgreSQL's own text output.
 *
 * <p>Thread-safe; the connection given to {@link #load} is used only to read types not seen yet, so it must stay open
 * for as long as the catalog resolves types (it is not closed here).
 */
public final class PgTypeCatalog {
    private static final String TYPES = """
            SELECT t.oid, n.nspname, t.typname, t.typtype, t.typcategory, t.typelem, t.typbasetype, t.typtypmod
            FROM pg_catalog.pg_type t
            JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
            """;
    /** Every type but pseudo-types and the row types of tables, views and sequences (one per relation: too many to read up front). */
    private static final String ALL_TYPES = TYPES + " WHERE t.typtype <> 'p' AND (t.typrelid = 0 OR c.relkind = 'c')";
    private static final String ONE_TYPE = TYPES + " WHERE t.oid = ?::pg_catalog.oid";
    private static final String ENUM_LABELS = "SELECT enumtypid, enumlabel FROM pg_catalog.pg_enum ORDER BY enumtypid, enumsortorder";
    private static final String MONEY_SCALE = "SELECT pg_catalog.scale(0::pg_catalog.money::pg_catalog.numeric)";

    /** One row of {@code pg_type}. */
    record PgType(int oid, String namespace, String name, char typtype, char category, int elementOid, int baseOid, int baseTypmod) {
        boolean isArray() {
            return category == 'A' && elementOid != 0;
        }

        /** The type's name as format_type writes it: unqualified in pg_catalog and public, else schema-qualified. */
        String qualifiedName() {
            return namespace.equals("pg_catalog") || namespace.equals("public") ? name : namespace + "." + name;
        }
    }

    private final Connection connection;
    private final Map<Integer, PgType> types = new HashMap<>();
    private final Map<Integer, List<String>> enumLabels = new HashMap<>();
    private final Map<Long, PgColumnType> resolved = new HashMap<>();
    private final int moneyScale;

    private PgTypeCatalog(Connection connection, int moneyScale) {
        this.connection = connection;
        this.moneyScale = moneyScale;
    }

    /**
     * Reads the database's types over {@code connection}, a session with {@link PgSessionSettings} applied (its
     * lc_monetary fixes the fraction digits of money). The connection stays in use for types created later.
     */
    public static PgTypeCatalog load(Connection connection) throws SQLException {
        Objects.requireNonNull(connection, "connection");
        int moneyScale;
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(MONEY_SCALE)) {
            rs.next();
            moneyScale = rs.getInt(1);
        }
        PgTypeCatalog catalog = new PgTypeCatalog(connection, moneyScale);
        catalog.readAll();
        return catalog;
    }

    /**
     * The column type of {@code typeOid} with modifier {@code typmod} ({@code atttypmod} in the catalog, the type
     * modifier of a pgoutput Relation message's column), reading the type from the server when it is new.
     *
     * @throws SQLException             when the type had to be read and could not be
     * @throws IllegalArgumentException when the database has no type {@code typeOid}
     */
    public synchronized PgColumnType resolve(int typeOid, int typmod) throws SQLException {
        long key = ((long) typeOid << 32) | (typmod & 0xFFFFFFFFL);
        PgColumnType known = resolved.get(key);
        if (known != null) {
            return known;
        }
        PgColumnType type = map(type(typeOid), typmod);
        resolved.put(key, type);
        return type;
    }

    /** The labels of enum type {@code typeOid} in their sort order, read again from the server (labels can be added at any time). */
    public synchronized List<String> enumLabels(int typeOid) throws SQLException {
        readEnumLabels();
        List<String> labels = enumLabels.get(typeOid);
        if (labels == null) {
            throw new IllegalArgumentException("Type OID " + typeOid + " is not an enum type");
        }
        return labels;
    }

    /** Fraction digits of money in this database (from its lc_monetary; 2 for most currencies). */
    public int moneyScale() {
        return moneyScale;
    }

    private PgColumnType map(PgType type, int typmod) throws SQLException {
        if (type.typtype() == 'd') {
            // A domain's values are its base type's; its own modifier applies when the column has none.
            PgColumnType base = map(type(type.baseOid()), typmod >= 0 ? typmod : type.baseTypmod());
            return base.named(type.oid(), type.qualifiedName());
        }
        if (type.typtype() == 'e') {
            return new PgColumnType(type.oid(), typmod, type.qualifiedName(), ValueKind.STRING, 0, 0, PgTypeCatalog::text);
        }
        if (type.isArray()) {
            // Arrays carry dimensions, lower bounds and NULL elements that no Avro array holds: PostgreSQL's array text
            // ({1,NULL,3}, [0:1]={a,b}, {{1,2},{3,4}}) keeps every one of them.
            String element = map(type(type.elementOid()), typmod).sourceType();
            return sourceText(type, typmod, element + "[]");
        }
        PgBuiltinType builtin = PgBuiltinType.of(type.oid());
        if (builtin == null) {
            return type.category() == 'S'
                    ? new PgColumnType(type.oid(), typmod, type.qualifiedName(), ValueKind.STRING, 0, 0, PgTypeCatalog::text)
                    : sourceText(type, typmod, type.qualifiedName());
        }
        String declared = PgTypmod.declaration(builtin, typmod);
        return switch (builtin) {
            case BOOL -> simple(type, typmod, declared, ValueKind.BOOLEAN, PgTextValues::bool);
            case INT2, INT4 -> simple(type, typmod, declared, ValueKind.INT, Integer::valueOf);
            case INT8, OID -> simple(type, typmod, declared, ValueKind.LONG, Long::valueOf);
            case FLOAT4 -> simple(type, typmod, declared, ValueKind.FLOAT, Float::valueOf);
            case FLOAT8 -> simple(type, typmod, declared, ValueKind.DOUBLE, Double::valueOf);
            case BYTEA -> simple(type, typmod, declared, ValueKind.BYTES, PgTextValues::bytea);
            case DATE -> simple(type, typmod, declared, ValueKind.DATE, PgTextValues::date);
            case TIME -> simple(type, typmod, declared, ValueKind.TIME_MICROS, PgTextValues::timeOfDay);
            case MONEY -> new PgColumnType(type.oid(), typmod, declared, ValueKind.DECIMAL, 19, moneyScale,
                    text -> PgTextValues.money(text, moneyScale));
            case BIT -> PgTypmod.length(builtin, typmod) == 1
                    ? simple(type, typmod, declared, ValueKind.BOOLEAN, PgTextValues::bit)
                    : sourceText(type, typmod, declared);
            case CHAR, NAME, TEXT, BPCHAR, VARCHAR, JSON, JSONB, XML, UUID, INET, CIDR, MACADDR, MACADDR8 ->
                    simple(type, typmod, declared, ValueKind.STRING, PgTypeCatalog::text);
            case NUMERIC, TIMESTAMP, TIMESTAMPTZ, TIMETZ, INTERVAL, VARBIT -> sourceText(type, typmod, declared);
        };
    }

    private static PgColumnType simple(PgType type, int typmod, String declared, ValueKind kind, Function<String, ?> parse) {
        return new PgColumnType(type.oid(), typmod, declared, kind, 0, 0, parse::apply);
    }

    private static PgColumnType sourceText(PgType type, int typmod, String declared) {
        return new PgColumnType(type.oid(), typmod, declared, ValueKind.SOURCE_TEXT, 0, 0, PgTypeCatalog::text);
    }

    /** Text-valued types: the canonical value is the text output itself. */
    private static Object text(String text) {
        return text;
    }

    private PgType type(int oid) throws SQLException {
        PgType type = types.get(oid);
        if (type == null) {
            type = readOne(oid);
        }
        return type;
    }

    private void readAll() throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(ALL_TYPES)) {
            while (rs.next()) {
                PgType type = row(rs);
                types.put(type.oid(), type);
            }
        }
        readEnumLabels();
    }

    private PgType readOne(int oid) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(ONE_TYPE)) {
            statement.setLong(1, Integer.toUnsignedLong(oid));
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("PostgreSQL has no type with OID " + oid + " (was it dropped?)");
                }
                PgType type = row(rs);
                types.put(oid, type);
                if (type.typtype() == 'e') {
                    readEnumLabels();
                }
                return type;
            }
        }
    }

    private void readEnumLabels() throws SQLException {
        Map<Integer, List<String>> labels = new HashMap<>();
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(ENUM_LABELS)) {
            while (rs.next()) {
                labels.computeIfAbsent((int) rs.getLong(1), oid -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        enumLabels.clear();
        labels.forEach((oid, list) -> enumLabels.put(oid, List.copyOf(list)));
    }

    private static PgType row(ResultSet rs) throws SQLException {
        return new PgType((int) rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4).charAt(0), rs.getString(5).charAt(0),
                (int) rs.getLong(6), (int) rs.getLong(7), rs.getInt(8));
    }
}
