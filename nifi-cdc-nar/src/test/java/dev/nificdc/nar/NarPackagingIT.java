package dev.nificdc.nar;

import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.processor.Processor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opens the NAR that 'package' built and checks what NiFi will see when it loads it. */
class NarPackagingIT {
    private static final String BUNDLED = "META-INF/bundled-dependencies/";
    private static Path nar;

    @BeforeAll
    static void locateNar() {
        nar = Path.of(System.getProperty("nar.file"));
        assertTrue(Files.isRegularFile(nar), "The NAR was not built: " + nar);
    }

    @Test
    void manifestNamesOurBundleAndTheStandardServicesApiParent() throws IOException {
        try (JarFile jar = new JarFile(nar.toFile())) {
            Attributes manifest = jar.getManifest().getMainAttributes();
            assertEquals("dev.nificdc", manifest.getValue("Nar-Group"));
            assertEquals("nifi-cdc-nar", manifest.getValue("Nar-Id"));
            assertEquals(System.getProperty("project.version"), manifest.getValue("Nar-Version"));
            assertEquals("org.apache.nifi", manifest.getValue("Nar-Dependency-Group"));
            assertEquals("nifi-standard-services-api-nar", manifest.getValue("Nar-Dependency-Id"));
            assertEquals("2.6.0", manifest.getValue("Nar-Dependency-Version"));
        }
    }

    @Test
    void bundlesOurJarsAndNoNiFiApiOrFrameworkJar() throws IOException {
        List<String> jars = bundledJars();
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("nifi-cdc-processors-")), "processors jar missing: " + jars);
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("nifi-cdc-services-")), "services jar missing: " + jars);
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("mysql-binlog-connector-java-")), "binlog client missing: " + jars);
        // These come from NiFi itself or from the parent NAR; a second copy in our NAR breaks class identity.
        List<String> forbidden = List.of("nifi-api-", "nifi-framework", "nifi-runtime", "nifi-nar-utils", "nifi-properties-",
                "nifi-record-serialization-service-api", "nifi-schema-registry-service-api", "nifi-dbcp-service-api",
                "nifi-ssl-context-service-api", "nifi-record-2", "nifi-mock", "junit", "slf4j-api", "logback");
        for (String jar : jars) {
            for (String prefix : forbidden) {
                assertFalse(jar.startsWith(prefix), "NAR must not bundle " + jar);
            }
        }
    }

    @Test
    void serviceFilesListEveryProcessorAndControllerServiceWeShip() throws Exception {
        Set<String> processors = new TreeSet<>();
        Set<String> services = new TreeSet<>();
        Set<String> listedProcessors = new TreeSet<>();
        Set<String> listedServices = new TreeSet<>();
        try (JarFile jar = new JarFile(nar.toFile())) {
            for (JarEntry entry : jar.stream().toList()) {
                if (!entry.getName().startsWith(BUNDLED + "nifi-cdc-")) {
                    continue;
                }
                try (JarInputStream ours = new JarInputStream(jar.getInputStream(entry))) {
                    JarEntry inner;
                    while ((inner = ours.getNextJarEntry()) != null) {
                        String name = inner.getName();
                        if (name.equals("META-INF/services/" + Processor.class.getName())) {
                            listedProcessors.addAll(serviceLines(ours));
                        } else if (name.equals("META-INF/services/" + ControllerService.class.getName())) {
                            listedServices.addAll(serviceLines(ours));
                        } else if (name.startsWith("dev/nificdc/") && name.endsWith(".class") && !name.contains("$")) {
                            Class<?> type = Class.forName(name.replace('/', '.').replace(".class", ""), false, getClass().getClassLoader());
                            boolean concrete = !type.isInterface() && !Modifier.isAbstract(type.getModifiers());
                            if (concrete && Processor.class.isAssignableFrom(type)) {
                                processors.add(type.getName());
                            } else if (concrete && ControllerService.class.isAssignableFrom(type)) {
                                services.add(type.getName());
                            }
                        }
                    }
                }
            }
        }
        assertFalse(processors.isEmpty() && services.isEmpty(), "The NAR ships no component at all");
        assertEquals(processors, listedProcessors, "META-INF/services/org.apache.nifi.processor.Processor");
        assertEquals(services, listedServices, "META-INF/services/org.apache.nifi.controller.ControllerService");
    }

    /**
     * NiFi shows the components and documentation pages that META-INF/docs/extension-manifest.xml lists (also in
     * /nifi-api/flow/runtime-manifest): exactly the components our jars register, each with its additional details.
     */
    @Test
    void extensionManifestAndDocsListExactlyOurComponents() throws Exception {
        Set<String> registered = new TreeSet<>();
        try (JarFile jar = new JarFile(nar.toFile())) {
            for (JarEntry entry : jar.stream().filter(e -> e.getName().startsWith(BUNDLED + "nifi-cdc-")).toList()) {
                try (JarInputStream ours = new JarInputStream(jar.getInputStream(entry))) {
                    JarEntry inner;
                    while ((inner = ours.getNextJarEntry()) != null) {
                        if (inner.getName().equals("META-INF/services/" + Processor.class.getName())
                                || inner.getName().equals("META-INF/services/" + ControllerService.class.getName())) {
                            registered.addAll(serviceLines(ours));
                        }
                    }
                }
            }
            assertFalse(registered.isEmpty(), "our jars register no component");

            JarEntry manifestEntry = jar.getJarEntry("META-INF/docs/extension-manifest.xml");
            assertNotNull(manifestEntry, "the NAR has no META-INF/docs/extension-manifest.xml");
            Document manifest;
            try (InputStream in = jar.getInputStream(manifestEntry)) {
                manifest = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
            }
            Set<String> documented = new TreeSet<>();
            NodeList extensions = manifest.getElementsByTagName("extension");
            for (int i = 0; i < extensions.getLength(); i++) {
                Element extension = (Element) extensions.item(i);
                documented.add(extension.getElementsByTagName("name").item(0).getTextContent());
            }
            assertEquals(registered, documented, "components in META-INF/docs/extension-manifest.xml");

            String detailsPrefix = "META-INF/docs/additional-details/";
            Set<String> detailPages = new TreeSet<>();
            jar.stream().map(JarEntry::getName).filter(n -> n.startsWith(detailsPrefix) && n.endsWith("/additionalDetails.md"))
                    .map(n -> n.substring(detailsPrefix.length(), n.length() - "/additionalDetails.md".length())).forEach(detailPages::add);
            assertEquals(registered, detailPages, "additionalDetails pages in " + detailsPrefix);
        }
    }

    private static List<String> serviceLines(InputStream in) throws IOException {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return Arrays.stream(text.split("\\R")).map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    private static List<String> bundledJars() throws IOException {
        List<String> jars = new ArrayList<>();
        try (JarFile jar = new JarFile(nar.toFile())) {
            jar.stream().map(JarEntry::getName).filter(n -> n.startsWith(BUNDLED) && n.endsWith(".jar"))
                    .map(n -> n.substring(BUNDLED.length())).forEach(jars::add);
        }
        return jars;
    }
}
