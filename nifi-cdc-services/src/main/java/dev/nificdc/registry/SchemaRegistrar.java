package dev.nificdc.registry;

import org.apache.avro.Schema;
import org.apache.nifi.controller.ControllerService;

/**
 * Registers the Avro schemas our processors derive in a Confluent-compatible Schema Registry, so that records can be
 * written in the Confluent wire format (byte {@code 0x00}, the 4-byte big-endian schema id, the Avro binary datum).
 *
 * <p>Typical use by a processor, once per schema change (the service caches, so repeated calls do no HTTP):</p>
 * <pre>{@code
 * String subject = registrar.subjectName(topic, valueSchema, false);   // per the configured strategy
 * RegisteredSchema registered = registrar.register(subject, valueSchema);
 * RecordSchema recordSchema = registered.toRecordSchema();          // carries id, version and the exact Avro text
 * // hand recordSchema to a RecordSetWriter configured with "Schema Reference Writer" = ConfluentWireFormatWriter
 * }</pre>
 */
public interface SchemaRegistrar extends ControllerService {

    /**
     * Returns the id and version of the schema under the subject. When the service's "Auto-Register Schemas" is true the
     * schema is registered if the subject does not hold it yet (registering an existing schema returns its existing id);
     * otherwise it is only looked up.
     *
     * @param subject the registry subject, for example from {@link #subjectName(String, Schema, boolean)}
     * @param schema  the Avro schema
     * @return the subject, the registry-wide schema id, the version within the subject and the schema
     * @throws SchemaRegistryException when the registry rejects the schema (incompatible, invalid), does not hold it and
     *                                 auto-registration is off, refuses the credentials, or cannot be reached; the message
     *                                 says which and what to do
     */
    RegisteredSchema register(String subject, Schema schema) throws SchemaRegistryException;

    /**
     * The subject for a Kafka topic's key or value schema under the configured "Subject Name Strategy"
     * (TopicNameStrategy {@code <topic>-key}/{@code <topic>-value}, RecordNameStrategy {@code <record full name>},
     * TopicRecordNameStrategy {@code <topic>-<record full name>}).
     *
     * @param topic  the Kafka topic (may be null only for the record name strategy)
     * @param schema the key or value schema; its full name is used by the record-name strategies
     * @param key    true for the message key's schema, false for the value's
     * @return the subject name
     * @throws IllegalArgumentException when the strategy needs a topic or a named record schema and none is given
     */
    String subjectName(String topic, Schema schema, boolean key);

    /**
     * Convenience for {@code register(subjectName(topic, schema, key), schema)}.
     */
    default RegisteredSchema registerForTopic(final String topic, final Schema schema, final boolean key) throws SchemaRegistryException {
        return register(subjectName(topic, schema, key), schema);
    }
}
