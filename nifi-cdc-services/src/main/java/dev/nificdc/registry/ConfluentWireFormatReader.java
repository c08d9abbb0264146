package dev.nificdc.registry;

import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.schema.access.SchemaField;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.schemaregistry.services.SchemaReferenceReader;
import org.apache.nifi.serialization.record.SchemaIdentifier;

import java.io.IOException;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

@Tags({"confluent", "schema", "registry", "kafka", "avro", "wire format", "cdc"})
@CapabilityDescription("""
        Reads the Confluent wire format header (magic byte 0x00 and the 4-byte big-endian schema id) at the start of the \
        content and hands the schema id to the Schema Registry. Use it as the "Schema Reference Reader" of an AvroReader \
        whose Schema Access Strategy is "Schema Reference Reader", with ConfluentSchemaRegistryService as its Schema Registry.""")
@SeeAlso({ConfluentSchemaRegistryService.class, ConfluentWireFormatWriter.class})
public class ConfluentWireFormatReader extends AbstractControllerService implements SchemaReferenceReader {

    private static final Set<SchemaField> SUPPLIED_SCHEMA_FIELDS = EnumSet.of(SchemaField.SCHEMA_IDENTIFIER);

    @Override
    public SchemaIdentifier getSchemaIdentifier(final Map<String, String> variables, final InputStream contentStream) throws SchemaNotFoundException {
        final int schemaId;
        try {
            schemaId = ConfluentWireFormat.readSchemaId(contentStream);
        } catch (final IOException e) {
            throw new SchemaNotFoundException(e.getMessage(), e);
        }
        // Both fields: our registry reads either, NiFi's ConfluentSchemaRegistry reads the schema version id.
        return SchemaIdentifier.builder().id((long) schemaId).schemaVersionId((long) schemaId).build();
    }

    @Override
    public Set<SchemaField> getSuppliedSchemaFields() {
        return SUPPLIED_SCHEMA_FIELDS;
    }
}
