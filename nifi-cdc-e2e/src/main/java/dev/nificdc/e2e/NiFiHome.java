package dev.nificdc.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A headless Apache NiFi installation (its {@code lib/} directory) assembled once into a cache directory and
 * shared, read-only, by every {@link NiFiInstance} started from it.
 *
 * <p>There is no NiFi binary distribution on Maven Central, so the home is put together from single artifacts:
 * the build stages NiFi's runtime jars and framework NARs into {@code target/nifi-artifacts} (maven-dependency-plugin)
 * and builds a stand-in for {@code nifi-standard-nar} (module {@code standard-nar-standin}); this class copies both
 * into {@code ~/.cache/nifi-cdc/nifi-2.3.0-home-<digest>/lib} (or {@code $NIFI_CDC_CACHE/...}). A marker file, written
 * last, lists every file with its size; the digest in the directory name is taken over that list, so changed
 * artifacts give a new home.
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
        return assemble(requiredPath(ARTIFACTS_PROPERTY), requiredPath(STANDARD_NAR_PROPERTY), cacheRoot());
    }

    /**
     * Returns a NiFi home under {@code cacheRoot} whose {@code lib/} holds every file of {@code artifactsDir} plus
     * {@code standardNar}, assembling it unless a previous run already did. The directory name carries a digest of
     * the inputs ({@code nifi-2.3.0-home-1a2b3c4d}), so a changed input gets a new home and a home some other test
     * run is using is never replaced under it.
     */
    public static synchronized NiFiHome assemble(Path artifactsDir, Path standardNar, Path cacheRoot) {
        List<Path> inputs = new ArrayList<>(listFiles(artifactsDir));
        inputs.add(standardNar);
        String inventory = inventory(inputs);
        Path target = cacheRoot.resolve("nifi-" + NIFI_VERSION + "-home-" + digest(inventory));
        Path marker = target.resolve(MARKER);
        try {
            if (Files.exists(marker) && Files.readString(marker).equals(inventory)) {
                return new NiFiHome(target);
            }
            deleteRecursively(target); // left by an interrupted assembly (the marker is written last)
            Path partial = Files.createDirectories(target.resolveSibling(target.getFileName() + ".partial-" + ProcessHandle.current().pid()));
            Path lib = Files.createDirectories(partial.resolve("lib"));
            for (Path input : inputs) {
                Files.copy(input, lib.resolve(input.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(partial.resolve(MARKER), inventory);
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                // Another JVM assembled the same home first: use theirs.
                deleteRecursively(partial);
                if (!Files.exists(marker)) {
                    throw raced;
                }
            }
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

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
