package dev.nificdc.nar.templates;

import org.apache.nifi.flow.VersionedConnection;
import org.apache.nifi.flow.VersionedControllerService;
import org.apache.nifi.flow.VersionedProcessGroup;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The shipped Kafka flows publish what Debezium users expect: one message per row change, keyed by the row's primary
 * key (Avro, registered as {@code <topic>-key}), the change envelope as value ({@code <topic>-value}), a tombstone after
 * each delete, one topic per table. That takes the capture processor's "Kafka Record Wrapper" output and PublishKafka's
 * "Use Wrapper" strategy with key and value writers that look the schemas up by subject and by the versions the
 * FlowFile names (BinlogToKafkaIT publishes records through writers configured exactly so, to a real broker).
 */
class KafkaFlowKeysTest {
    private static final String PUBLISH_KAFKA = "org.apache.nifi.kafka.processors.PublishKafka";
    private static final String AVRO_WRITER = "org.apache.nifi.avro.AvroRecordSetWriter";

    static Stream<Path> kafkaFlows() throws IOException {
        return FlowDefinitionTemplatesTest.templates().filter(KafkaFlowKeysTest::publishesToKafka);
    }

    @Test
    void everyKafkaFlowIsChecked() throws IOException {
        assertEquals(List.of("binlog-to-kafka.json", "postgres-to-kafka.json", "timestamp-to-kafka.json"),
                kafkaFlows().map(p -> p.getFileName().toString()).sorted().toList());
    }

    @ParameterizedTest
    @MethodSource("kafkaFlows")
    void messagesAreKeyedByPrimaryKeyWithTombstonesOneTopicPerTable(Path file) throws IOException {
        VersionedProcessGroup flow = FlowDefinitionTemplatesTest.read(file).getFlowContents();
        Map<String, VersionedControllerService> services = flow.getControllerServices().stream()
                .collect(Collectors.toMap(VersionedControllerService::getIdentifier, s -> s));
        VersionedProcessor publish = flow.getProcessors().stream().filter(p -> p.getType().equals(PUBLISH_KAFKA)).findFirst().orElseThrow();
        VersionedProcessor capture = upstreamOf(flow, publish);

        Map<String, String> captureProperties = capture.getProperties();
        assertEquals("KAFKA_WRAPPER", captureProperties.get("Output Shape"), capture.getName() + ": Output Shape");
        String registry = captureProperties.get("Schema Registry");
        assertNotNull(registry, capture.getName() + " must register the key and value schemas (Schema Registry)");
        VersionedControllerService captureWriter = services.get(captureProperties.get("Record Writer"));
        assertEquals(AVRO_WRITER, captureWriter.getType());
        assertEquals("inherit-record-schema", captureWriter.getProperties().get("schema-access-strategy"));
        assertEquals("avro-embedded", captureWriter.getProperties().get("Schema Write Strategy"),
                "the wrapper is no registered schema: the FlowFile embeds it");

        Map<String, String> publishProperties = publish.getProperties();
        assertEquals("USE_WRAPPER", publishProperties.get("Publish Strategy"), "key and value come from the wrapper record");
        assertEquals("FROM_RECORD", publishProperties.get("Record Metadata Strategy"), "the topic comes from metadata.topic");
        assertEquals("${cdc.topic}", publishProperties.get("Topic Name"), "the fallback topic is the same per-table topic");
        assertNull(publishProperties.get("Kafka Key"), "a FlowFile-wide key would give all rows of a FlowFile one key");
        assertNull(publishProperties.get("Message Key Field"), "ignored with Use Wrapper");
        VersionedControllerService reader = services.get(publishProperties.get("Record Reader"));
        assertEquals("org.apache.nifi.avro.AvroReader", reader.getType());
        assertEquals("embedded-avro-schema", reader.getProperties().get("schema-access-strategy"));

        assertFramesWithRegisteredSchema(services, publishProperties.get("Record Key Writer"), registry, "key");
        assertFramesWithRegisteredSchema(services, publishProperties.get("Record Writer"), registry, "value");
    }

    /** A writer that takes the schema {@code <topic>-<part>} of the FlowFile's version from the registry and frames each record. */
    private static void assertFramesWithRegisteredSchema(Map<String, VersionedControllerService> services, String id, String registry, String part) {
        assertNotNull(id, "PublishKafka has no " + part + " writer");
        VersionedControllerService writer = services.get(id);
        Map<String, String> properties = writer.getProperties();
        String where = writer.getName() + " (" + part + ")";
        assertEquals(AVRO_WRITER, writer.getType(), where);
        assertEquals("schema-name", properties.get("schema-access-strategy"), where);
        assertEquals(registry, properties.get("schema-registry"), where + " uses the registry the capture processor registers with");
        assertEquals("${cdc.topic}-" + part, properties.get("schema-name"), where);
        assertEquals("${cdc." + part + ".schema.version}", properties.get("schema-version"),
                where + ": the version the FlowFile's records were written with, never 'latest'");
        assertEquals("schema-reference-writer", properties.get("Schema Write Strategy"), where);
        VersionedControllerService framing = services.get(properties.get("Schema Reference Writer"));
        assertEquals("dev.nificdc.registry.ConfluentWireFormatWriter", framing.getType(), where + " frames with the Confluent header");
    }

    private static VersionedProcessor upstreamOf(VersionedProcessGroup flow, VersionedProcessor processor) {
        List<String> sources = flow.getConnections().stream()
                .filter(c -> c.getDestination().getId().equals(processor.getIdentifier()))
                .map(VersionedConnection::getSource).map(s -> s.getId()).toList();
        assertEquals(1, sources.size(), processor.getName() + " has one upstream processor");
        VersionedProcessor upstream = flow.getProcessors().stream().filter(p -> p.getIdentifier().equals(sources.getFirst())).findFirst().orElseThrow();
        assertFalse(upstream.getType().equals(PUBLISH_KAFKA));
        return upstream;
    }

    private static boolean publishesToKafka(Path file) {
        try {
            RegisteredFlowSnapshot snapshot = FlowDefinitionTemplatesTest.read(file);
            return snapshot.getFlowContents().getProcessors().stream().anyMatch(p -> p.getType().equals(PUBLISH_KAFKA));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
