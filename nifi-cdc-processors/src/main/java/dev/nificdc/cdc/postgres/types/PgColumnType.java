package dev.nificdc.cdc.postgres.types;

import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.ValueKind;

import java.util.Objects;
import java.util.function.Function;

/**
 * How the values of one PostgreSQL column type (a type OID with a type modifier) become canonical change-record values:
 * the {@link ValueKind} and declared type of the column, and the conversion from the type's text output.
 *
 * <p>Both capture paths read that same text: pgoutput sends each value as the text its type's output function writes,
 * and the snapshot reads {@code "col"::text}, which calls the same function. Under {@link PgSessionSettings} the text is
 * exact and identical on both paths, so a snapshot row and a streamed row of the same value are equal.
 */
public final class PgColumnType {
    private final int typeOid;
    private final int typmod;
    private final String sourceType;
    private final ValueKind kind;
    private final int precision;
    private final int scale;
    private final Function<String, Object> fromText;

    PgColumnType(int typeOid, int typmod, String sourceType, ValueKind kind, int precision, int scale, Function<String, Object> fromText) {
        this.typeOid = typeOid;
        this.typmod = typmod;
        this.sourceType = Objects.requireNonNull(sourceType, "sourceType");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.precision = precision;
        this.scale = scale;
        this.fromText = Objects.requireNonNull(fromText, "fromText");
    }

    /** The same conversion under another declared name (a domain keeps its base type's values). */
    PgColumnType named(int oid, String name) {
        return new PgColumnType(oid, typmod, name, kind, precision, scale, fromText);
    }

    /** The column schema of a column of this type. */
    public ColumnSchema column(String name, boolean nullable) {
        return new ColumnSchema(name, kind, nullable, precision, scale, sourceType);
    }

    /**
     * The canonical value of a value whose text output is {@code text} (null for SQL NULL); the Java class is the one
     * {@link #kind()} documents.
     *
     * @throws IllegalArgumentException when the text is not what this type prints under {@link PgSessionSettings}
     */
    public Object fromText(String text) {
        return text == null ? null : fromText.apply(text);
    }

    public ValueKind kind() {
        return kind;
    }

    /** The declared type, as PostgreSQL's {@code format_type} writes it: {@code numeric(10,2)}, {@code mood}, {@code integer[]}. */
    public String sourceType() {
        return sourceType;
    }

    public int typeOid() {
        return typeOid;
    }

    public int typmod() {
        return typmod;
    }

    public int precision() {
        return precision;
    }

    public int scale() {
        return scale;
    }

    @Override
    public String toString() {
        return sourceType + " -> " + kind;
    }
}
