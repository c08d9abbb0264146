package dev.nificdc.cdc.record;

import org.apache.avro.Schema;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What one kind of source writes into change records besides what every source shares (Debezium's
 * {@code SourceInfoStructMaker}): its own fields of the envelope's {@code source} block, which follow {@code version,
 * connector, name, ts_ms, snapshot, db, table}, and the position fields of the flattened row, which follow {@code __op,
 * __deleted, __ts_ms, __source_ts_ms, __db, __table}. Each kind declares one constant instance; all records of that
 * kind share its layout.
 *
 * @param schemaName            the full Avro name of the {@code source} record
 * @param envelopeFields        the kind's own fields of the {@code source} record, in order
 * @param flattenedFields       the flattened row's position fields, in order (names with their {@code __} prefix)
 * @param <S>                   the kind's source block type
 */
public record SourceFields<S extends SourceInfo>(String schemaName, List<Field<S>> envelopeFields, List<Field<S>> flattenedFields) {

    public SourceFields {
        Objects.requireNonNull(schemaName, "schemaName");
        envelopeFields = List.copyOf(envelopeFields);
        flattenedFields = List.copyOf(flattenedFields);
    }

    /**
     * One source-specific field.
     *
     * @param name     the Avro field name
     * @param type     its Avro type
     * @param optional true for a {@code ["null", type]} union with a null default
     * @param value    reads the field's value from a source block of this kind
     */
    public record Field<S>(String name, Schema.Type type, boolean optional, Function<S, Object> value) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(value, "value");
        }

        /** The Avro field, a new instance each time (Avro fields belong to one record schema). */
        public Schema.Field avroField() {
            Schema schema = Schema.create(type);
            return optional
                    ? new Schema.Field(name, Schema.createUnion(Schema.create(Schema.Type.NULL), schema), null, Schema.Field.NULL_DEFAULT_VALUE)
                    : new Schema.Field(name, schema);
        }
    }

    /** A required field. */
    public static <S> Field<S> required(String name, Schema.Type type, Function<S, Object> value) {
        return new Field<>(name, type, false, value);
    }

    /** An optional field: a {@code ["null", type]} union with a null default. */
    public static <S> Field<S> optional(String name, Schema.Type type, Function<S, Object> value) {
        return new Field<>(name, type, true, value);
    }

    /** The value of envelope field {@code index} of {@code source}, which must be of this kind. */
    public Object envelopeValue(int index, SourceInfo source) {
        return envelopeFields.get(index).value().apply(cast(source));
    }

    /** The value of flattened field {@code index} of {@code source}, which must be of this kind. */
    public Object flattenedValue(int index, SourceInfo source) {
        return flattenedFields.get(index).value().apply(cast(source));
    }

    @SuppressWarnings("unchecked")
    private S cast(SourceInfo source) {
        if (source.fields() != this) {
            throw new IllegalArgumentException("A " + source.connector() + " source block does not fit the " + schemaName + " layout");
        }
        return (S) source;
    }
}
