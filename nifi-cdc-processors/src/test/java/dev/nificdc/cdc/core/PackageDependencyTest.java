package dev.nificdc.cdc.core;

import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engines stay apart: the source-neutral core uses no engine and no NiFi type, and neither engine uses the other.
 * Reads the compiled classes, whose constant pools name every class they refer to (imports, fully qualified names,
 * signatures; not Javadoc links).
 */
class PackageDependencyTest {
    private static final Path CLASSES = classesDirectory();

    @Test
    void theCoreUsesNoEngineAndNoNiFiType() {
        assertNoReference("dev/nificdc/cdc/core", "dev/nificdc/cdc/binlog/", "dev/nificdc/cdc/timestamp/", "dev/nificdc/cdc/postgres/",
                "dev/nificdc/cdc/processors/", "dev/nificdc/cdc/emit/", "org/apache/nifi/");
    }

    @Test
    void theEnginesDoNotReachIntoEachOther() {
        assertNoReference("dev/nificdc/cdc/timestamp", "dev/nificdc/cdc/binlog/", "dev/nificdc/cdc/postgres/", "dev/nificdc/cdc/processors/",
                "org/apache/nifi/");
        assertNoReference("dev/nificdc/cdc/binlog", "dev/nificdc/cdc/timestamp/", "dev/nificdc/cdc/postgres/", "dev/nificdc/cdc/processors/",
                "org/apache/nifi/");
        assertNoReference("dev/nificdc/cdc/postgres", "dev/nificdc/cdc/binlog/", "dev/nificdc/cdc/timestamp/", "dev/nificdc/cdc/processors/",
                "dev/nificdc/cdc/emit/", "org/apache/nifi/");
    }

    @Test
    void thePostgresTypeMappingUsesNoOtherEngineAndNoNiFiType() {
        assertNoReference("dev/nificdc/cdc/postgres/types", "dev/nificdc/cdc/binlog/", "dev/nificdc/cdc/timestamp/",
                "dev/nificdc/cdc/processors/", "dev/nificdc/cdc/emit/", "org/apache/nifi/");
    }

    @Test
    void theChangeModelAndTheFlowFileEmissionAreSourceNeutral() {
        assertNoReference("dev/nificdc/cdc/record", "dev/nificdc/cdc/binlog/", "dev/nificdc/cdc/timestamp/", "dev/nificdc/cdc/postgres/",
                "dev/nificdc/cdc/processors/");
        assertNoReference("dev/nificdc/cdc/emit", "dev/nificdc/cdc/binlog/", "dev/nificdc/cdc/timestamp/", "dev/nificdc/cdc/postgres/",
                "dev/nificdc/cdc/processors/");
    }

    @Test
    void theCheckSeesReferences() {
        // the binlog engine does use the core: a scanner that missed it would pass every check above
        assertFalse(referencing("dev/nificdc/cdc/binlog", "dev/nificdc/cdc/core/").isEmpty());
        assertTrue(classes("dev/nificdc/cdc/core").size() > 10, "the core's classes are where the test looks for them");
    }

    private static void assertNoReference(String packagePath, String... forbidden) {
        for (String prefix : forbidden) {
            assertEquals(List.of(), referencing(packagePath, prefix), packagePath.replace('/', '.') + " must not use " + prefix.replace('/', '.'));
        }
    }

    /** The classes under {@code packagePath} (subpackages included) whose constant pool names a class under {@code prefix}. */
    private static List<String> referencing(String packagePath, String prefix) {
        return classes(packagePath).stream().filter(c -> read(c).contains(prefix)).map(c -> CLASSES.relativize(c).toString()).toList();
    }

    private static List<Path> classes(String packagePath) {
        try (Stream<Path> files = Files.walk(CLASSES.resolve(packagePath))) {
            return files.filter(f -> f.toString().endsWith(".class")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path classFile) {
        try {
            // class names are ASCII in the constant pool: a byte-for-byte string search finds them
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path classesDirectory() {
        try {
            return Path.of(CaptureCoordinator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
