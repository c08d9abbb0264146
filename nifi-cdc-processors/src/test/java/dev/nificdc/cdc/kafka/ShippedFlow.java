package dev.nificdc.cdc.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.Producer;
import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.flow.VersionedControllerService;
import org.apache.nifi.flow.VersionedProcessGroup;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.apache.nifi.serialization.RecordReaderFactory;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.util.TestRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A flow definition of {@code templates/} as shipped, brought into NiFi's test framework: its controller services
 * (all but Kafka's connection service, whose NAR is not available to the build) with their properties, and the
 * properties of its processors, with every parameter reference replaced by a value the test gives. PublishKafka itself
 * is {@link RecordPublisher}, configured from PublishKafka's properties in the file.
 */
final class ShippedFlow {
    private static final Pattern PARAMETER = Pattern.compile("#\\{([^}]+)}");
    private static final String PUBLISH_KAFKA = "org.apache.nifi.kafka.processors.PublishKafka";
    private static final String KAFKA_SERVICE_PREFIX = "org.apache.nifi.kafka.";

    private final VersionedProcessGroup flow;
    private final Map<String, String> parameters;

    private ShippedFlow(VersionedProcessGroup flow, Map<String, String> parameters) {
        this.flow = flow;
        this.parameters = parameters;
    }

    /** The file {@code name} of templates/ (the directory is the system property templates.dir, else ../templates). */
    static ShippedFlow read(String name, Map<String, String> parameters) throws IOException {
        Path file = Path.of(System.getProperty("templates.dir", "../templates")).resolve(name);
        RegisteredFlowSnapshot snapshot = new ObjectMapper().readValue(Files.readString(file), RegisteredFlowSnapshot.class);
        return new ShippedFlow(snapshot.getFlowContents(), parameters);
    }

    /** Adds the flow's controller services to {@code runner} under their ids in the file, configured and enabled. */
    void addServicesTo(TestRunner runner) throws Exception {
        List<VersionedControllerService> pending = new ArrayList<>();
        for (VersionedControllerService service : flow.getControllerServices()) {
            if (service.getType().startsWith(KAFKA_SERVICE_PREFIX)) {
                continue;
            }
            ControllerService instance = (ControllerService) Class.forName(service.getType()).getDeclaredConstructor().newInstance();
            runner.addControllerService(service.getIdentifier(), instance);
            for (Map.Entry<String, String> property : service.getProperties().entrySet()) {
                runner.setProperty(instance, property.getKey(), resolve(property.getValue()));
            }
            pending.add(service);
        }
        // A service is enabled once every service it references is.
        Set<String> enabled = new HashSet<>();
        while (!pending.isEmpty()) {
            VersionedControllerService next = pending.stream()
                    .filter(s -> referencedServices(s).stream().allMatch(enabled::contains)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("Services reference each other in a cycle: " + pending));
            runner.enableControllerService(runner.getControllerService(next.getIdentifier()));
            enabled.add(next.getIdentifier());
            pending.remove(next);
        }
    }

    /** The properties of the processor of {@code type}, parameters resolved. */
    Map<String, String> processorProperties(String type) {
        Map<String, String> resolved = new LinkedHashMap<>();
        processor(type).getProperties().forEach((name, value) -> resolved.put(name, resolve(value)));
        return resolved;
    }

    /** PublishKafka of this flow: its Publish Strategy, Record Reader, Record Writer and Record Key Writer, from {@code runner}. */
    RecordPublisher publisher(TestRunner runner, Producer<byte[], byte[]> producer) {
        Map<String, String> publish = processorProperties(PUBLISH_KAFKA);
        RecordPublisher.Strategy strategy = "USE_WRAPPER".equals(publish.get("Publish Strategy"))
                ? RecordPublisher.Strategy.USE_WRAPPER : RecordPublisher.Strategy.USE_VALUE;
        return new RecordPublisher(strategy,
                (RecordReaderFactory) runner.getControllerService(publish.get("Record Reader")),
                (RecordSetWriterFactory) runner.getControllerService(publish.get("Record Writer")),
                (RecordSetWriterFactory) runner.getControllerService(publish.get("Record Key Writer")),
                producer, runner.getLogger());
    }

    private VersionedProcessor processor(String type) {
        return flow.getProcessors().stream().filter(p -> p.getType().equals(type)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("The flow has no processor of type " + type));
    }

    private Set<String> referencedServices(VersionedControllerService service) {
        Set<String> ids = new HashSet<>();
        service.getPropertyDescriptors().forEach((name, descriptor) -> {
            if (descriptor.getIdentifiesControllerService() && service.getProperties().get(name) != null) {
                ids.add(service.getProperties().get(name));
            }
        });
        return ids;
    }

    private String resolve(String value) {
        if (value == null) {
            return null;
        }
        Matcher reference = PARAMETER.matcher(value);
        return reference.replaceAll(m -> {
            String parameter = parameters.get(m.group(1));
            if (parameter == null) {
                throw new IllegalArgumentException("The test gives no value for parameter " + m.group(1));
            }
            return Matcher.quoteReplacement(parameter);
        });
    }
}
