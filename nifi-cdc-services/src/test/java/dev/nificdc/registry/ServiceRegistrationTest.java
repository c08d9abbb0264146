package dev.nificdc.registry;

import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.controller.ControllerService;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NiFi finds our services through META-INF/services, and each carries its documentation. */
class ServiceRegistrationTest {

    @Test
    void everyRegisteredServiceIsAControllerServiceWithDocs() throws Exception {
        final List<String> classNames = registeredClassNames();
        assertEquals(List.of(ConfluentSchemaRegistryService.class.getName(), ConfluentWireFormatWriter.class.getName(),
                ConfluentWireFormatReader.class.getName()), classNames);
        for (final String className : classNames) {
            final Class<?> type = Class.forName(className);
            assertTrue(ControllerService.class.isAssignableFrom(type), className);
            assertNotNull(type.getAnnotation(CapabilityDescription.class), className + " @CapabilityDescription");
            assertNotNull(type.getAnnotation(Tags.class), className + " @Tags");
            try (InputStream docs = getClass().getResourceAsStream("/docs/" + className + "/additionalDetails.md")) {
                assertNotNull(docs, className + " additionalDetails.md");
                assertTrue(new String(docs.readAllBytes(), StandardCharsets.UTF_8).contains("# " + type.getSimpleName()), className);
            }
            type.getConstructor().newInstance();
        }
    }

    private List<String> registeredClassNames() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/services/" + ControllerService.class.getName())) {
            assertNotNull(in);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        }
    }
}
