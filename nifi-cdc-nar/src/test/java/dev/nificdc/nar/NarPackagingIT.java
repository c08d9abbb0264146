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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    /**
     * META-INF/NOTICE names every bundled third-party jar (and nothing else) with its license and Maven coordinates,
     * META-INF/LICENSE holds the Apache License and the text of every other license named, and the README names the
     * libraries that are not Apache licensed. Our own jars are the product itself.
     */
    @Test
    void noticeAndLicenseCoverEveryBundledLibrary() throws IOException {
        String notice = entryText("META-INF/NOTICE");
        String license = entryText("META-INF/LICENSE");
        String readme = Files.readString(Path.of(System.getProperty("readme.file")));
        assertTrue(license.contains("Apache License\n                           Version 2.0, January 2004"), "META-INF/LICENSE starts with the Apache License");

        Map<String, Matcher> listed = new TreeMap<>();
        Matcher entry = NOTICE_ENTRY.matcher(notice);
        while (entry.find()) {
            Matcher previous = listed.put(entry.group("artifact") + "-" + entry.group("version") + ".jar", NOTICE_ENTRY.matcher(entry.group()));
            assertNull(previous, "listed twice in META-INF/NOTICE: " + entry.group());
        }
        Set<String> thirdParty = new TreeSet<>(bundledJars());
        thirdParty.removeIf(jar -> jar.startsWith("nifi-cdc-"));
        assertFalse(thirdParty.isEmpty());
        assertEquals(thirdParty, listed.keySet(), "third-party jars in the NAR vs. the libraries META-INF/NOTICE lists");

        listed.forEach((jar, line) -> {
            assertTrue(line.matches());
            String id = line.group("license");
            String artifact = line.group("artifact");
            if (id.equals("Apache-2.0")) {
                return;
            }
            String text = LICENSE_TEXT_MARKERS.get(id);
            assertNotNull(text, jar + " is under " + id + ": add that license's text to META-INF/LICENSE and a line of it to LICENSE_TEXT_MARKERS");
            assertTrue(license.contains(text), "META-INF/LICENSE lacks the text of " + id + " (for " + jar + ")");
            assertTrue(license.contains(artifact), "META-INF/LICENSE does not name " + artifact + " (" + id + ")");
            assertTrue(readme.contains(artifact), "README.md does not say that " + artifact + " is under " + id);
        });
    }

    /** {@code  (SPDX-id) Name (group:artifact:version)} lines of META-INF/NOTICE. */
    private static final Pattern NOTICE_ENTRY = Pattern.compile(
            "^ {2}\\((?<license>[A-Za-z0-9.+-]+)\\) [^\\n]+ \\((?<group>[^:()\\s]+):(?<artifact>[^:()\\s]+):(?<version>[^:()\\s]+)\\)$",
            Pattern.MULTILINE);

    /** A line of each non-Apache license text that META-INF/LICENSE must hold. */
    private static final Map<String, String> LICENSE_TEXT_MARKERS = Map.of(
            "LGPL-2.1-or-later", "GNU LESSER GENERAL PUBLIC LICENSE\n                       Version 2.1, February 1999",
            "BSD-2-Clause", "Redistribution and use in source and binary forms, with or without modification,",
            "MIT", "Permission is hereby granted, free of charge, to any person obtaining a copy");

    private static String entryText(String name) throws IOException {
        try (JarFile jar = new JarFile(nar.toFile())) {
            JarEntry entry = jar.getJarEntry(name);
            assertNotNull(entry, "the NAR has no " + name);
            try (InputStream in = jar.getInputStream(entry)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
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
