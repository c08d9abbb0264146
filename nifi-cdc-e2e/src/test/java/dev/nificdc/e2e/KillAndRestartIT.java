package dev.nificdc.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NiFi survives a SIGKILL: started again on the same directory it comes back with the flow and the FlowFiles
 * that were queued, and runs them. Also covers a graceful stop and start. The crash tests of the capture
 * processors build on exactly this; like them, this class starts its own NiFi instead of the {@link SharedNiFi}.
 */
class KillAndRestartIT {
    private static final String GENERATE_FLOW_FILE = "org.apache.nifi.processors.standard.GenerateFlowFile";
    private static final String LOG_ATTRIBUTE = "org.apache.nifi.processors.standard.LogAttribute";

    private static NiFiInstance nifi;

    @RegisterExtension
    static final PrintNiFiDiagnosticsOnFailure DIAGNOSTICS = new PrintNiFiDiagnosticsOnFailure(() -> nifi);

    @BeforeAll
    static void startNiFi() {
        nifi = NiFiInstance.start(NiFiHome.fromBuild(), NiFiHome.requiredPath(SharedNiFi.CDC_NAR_PROPERTY));
    }

    @AfterAll
    static void stopNiFi() {
        if (nifi != null) {
            nifi.close();
        }
    }

    @Test
    void flowAndQueuedFlowFilesSurviveKillAndGracefulRestart() {
        NiFiRestClient client = nifi.client();
        String group = client.createProcessGroup(client.rootGroupId(), "Crash test");
        String generate = client.createProcessor(group, GENERATE_FLOW_FILE, "Generate", Map.of("Custom Text", "survives a crash"));
        String log = client.createProcessor(group, LOG_ATTRIBUTE, "Log", Map.of());
        client.autoTerminate(log, "success");
        String queue = client.connect(group, generate, log, "success");
        for (int i = 0; i < 3; i++) {
            client.runProcessorOnce(generate);
            long expected = i + 1;
            client.await(expected + " FlowFiles queued", () -> client.queued(queue), n -> n == expected);
        }
        client.await("NiFi to persist the flow", () -> nifi.persistedFlowContains(queue), saved -> saved);

        nifi.kill();
        assertFalse(nifi.isRunning());
        nifi.start();

        NiFiRestClient restarted = nifi.client();
        assertEquals(Map.of("Generate", generate, "Log", log), restarted.processorIdsByName(group));
        assertEquals(3L, restarted.queued(queue), "FlowFiles queued before the kill");

        restarted.startProcessor(log);
        restarted.await("the queue to drain after the restart", () -> restarted.queued(queue), n -> n == 0L);
        restarted.stopProcessor(log);
        restarted.runProcessorOnce(generate);
        restarted.await("one new FlowFile", () -> restarted.queued(queue), n -> n == 1L);
        restarted.await("NiFi to persist the stopped state", () -> nifi.persistedFlowContains(queue), saved -> saved);

        nifi.stop();
        nifi.start();
        assertTrue(nifi.client().isAnswering());
        assertEquals(Map.of("Generate", generate, "Log", log), nifi.client().processorIdsByName(group));
        assertEquals(1L, nifi.client().queued(queue), "FlowFile queued before the graceful stop");
    }
}
