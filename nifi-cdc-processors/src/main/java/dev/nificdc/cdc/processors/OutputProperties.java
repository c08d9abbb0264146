package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.registry.SchemaRegistrar;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.processor.util.StandardValidators;
import org.apache.nifi.serialization.RecordSetWriterFactory;

/**
 * The property descriptors every capture processor shares: how its change records are written, shaped, named and
 * registered. Defined once so names, descriptions and the expression-language policy (environment variables for
 * Topic Prefix, none for the controller services and the choice) are the same everywhere. A processor whose default
 * shape differs derives its own with {@code new PropertyDescriptor.Builder().fromPropertyDescriptor(OUTPUT_SHAPE)
 * .defaultValue(...)}.
 */
public final class OutputProperties {
    private OutputProperties() {
    }

    public static final PropertyDescriptor RECORD_WRITER = new PropertyDescriptor.Builder()
            .name("Record Writer")
            .description("""
                    Writes the change records. Use an AvroRecordSetWriter with Schema Access Strategy 'Inherit Record Schema' to \
                    get the exact derived Avro schema (with every microsecond and DECIMAL digit), or any other writer.""")
            .required(true)
            .identifiesControllerService(RecordSetWriterFactory.class)
            .build();

    public static final PropertyDescriptor OUTPUT_SHAPE = new PropertyDescriptor.Builder()
            .name("Output Shape")
            .description("What each record looks like.")
            .required(true)
            .allowableValues(OutputShape.class)
            .defaultValue(OutputShape.ENVELOPE)
            .build();

    public static final PropertyDescriptor SCHEMA_REGISTRY = new PropertyDescriptor.Builder()
            .name("Schema Registry")
            .description("""
                    Optional. When set, the processor registers each table's value schema (and key schema) under the subjects \
                    of the table's topic (cdc.topic) when it first sees the table and after every schema change, and the \
                    records carry the registry id and version. An AvroRecordSetWriter whose Schema Write Strategy is \
                    'Schema Reference Writer' with the Confluent Wire Format Writer then writes Confluent-framed records.""")
            .required(false)
            .identifiesControllerService(SchemaRegistrar.class)
            .build();

    public static final PropertyDescriptor TOPIC_PREFIX = new PropertyDescriptor.Builder()
            .name("Topic Prefix")
            .description("""
                    The logical name of this source: written into source.name of every record and used as the first part of \
                    the suggested Kafka topic attribute cdc.topic (<prefix>.<database>.<table>, reduced to the characters Kafka \
                    allows as Debezium does: see the processor's documentation) and of the Avro namespaces. \
                    When empty, topics are <database>.<table>; see the processor's documentation for the source.name it \
                    then writes.""")
            .required(false)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();
}
