package dev.nificdc.nar.docs;

import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.ConfigurableComponent;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.util.NoOpProcessor;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every processor and controller service our jars register in META-INF/services carries the documentation NiFi
 * shows: capability description, tags, a description on every property, relationship and allowable value, written
 * attributes, state and "see also" for processors, and an additionalDetails page in its own jar.
 */
class ComponentDocumentationTest {
    private static final String PROCESSOR_SERVICES = "META-INF/services/" + Processor.class.getName();
    private static final String CONTROLLER_SERVICE_SERVICES = "META-INF/services/" + ControllerService.class.getName();

    /**
     * Gaps owned by other branches, as "<class> <check>". Each entry must still fail: when a gap is fixed the test
     * says so, and the entry must be removed. The lead empties this list.
     */
    static final Set<String> KNOWN_GAPS = Set.of();

    static List<String> components() throws IOException {
        List<String> names = new ArrayList<>();
        names.addAll(registered(PROCESSOR_SERVICES));
        names.addAll(registered(CONTROLLER_SERVICE_SERVICES));
        return names;
    }

    /** Our components listed in a service file; NiFi's own jars on the test classpath are skipped. */
    private static List<String> registered(String resource) throws IOException {
        List<String> names = new ArrayList<>();
        for (URL url : Collections.list(ComponentDocumentationTest.class.getClassLoader().getResources(resource))) {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
                reader.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                        .filter(l -> l.startsWith("dev.nificdc.")).forEach(names::add);
            }
        }
        return names;
    }

    @Test
    void ourJarsRegisterEveryProcessorAndTheRegistryServices() throws IOException {
        List<String> all = components();
        for (String expected : List.of("dev.nificdc.cdc.processors.CaptureBinlogChange", "dev.nificdc.cdc.processors.CaptureTimestampChange",
                "dev.nificdc.cdc.processors.CapturePostgresChange",
                "dev.nificdc.registry.ConfluentSchemaRegistryService", "dev.nificdc.registry.ConfluentWireFormatWriter",
                "dev.nificdc.registry.ConfluentWireFormatReader")) {
            assertTrue(all.contains(expected), expected + " is not registered in META-INF/services: " + all);
        }
    }

    @ParameterizedTest
    @MethodSource("components")
    void isFullyDocumented(String className) throws Exception {
        Class<?> type = Class.forName(className);
        List<Gap> gaps = new ArrayList<>();
        check(type, gaps);

        List<String> unexpected = new ArrayList<>();
        Set<String> found = new TreeSet<>();
        for (Gap gap : gaps) {
            found.add(gap.key());
            if (!KNOWN_GAPS.contains(gap.key())) {
                unexpected.add(gap.check() + ": " + gap.message());
            }
        }
        if (!unexpected.isEmpty()) {
            fail(className + " is missing documentation:\n  - " + String.join("\n  - ", unexpected));
        }
        for (String known : KNOWN_GAPS) {
            if (known.startsWith(className + " ")) {
                assertTrue(found.contains(known), "'" + known + "' is documented now: remove it from ComponentDocumentationTest.KNOWN_GAPS");
            }
        }
    }

    record Gap(String className, String check, String message) {
        String key() {
            return className + " " + check;
        }
    }

    private static void check(Class<?> type, List<Gap> gaps) throws Exception {
        String name = type.getName();
        CapabilityDescription capability = type.getAnnotation(CapabilityDescription.class);
        if (capability == null || capability.value().isBlank()) {
            gaps.add(new Gap(name, "@CapabilityDescription", "no capability description"));
        }
        Tags tags = type.getAnnotation(Tags.class);
        if (tags == null || tags.value().length == 0 || Stream.of(tags.value()).anyMatch(String::isBlank)) {
            gaps.add(new Gap(name, "@Tags", "no tags, or a blank tag"));
        }
        ConfigurableComponent component = initialise(type);
        for (PropertyDescriptor descriptor : component.getPropertyDescriptors()) {
            if (descriptor.getDescription() == null || descriptor.getDescription().isBlank()) {
                gaps.add(new Gap(name, "property description", "property '" + descriptor.getName() + "' has no description"));
            }
            if (descriptor.getAllowableValues() != null) {
                for (AllowableValue value : descriptor.getAllowableValues()) {
                    boolean booleanChoice = Set.of("true", "false").contains(value.getValue());
                    if (!booleanChoice && (value.getDescription() == null || value.getDescription().isBlank())) {
                        gaps.add(new Gap(name, "allowable value description",
                                "value '" + value.getValue() + "' of '" + descriptor.getName() + "' has no description"));
                    }
                }
            }
        }
        if (component instanceof Processor processor) {
            for (Relationship relationship : processor.getRelationships()) {
                if (relationship.getDescription() == null || relationship.getDescription().isBlank()) {
                    gaps.add(new Gap(name, "relationship description", "relationship '" + relationship.getName() + "' has no description"));
                }
            }
            WritesAttributes writes = type.getAnnotation(WritesAttributes.class);
            boolean writesAny = (writes != null && writes.value().length > 0) || type.getAnnotation(WritesAttribute.class) != null;
            if (!writesAny) {
                gaps.add(new Gap(name, "@WritesAttributes", "no written attributes documented"));
            } else if (writes != null && Stream.of(writes.value()).anyMatch(w -> w.description().isBlank())) {
                gaps.add(new Gap(name, "@WritesAttributes", "a written attribute has no description"));
            }
            SeeAlso seeAlso = type.getAnnotation(SeeAlso.class);
            if (seeAlso == null || (seeAlso.value().length == 0 && seeAlso.classNames().length == 0)) {
                gaps.add(new Gap(name, "@SeeAlso", "no @SeeAlso"));
            }
            Stateful stateful = type.getAnnotation(Stateful.class);
            if (usesState(type) && (stateful == null || stateful.description().isBlank() || stateful.scopes().length == 0)) {
                gaps.add(new Gap(name, "@Stateful", "uses the state manager but has no @Stateful with scopes and description"));
            }
        }
        checkAdditionalDetails(type, gaps);
    }

    /**
     * Whether the class, or a class of its own package it names (a helper such as the run-and-commit both log processors
     * share), calls NiFi's state API: its constant pool then names getState/setState (ProcessSession) or getStateManager
     * (ProcessContext). Coarse, but it cannot miss a processor that keeps state itself or through its helpers.
     */
    static boolean usesState(Class<?> type) throws IOException {
        return usesState(type.getName().replace('.', '/'), type.getClassLoader(), new HashSet<>());
    }

    private static boolean usesState(String internalName, ClassLoader loader, Set<String> seen) throws IOException {
        if (!seen.add(internalName)) {
            return false;
        }
        String constants;
        try (InputStream in = loader.getResourceAsStream(internalName + ".class")) {
            if (in == null) {
                return false;
            }
            constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        if (constants.contains("getStateManager") || constants.contains("setState") || constants.contains("getState")) {
            return true;
        }
        String packagePrefix = internalName.substring(0, internalName.lastIndexOf('/') + 1);
        Matcher named = Pattern.compile(Pattern.quote(packagePrefix) + "[A-Za-z0-9_$]+").matcher(constants);
        while (named.find()) {
            if (usesState(named.group(), loader, seen)) {
                return true;
            }
        }
        return false;
    }

    private static void checkAdditionalDetails(Class<?> type, List<Gap> gaps) throws IOException {
        String path = "docs/" + type.getName() + "/additionalDetails.md";
        URL classLocation = type.getProtectionDomain().getCodeSource().getLocation();
        URL page = type.getClassLoader().getResource(path);
        if (page == null) {
            gaps.add(new Gap(type.getName(), "additionalDetails", path + " is missing"));
            return;
        }
        String pageUrl = page.toString();
        String jar = classLocation.toString();
        if (!pageUrl.contains(jar.replaceFirst("^file:", ""))) {
            gaps.add(new Gap(type.getName(), "additionalDetails", path + " is in " + pageUrl + ", not in the component's own jar " + jar));
        }
        try (InputStream in = page.openStream()) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String firstLine = text.lines().findFirst().orElse("");
            if (!firstLine.equals("# " + type.getSimpleName())) {
                gaps.add(new Gap(type.getName(), "additionalDetails", path + " must start with '# " + type.getSimpleName() + "', starts with '" + firstLine + "'"));
            }
            if (text.lines().count() < 5) {
                gaps.add(new Gap(type.getName(), "additionalDetails", path + " has almost no content"));
            }
        }
    }

    private static ConfigurableComponent initialise(Class<?> type) throws Exception {
        if (Processor.class.isAssignableFrom(type)) {
            TestRunner runner = TestRunners.newTestRunner(type.asSubclass(Processor.class));
            return runner.getProcessor();
        }
        ControllerService service = (ControllerService) type.getDeclaredConstructor().newInstance();
        TestRunners.newTestRunner(NoOpProcessor.class).addControllerService("service", service);
        return service;
    }

    @Test
    void stateDetectionSeesTheBinlogProcessorsState() throws Exception {
        assertTrue(usesState(Class.forName("dev.nificdc.cdc.processors.CaptureBinlogChange")));
        assertFalse(usesState(Class.forName("dev.nificdc.registry.ConfluentWireFormatWriter")));
    }
}
