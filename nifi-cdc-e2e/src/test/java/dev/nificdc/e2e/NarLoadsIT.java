package dev.nificdc.e2e;

import dev.nificdc.e2e.NiFiRestClient.ComponentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Our freshly built NAR loads in a real NiFi 2.3.0: every processor and controller service its jars register
 * appears in NiFi's component types under our bundle coordinates, and NiFi logs no warning about the bundle.
 */
class NarLoadsIT {
    private static final String CDC_NAR_PROPERTY = "nifi.e2e.cdc.nar";

    private static NiFiInstance nifi;
    private static NarContents nar;

    @RegisterExtension
    static final PrintNiFiDiagnosticsOnFailure DIAGNOSTICS = new PrintNiFiDiagnosticsOnFailure(() -> nifi);

    @BeforeAll
    static void startNiFi() {
        Path narFile = NiFiHome.requiredPath(CDC_NAR_PROPERTY);
        nar = NarContents.read(narFile);
        nifi = NiFiInstance.start(NiFiHome.fromBuild(), narFile);
    }

    @AfterAll
    static void stopNiFi() {
        if (nifi != null) {
            nifi.close();
        }
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
        assertEquals(NiFiHome.NIFI_VERSION, nifi.client().version());
    }

    @Test
    void everyProcessorOfTheNarIsAProcessorTypeOfOurBundle() {
        assertFalse(nar.processors().isEmpty(), "The NAR lists no processor to look for");
        assertEquals(new TreeSet<>(nar.processors()), typesOfOurBundle(nifi.client().processorTypes()));
    }

    @Test
    void everyControllerServiceOfTheNarIsAControllerServiceTypeOfOurBundle() {
        assertFalse(nar.controllerServices().isEmpty(), "The NAR lists no controller service to look for");
        assertEquals(new TreeSet<>(nar.controllerServices()), typesOfOurBundle(nifi.client().controllerServiceTypes()));
    }

    @Test
    void nifiLogsNoWarningAboutOurBundle() {
        List<String> complaints = nifi.appLogLines().stream()
                .filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                .filter(line -> line.contains(nar.artifact()) || line.contains("dev.nificdc"))
                .toList();
        assertEquals(List.of(), complaints);
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
