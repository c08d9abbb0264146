package dev.nificdc.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the Apicurio Registry application of {@code nifi-cdc-test-support/apicurio-runner} once, with Maven, into
 * {@code ~/.cache/nifi-cdc/apicurio-registry-2.4.2-<digest>/quarkus-app} (or under {@code $NIFI_CDC_CACHE}); later
 * runs reuse it. The digest is taken over the recipe's files and the build settings, so a changed recipe builds anew.
 *
 * <p>The build uses the Maven that runs the tests (system property {@code maven.home}) and its local repository (system
 * property {@code maven.repo.local}; both passed by the pom). It runs {@code package}, never {@code install}: the recipe's
 * stand-in under Apicurio's coordinates is found in the recipe's own reactor and reaches no repository. It asks Maven
 * Central only (repositories that Apicurio's POMs declare are ignored). First build: about 240 MB of downloads and
 * three to four minutes here; with the artifacts already in the local repository about 25 s.
 */
final class ApicurioRegistryBuild {
    static final String VERSION = "2.4.2";
    /** System property set by the pom: the recipe directory. */
    static final String RUNNER_DIR_PROPERTY = "apicurio.runner.dir";
    private static final String MARKER = ".built";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);

    /**
     * Quarkus build-time settings that differ from the app jar's own application.properties: a fast-jar, the app jar
     * indexed (it has no Jandex index), and HTTP Basic authentication in front of /apis/* with users given at start-up
     * (Apicurio 2.x's own authentication needs Keycloak; its OIDC mechanism is left out).
     */
    static final List<String> BUILD_SETTINGS = List.of(
            "-Dquarkus.package.type=fast-jar",
            "-Dquarkus.index-dependency.registry-app.group-id=io.apicurio",
            "-Dquarkus.index-dependency.registry-app.artifact-id=apicurio-registry-app",
            "-Dquarkus.http.auth.basic=true",
            "-Dquarkus.http.auth.permission.apis.paths=/apis/*",
            "-Dquarkus.http.auth.permission.apis.policy=authenticated",
            "-Dquarkus.security.users.embedded.enabled=true",
            "-Dquarkus.security.users.embedded.plain-text=true",
            "-Dquarkus.oidc.enabled=false",
            "-Dquarkus.arc.exclude-types=io.apicurio.common.apps.auth.authn.AppAuthenticationMechanism");

    private ApicurioRegistryBuild() {
    }

    /** The built application's {@code quarkus-run.jar}, building it first when the cache has none for this recipe. */
    static synchronized Path runnableJar() {
        Path recipe = requiredDirectory(RUNNER_DIR_PROPERTY);
        String inventory = inventory(recipe);
        Path target = ClasspathBinaries.cacheRoot().resolve("apicurio-registry-" + VERSION + "-" + digest(inventory));
        Path jar = target.resolve("quarkus-app").resolve("quarkus-run.jar");
        try {
            if (Files.exists(target.resolve(MARKER)) && Files.readString(target.resolve(MARKER)).equals(inventory)) {
                return jar;
            }
            build(recipe, target, inventory);
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not build Apicurio Registry into " + target + ": " + e.getMessage(), e);
        }
    }

    private static void build(Path recipe, Path target, String inventory) throws IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial-" + ProcessHandle.current().pid());
        deleteRecursively(partial);
        Path sources = Files.createDirectories(partial.resolve("build"));
        copyRecursively(recipe, sources);
        Path log = partial.resolve("build.log");
        System.out.println("Building Apicurio Registry " + VERSION + " once into " + target + " (the first time it downloads about 240 MB"
                + " from Maven Central and takes three to four minutes; log: " + log + ")");
        List<String> command = new ArrayList<>(List.of(maven().toString(), "-B", "--ignore-transitive-repositories", "-DskipTests"));
        String localRepository = System.getProperty("maven.repo.local");
        if (localRepository != null && !localRepository.isBlank()) {
            command.add("-Dmaven.repo.local=" + localRepository);
        }
        command.addAll(BUILD_SETTINGS);
        command.add("package");
        ProcessBuilder builder = new ProcessBuilder(command).directory(sources.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home")); // the JDK running the tests
        Process process = builder.start();
        process.getOutputStream().close();
        try {
            boolean finished = process.waitFor(BUILD_TIMEOUT.toMinutes(), TimeUnit.MINUTES);
            if (!finished) {
                process.destroyForcibly();
                throw new IOException("the Maven build did not finish in " + BUILD_TIMEOUT.toMinutes() + " minutes; see " + log);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("the Maven build failed (exit " + process.exitValue() + "); last lines of " + log + ":\n" + tail(log, 30));
        }
        Files.move(sources.resolve("app").resolve("target").resolve("quarkus-app"), partial.resolve("quarkus-app"));
        deleteRecursively(sources);
        Files.writeString(partial.resolve(MARKER), inventory);
        deleteRecursively(target); // left by an interrupted build (the marker is written last)
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            // Another JVM built the same recipe first: use theirs.
            deleteRecursively(partial);
            if (!Files.exists(target.resolve(MARKER))) {
                throw raced;
            }
        }
    }

    /** {@code bin/mvn} of the Maven running the build (its home is the system property maven.home). */
    private static Path maven() {
        String home = System.getProperty("maven.home");
        if (home == null || home.isBlank()) {
            throw new IllegalStateException("System property maven.home is not set: run the registry tests through Maven (./mvnw -pl nifi-cdc-services -am verify)");
        }
        return Path.of(home, "bin", "mvn");
    }

    private static Path requiredDirectory(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank() || !Files.isDirectory(Path.of(value))) {
            throw new IllegalStateException("System property " + property + " must name the Apicurio recipe directory (nifi-cdc-test-support/apicurio-runner);"
                    + " run the registry tests through Maven (./mvnw -pl nifi-cdc-services -am verify)");
        }
        return Path.of(value).toAbsolutePath().normalize();
    }

    /** The recipe's files with their contents' digests, and the build settings: what the cached build depends on. */
    private static String inventory(Path recipe) {
        StringBuilder text = new StringBuilder("Apicurio Registry ").append(VERSION).append('\n');
        BUILD_SETTINGS.forEach(s -> text.append(s).append('\n'));
        try (Stream<Path> files = Files.walk(recipe)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !recipe.relativize(f).toString().contains("target")).sorted().toList()) {
                text.append(recipe.relativize(file)).append(' ').append(digest(Files.readString(file))).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the recipe in " + recipe, e);
        }
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

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : paths.filter(p -> !from.relativize(p).toString().contains("target")).toList()) {
                Path destination = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
