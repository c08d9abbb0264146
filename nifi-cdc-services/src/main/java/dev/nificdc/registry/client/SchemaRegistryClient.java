package dev.nificdc.registry.client;

import dev.nificdc.registry.SchemaRegistryException;

/**
 * The Confluent Schema Registry REST calls this bundle makes, free of NiFi types. Implementations:
 * {@link RestSchemaRegistryClient} (HTTP, fail-over across URLs) and {@link CachingSchemaRegistryClient} (in front of it).
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /**
     * {@code POST /subjects/{subject}/versions}: registers the schema under the subject, or returns the id it already
     * has there (registration is idempotent).
     *
     * @return the registry-wide schema id
     */
    int register(String subject, String schemaText) throws SchemaRegistryException;

    /**
     * {@code POST /subjects/{subject}}: the id and version of the schema if the subject holds it.
     *
     * @throws SchemaRegistryException with reason SUBJECT_NOT_FOUND or SCHEMA_NOT_FOUND when it does not
     */
    SubjectSchema lookup(String subject, String schemaText) throws SchemaRegistryException;

    /**
     * {@code GET /schemas/ids/{id}}: the schema with this registry-wide id (subject and version are not known).
     */
    SubjectSchema schemaById(int id) throws SchemaRegistryException;

    /**
     * {@code GET /subjects/{subject}/versions/{version}}, or {@code .../latest} when version is null.
     */
    SubjectSchema schemaByVersion(String subject, Integer version) throws SchemaRegistryException;

    /**
     * {@code GET /config}: the registry's global compatibility level, for connection verification (never cached).
     *
     * @return the level, for example BACKWARD, and the URL that answered
     */
    CompatibilityLevel compatibilityLevel() throws SchemaRegistryException;

    /** Releases connections; the client is not used afterwards. */
    @Override
    default void close() {
    }

    /** The global compatibility level and the URL that reported it. */
    record CompatibilityLevel(String level, String url) {
    }
}
