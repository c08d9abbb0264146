package dev.nificdc.cdc.emit;

import dev.nificdc.cdc.record.ChangeSchemas;
import dev.nificdc.cdc.record.ChangeTopics;
import dev.nificdc.cdc.record.TableSchema;
import dev.nificdc.registry.RegisteredSchema;
import dev.nificdc.registry.SchemaRegistrar;
import dev.nificdc.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.serialization.record.SchemaIdentifier;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers each table's value schema (and its key schema, when the table has a primary key) under the subjects of
 * the table's topic, and returns the value schema's registry identifier for the records to carry; the key schema's
 * identifier (subject, id, version) is kept too, for the FlowFile attributes PublishKafka's Record Key Writer reads.
 * The registrar caches, so only a new or changed table schema costs HTTP.
 */
public final class RegistrySchemaIdentifiers implements SchemaIdentifiers {
    private final SchemaRegistrar registrar;
    private final String topicPrefix;
    private final Map<TableSchema, SchemaIdentifier> keyIdentifiers = new ConcurrentHashMap<>();

    public RegistrySchemaIdentifiers(SchemaRegistrar registrar, String topicPrefix) {
        this.registrar = registrar;
        this.topicPrefix = topicPrefix;
    }

    /** Registry identifiers when a registrar is configured, else {@link SchemaIdentifier#EMPTY} for every schema. */
    public static SchemaIdentifiers forRegistrar(SchemaRegistrar registrar, String topicPrefix) {
        return registrar == null ? SchemaIdentifiers.NONE : new RegistrySchemaIdentifiers(registrar, topicPrefix);
    }

    @Override
    public SchemaIdentifier apply(TableSchema table, Schema valueSchema) {
        String topic = ChangeTopics.of(topicPrefix, table);
        try {
            RegisteredSchema value = registrar.registerForTopic(topic, valueSchema, false);
            Schema key = ChangeSchemas.key(table, topicPrefix);
            if (key != null) {
                keyIdentifiers.put(table, registrar.registerForTopic(topic, key, true).toRecordSchema().getIdentifier());
            }
            return value.toRecordSchema().getIdentifier();
        } catch (SchemaRegistryException e) {
            throw new ProcessException("Could not register the schema of " + table.qualifiedName() + " for topic " + topic
                    + ": " + e.getMessage(), e);
        }
    }

    /** The key schema's identifier, registered by {@link #apply} (called here first when it was not yet). */
    @Override
    public SchemaIdentifier keyIdentifier(TableSchema table) {
        if (table.primaryKey().isEmpty()) {
            return SchemaIdentifier.EMPTY;
        }
        SchemaIdentifier known = keyIdentifiers.get(table);
        if (known == null) {
            String topic = ChangeTopics.of(topicPrefix, table);
            try {
                known = registrar.registerForTopic(topic, ChangeSchemas.key(table, topicPrefix), true).toRecordSchema().getIdentifier();
            } catch (SchemaRegistryException e) {
                throw new ProcessException("Could not register the key schema of " + table.qualifiedName() + " for topic " + topic
                        + ": " + e.getMessage(), e);
            }
            keyIdentifiers.put(table, known);
        }
        return known;
    }
}
