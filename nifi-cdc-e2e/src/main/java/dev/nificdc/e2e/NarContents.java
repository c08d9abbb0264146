package dev.nificdc.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;

/**
 * What a NAR file declares: its coordinates (manifest {@code Nar-Group/Nar-Id/Nar-Version}) and the component
 * classes its bundled jars register in {@code META-INF/services} — the list NiFi's extension discovery starts from.
 */
public record NarContents(String group, String artifact, String version, List<String> processors, List<String> controllerServices) {
    private static final String BUNDLED = "META-INF/bundled-dependencies/";
    private static final String PROCESSOR_SERVICES = "META-INF/services/org.apache.nifi.processor.Processor";
    private static final String CONTROLLER_SERVICE_SERVICES = "META-INF/services/org.apache.nifi.controller.ControllerService";

    public static NarContents read(Path nar) {
        try (JarFile file = new JarFile(nar.toFile())) {
            Attributes manifest = file.getManifest().getMainAttributes();
            TreeSet<String> processors = new TreeSet<>();
            TreeSet<String> services = new TreeSet<>();
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.getName().startsWith(BUNDLED) && entry.getName().endsWith(".jar")) {
                    try (JarInputStream jar = new JarInputStream(file.getInputStream(entry))) {
                        for (JarEntry inner = jar.getNextJarEntry(); inner != null; inner = jar.getNextJarEntry()) {
                            if (inner.getName().equals(PROCESSOR_SERVICES)) {
                                processors.addAll(classNames(jar));
                            } else if (inner.getName().equals(CONTROLLER_SERVICE_SERVICES)) {
                                services.addAll(classNames(jar));
                            }
                        }
                    }
                }
            }
            return new NarContents(manifest.getValue("Nar-Group"), manifest.getValue("Nar-Id"), manifest.getValue("Nar-Version"),
                    List.copyOf(processors), List.copyOf(services));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read NAR " + nar, e);
        }
    }

    public String coordinates() {
        return group + ":" + artifact + ":" + version;
    }

    /** Class names listed in a ServiceLoader file, without comments and blank lines. */
    private static List<String> classNames(InputStream in) throws IOException {
        List<String> names = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            String name = line.replaceFirst("#.*", "").trim();
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }
}
