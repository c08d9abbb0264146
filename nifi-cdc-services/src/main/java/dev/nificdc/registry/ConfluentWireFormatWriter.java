package dev.nificdc.registry;

import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.schema.access.SchemaField;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.schemaregistry.services.SchemaReferenceWriter;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.SchemaIdentifier;

import java.io.IOException;
import java.io.OutputStream;
import java.util.EnumSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

@Tags({"confluent", "schema", "registry", "kafka", "avro", "wire format", "cdc"})
@CapabilityDescription("""
        Writes the Confluent wire format header (magic byte 0x00 and the 4-byte big-endian schema id) in front of the \
        records a Record Writer writes. Use it as the "Schema Reference Writer" of an AvroRecordSetWriter whose Schema Write \
        Strategy is "Schema Reference Writer". The schema id comes from the record schema's identifier: schemas registered \
        through ConfluentSchemaRegistryService by this bundle's processors, or read through it, carry one.""")
@SeeAlso({ConfluentSchemaRegistryService.class, ConfluentWireFormatReader.class})
public class ConfluentWireFormatWriter extends AbstractControllerService implements SchemaReferenceWriter {

    private static final Set<SchemaField> REQUIRED_SCHEMA_FIELDS = EnumSet.of(SchemaField.SCHEMA_IDENTIFIER);

    @Override
    public void writeHeader(final RecordSchema recordSchema, final OutputStream outputStream) throws IOException {
        try {
            ConfluentWireFormat.writeHeader(schemaId(recordSchema), outputStream);
        } catch (final SchemaNotFoundException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public Map<String, String> getAttributes(final RecordSchema recordSchema) {
        return Map.of();
    }

    @Override
    public void validateSchema(final RecordSchema recordSchema) throws SchemaNotFoundException {
        schemaId(recordSchema);
    }

    @Override
    public Set<SchemaField> getRequiredSchemaFields() {
        return REQUIRED_SCHEMA_FIELDS;
    }

    static int schemaId(final RecordSchema recordSchema) throws SchemaNotFoundException {
        final SchemaIdentifier identifier = recordSchema.getIdentifier();
        final OptionalLong id = identifier.getIdentifier().isPresent() ? identifier.getIdentifier() : identifier.getSchemaVersionId();
        if (id.isEmpty()) {
            throw new SchemaNotFoundException("Cannot write the Confluent wire format header: the record schema"
                    + identifier.getName().map(name -> " '" + name + "'").orElse("") + " carries no Schema Registry id. Register the schema"
                    + " through ConfluentSchemaRegistryService (this bundle's processors do so when given the service), or have the"
                    + " Record Writer take its schema from the Schema Registry instead of from the records.");
        }
        final long value = id.getAsLong();
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new SchemaNotFoundException("Cannot write the Confluent wire format header: schema id " + value + " does not fit in 4 bytes");
        }
        return (int) value;
    }
}
