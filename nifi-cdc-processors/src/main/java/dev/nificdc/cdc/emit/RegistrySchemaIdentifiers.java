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

import java.util.function.BiFunction;

/**
 * Registers each table's value schema (and its key schema, when the table has a primary key) under the subjects of
 * the table's topic, and returns the value schema's registry identifier for the records to carry. The registrar
 * caches, so only a new or changed table schema costs HTTP.
 */
public final class RegistrySchemaIdentifiers implements BiFunction<TableSchema, Schema, SchemaIdentifier> {
    private final SchemaRegistrar registrar;
    private final String topicPrefix;

    public RegistrySchemaIdentifiers(SchemaRegistrar registrar, String topicPrefix) {
        this.registrar = registrar;
        this.topicPrefix = topicPrefix;
    }

    /** Registry identifiers when a registrar is configured, else {@link SchemaIdentifier#EMPTY} for every schema. */
    public static BiFunction<TableSchema, Schema, SchemaIdentifier> forRegistrar(SchemaRegistrar registrar, String topicPrefix) {
        return registrar == null ? (table, schema) -> SchemaIdentifier.EMPTY : new RegistrySchemaIdentifiers(registrar, topicPrefix);
    }

    @Override
    public SchemaIdentifier apply(TableSchema table, Schema valueSchema) {
        String topic = ChangeTopics.of(topicPrefix, table);
        try {
            RegisteredSchema value = registrar.registerForTopic(topic, valueSchema, false);
            Schema key = ChangeSchemas.key(table, topicPrefix);
            if (key != null) {
                registrar.registerForTopic(topic, key, true);
            }
            return value.toRecordSchema().getIdentifier();
        } catch (SchemaRegistryException e) {
            throw new ProcessException("Could not register the schema of " + table.qualifiedName() + " for topic " + topic
                    + ": " + e.getMessage(), e);
        }
    }
}
