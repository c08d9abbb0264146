package dev.nificdc.registry;

import org.apache.avro.Schema;
import org.apache.nifi.avro.AvroTypeUtil;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.SchemaIdentifier;

import java.util.Objects;

/**
 * A schema as the registry knows it.
 *
 * @param subject the subject the schema is registered under
 * @param id      the registry-wide schema id (the number in the Confluent wire format header)
 * @param version the version of the schema within the subject
 * @param schema  the Avro schema
 */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {

    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }

    /**
     * A NiFi record schema that carries this schema's exact Avro text (format {@code avro}, so an Avro writer with
     * "Inherit Record Schema" writes it unchanged) and an identifier with the subject as name, the id and the version
     * (what {@link ConfluentWireFormatWriter} and NiFi's own Confluent writer need).
     */
    public RecordSchema toRecordSchema() {
        final SchemaIdentifier identifier = SchemaIdentifier.builder()
                .name(subject)
                .id((long) id)
                .version(version)
                .build();
        return AvroTypeUtil.createSchema(schema, schema.toString(), identifier);
    }
}
