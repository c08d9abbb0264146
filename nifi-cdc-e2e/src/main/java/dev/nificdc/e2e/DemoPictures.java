package dev.nificdc.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Takes the pictures of {@code templates/README.md}: imports every flow definition of {@code templates/} into a headless
 * NiFi with our NAR (REST upload, as the UI's "Import from file") and screenshots each process group on NiFi's real
 * canvas with headless Chromium.
 *
 * <p>Arguments: the templates directory and the output directory for the PNGs; {@code -Dchromium=/path} chooses the
 * browser (default {@code chromium}, Debian's package). 1800 px wide, so the flow, which NiFi centres, clears the
 * Navigation and Operation palettes on the left. System properties as for {@link Demo}.
 */
public final class DemoPictures {
    private DemoPictures() {
    }

    public static void main(String[] args) throws Exception {
        Path templates = Path.of(args.length > 0 ? args[0] : "templates");
        Path images = Files.createDirectories(Path.of(args.length > 1 ? args[1] : "templates/images"));
        List<Path> flows;
        try (var files = Files.list(templates)) {
            flows = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        try (NiFiInstance nifi = NiFiInstance.start(NiFiHome.fromBuild(), NiFiHome.requiredPath(Demo.CDC_NAR_PROPERTY))) {
            NiFiRestClient client = nifi.client();
            String root = client.rootGroupId();
            for (Path flow : flows) {
                String name = flow.getFileName().toString().replaceFirst("\\.json$", "");
                String groupId = client.uploadFlowDefinition(root, name, Files.readString(flow));
                String url = "http://127.0.0.1:" + nifi.port() + "/nifi/#/process-groups/" + groupId;
                Path png = images.resolve(name + ".png").toAbsolutePath();
                screenshot(url, png);
                System.out.println(name + ": " + url + " -> " + png + " (" + Files.size(png) + " bytes)");
            }
        }
    }

    private static void screenshot(String url, Path png) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile-");
        List<String> command = new ArrayList<>(List.of(System.getProperty("chromium", "chromium"),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=" + System.getProperty("window", "1800,900"),
                "--virtual-time-budget=" + System.getProperty("budget", "20000"), "--screenshot=" + png, url));
        Process chromium = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!chromium.waitFor(3, TimeUnit.MINUTES)) {
            chromium.destroyForcibly();
            throw new IllegalStateException("Chromium did not finish the screenshot of " + url + " within 3 minutes");
        }
        NiFiHome.deleteRecursively(profile);
        if (chromium.exitValue() != 0 || !Files.exists(png)) {
            throw new IllegalStateException("Chromium failed (exit " + chromium.exitValue() + ") to screenshot " + url);
        }
    }
}
