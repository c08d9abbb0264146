package dev.nificdc.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A headless Apache NiFi installation (its {@code lib/} directory) assembled once into a cache directory and
 * shared, read-only, by every {@link NiFiInstance} started from it.
 *
 * <p>There is no NiFi binary distribution on Maven Central, so the home is put together from single artifacts:
 * the build stages NiFi's runtime jars and framework NARs into {@code target/nifi-artifacts} (maven-dependency-plugin)
 * and builds a stand-in for {@code nifi-standard-nar} (module {@code standard-nar-standin}); this class copies both
 * into {@code ~/.cache/nifi-cdc/nifi-2.3.0-home/lib} (or {@code $NIFI_CDC_CACHE/...}). A marker file lists every file
 * with its size; when the staged artifacts change, the home is assembled again.
 */
public final class NiFiHome {
    public static final String NIFI_VERSION = "2.3.0";
    /** System property set by the module's pom: the directory the maven-dependency-plugin staged NiFi's artifacts into. */
    public static final String ARTIFACTS_PROPERTY = "nifi.e2e.artifacts";
    /** System property set by the module's pom: the stand-in nifi-standard-nar built by the reactor. */
    public static final String STANDARD_NAR_PROPERTY = "nifi.e2e.standard.nar";

    private static final String MARKER = ".assembled";

    private final Path dir;

    private NiFiHome(Path dir) {
        this.dir = dir;
    }

    /** Assembles (or reuses) the cached home from the locations the module's pom passes as system properties. */
    public static NiFiHome fromBuild() {
        return assemble(requiredPath(ARTIFACTS_PROPERTY), requiredPath(STANDARD_NAR_PROPERTY), cacheRoot().resolve("nifi-" + NIFI_VERSION + "-home"));
    }

    /**
     * Makes {@code target} a NiFi home whose {@code lib/} holds every file of {@code artifactsDir} plus {@code standardNar},
     * unless a previous run already did exactly that.
     */
    public static synchronized NiFiHome assemble(Path artifactsDir, Path standardNar, Path target) {
        List<Path> inputs = new ArrayList<>(listFiles(artifactsDir));
        inputs.add(standardNar);
        String inventory = inventory(inputs);
        Path marker = target.resolve(MARKER);
        try {
            if (Files.exists(marker) && Files.readString(marker).equals(inventory)) {
                return new NiFiHome(target);
            }
            Path partial = Files.createDirectories(target.resolveSibling(target.getFileName() + ".partial-" + ProcessHandle.current().pid()));
            Path lib = Files.createDirectories(partial.resolve("lib"));
            for (Path input : inputs) {
                Files.copy(input, lib.resolve(input.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(partial.resolve(MARKER), inventory);
            if (Files.exists(target)) {
                Path stale = target.resolveSibling(target.getFileName() + ".stale-" + ProcessHandle.current().pid());
                Files.move(target, stale, StandardCopyOption.ATOMIC_MOVE);
                deleteRecursively(stale);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            return new NiFiHome(target);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not assemble the NiFi home in " + target + " from " + artifactsDir
                    + "; delete that directory and run the build again (mvnw -pl nifi-cdc-e2e -am verify)", e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** NiFi's {@code lib/}: the jars on NiFi's class path and the NARs it loads. */
    public Path lib() {
        return dir.resolve("lib");
    }

    private static String inventory(List<Path> files) {
        StringBuilder text = new StringBuilder("NiFi ").append(NIFI_VERSION).append('\n');
        files.stream()
                .sorted()
                .forEach(file -> {
                    try {
                        text.append(file.getFileName()).append(' ').append(Files.size(file)).append('\n');
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
        return text.toString();
    }

    private static List<Path> listFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".jar") || f.toString().endsWith(".nar")).toList();
            if (found.isEmpty()) {
                throw new IllegalStateException("No NiFi artifacts in " + dir + "; run the build through Maven (mvnw -pl nifi-cdc-e2e -am verify)");
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the staged NiFi artifacts in " + dir
                    + "; run the build through Maven (mvnw -pl nifi-cdc-e2e -am verify) so the pre-integration-test phase stages them", e);
        }
    }

    static Path requiredPath(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + property + " is not set; run the end-to-end tests through Maven failsafe (mvnw -pl nifi-cdc-e2e -am verify)");
        }
        Path path = Path.of(value).toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            throw new IllegalStateException(property + " points at " + path + ", which does not exist; build the reactor first (mvnw -pl nifi-cdc-e2e -am verify)");
        }
        return path;
    }

    static Path cacheRoot() {
        String configured = System.getenv("NIFI_CDC_CACHE");
        Path root = configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".cache", "nifi-cdc");
        try {
            return Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the cache directory " + root, e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete " + dir, e);
        }
    }
}
