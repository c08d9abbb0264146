package dev.nificdc.registry.client;

import org.apache.avro.Schema;

import java.util.Objects;

/**
 * A schema as returned by the registry. Subject and version are null when the schema was read by id alone
 * ({@code GET /schemas/ids/{id}} does not say which subjects use it).
 *
 * @param subject    the subject, or null
 * @param id         the registry-wide schema id
 * @param version    the version within the subject, or null
 * @param schemaText the schema text exactly as the registry returned it
 * @param schema     the parsed Avro schema
 */
public record SubjectSchema(String subject, int id, Integer version, String schemaText, Schema schema) {

    public SubjectSchema {
        Objects.requireNonNull(schemaText, "schemaText");
        Objects.requireNonNull(schema, "schema");
    }
}
