package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nificdc.e2e.NiFiRestClient.ComponentType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Our freshly built NAR loads in a real NiFi 2.3.0: every processor and controller service its jars register
 * appears in NiFi's component types under our bundle coordinates and can be added to a flow, and NiFi logs no
 * warning about the bundle.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NarLoadsIT {
    @RegisterExtension
    static final SharedNiFi NIFI = new SharedNiFi();

    private static NarContents nar;

    @BeforeAll
    static void readNar() {
        nar = NarContents.read(NiFiHome.requiredPath(SharedNiFi.CDC_NAR_PROPERTY));
    }

    @Test
    void theNarIsOursAndDeclaresProcessorsAndControllerServices() {
        assertEquals("dev.nificdc:nifi-cdc-nar:" + System.getProperty("project.version"), nar.coordinates());
        assertFalse(nar.processors().isEmpty(), "The NAR's jars register no processor in META-INF/services/org.apache.nifi.processor.Processor");
        assertFalse(nar.controllerServices().isEmpty(),
                "The NAR's jars register no controller service in META-INF/services/org.apache.nifi.controller.ControllerService");
    }

    @Test
    void nifiIsTheVersionWeTestAgainst() {
        assertEquals(NiFiHome.NIFI_VERSION, NIFI.client().version());
    }

    @Test
    void everyProcessorOfTheNarIsAProcessorTypeOfOurBundle() {
        assertFalse(nar.processors().isEmpty(), "The NAR lists no processor to look for");
        assertEquals(new TreeSet<>(nar.processors()), typesOfOurBundle(NIFI.client().processorTypes()));
    }

    @Test
    void everyControllerServiceOfTheNarIsAControllerServiceTypeOfOurBundle() {
        assertFalse(nar.controllerServices().isEmpty(), "The NAR lists no controller service to look for");
        assertEquals(new TreeSet<>(nar.controllerServices()), typesOfOurBundle(NIFI.client().controllerServiceTypes()));
    }

    /**
     * NiFi's documentation pages and {@code /flow/runtime-manifest} come from the NAR's extension manifest: under our
     * bundle they list exactly our components (an earlier build listed 19 of NiFi's record services there too).
     */
    @Test
    void runtimeManifestListsExactlyOurComponentsUnderOurBundle() {
        JsonNode bundles = NIFI.client().get("/flow/runtime-manifest").path("runtimeManifest").path("bundles");
        TreeSet<String> listed = new TreeSet<>();
        int ourBundles = 0;
        for (JsonNode bundle : bundles) {
            String coordinates = bundle.path("group").asText() + ":" + bundle.path("artifact").asText() + ":" + bundle.path("version").asText();
            if (coordinates.equals(nar.coordinates())) {
                ourBundles++;
                bundle.path("componentManifest").properties().forEach(kind -> kind.getValue().forEach(c -> listed.add(c.path("type").asText())));
            }
        }
        assertEquals(1, ourBundles, "bundles named " + nar.coordinates() + " in the runtime manifest");
        TreeSet<String> expected = new TreeSet<>(nar.processors());
        expected.addAll(nar.controllerServices());
        assertEquals(expected, listed);
    }

    @Test
    void everyComponentOfTheNarCanBeAddedToAFlow() {
        NiFiRestClient client = NIFI.client();
        String group = client.createProcessGroup(client.rootGroupId(), "Every component of " + nar.artifact());
        List<String> problems = new ArrayList<>();
        for (String type : nar.processors()) {
            JsonNode component = client.processor(client.createProcessor(group, type, simpleName(type), Map.of())).path("component");
            check(problems, type, component);
        }
        for (String type : nar.controllerServices()) {
            JsonNode component = client.controllerService(client.createControllerService(group, type, simpleName(type), Map.of())).path("component");
            check(problems, type, component);
        }
        assertEquals(List.of(), problems);
        assertFalse(nar.processors().isEmpty() && nar.controllerServices().isEmpty(), "The NAR lists no component to add");
    }

    /** Runs last, after the other tests made NiFi load, list and instantiate our components. */
    @Test
    @Order(Integer.MAX_VALUE)
    void nifiLogsNoWarningAboutOurBundle() {
        List<String> complaints = NIFI.instance().appLogLines().stream()
                .filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                .filter(line -> line.contains(nar.artifact()) || line.contains("dev.nificdc"))
                .toList();
        assertEquals(List.of(), complaints);
    }

    private static void check(List<String> problems, String type, JsonNode component) {
        String bundle = component.path("bundle").path("group").asText() + ":" + component.path("bundle").path("artifact").asText()
                + ":" + component.path("bundle").path("version").asText();
        if (!type.equals(component.path("type").asText()) || !nar.coordinates().equals(bundle) || component.path("extensionMissing").asBoolean()) {
            problems.add(type + " was created as " + component.path("type").asText() + " from " + bundle
                    + (component.path("extensionMissing").asBoolean() ? " (extension missing)" : ""));
        }
    }

    private static String simpleName(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }

    private static TreeSet<String> typesOfOurBundle(List<ComponentType> types) {
        TreeSet<String> ours = new TreeSet<>();
        for (ComponentType type : types) {
            if (type.bundleCoordinates().equals(nar.coordinates())) {
                ours.add(type.type());
            }
        }
        return ours;
    }
}
