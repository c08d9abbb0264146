package dev.nificdc.cdc.binlog;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where the recorded MySQL binlog files live: {@code shared/fixtures/mysql-binlog} next to the repository (or next to
 * one of its parent directories, for checkouts kept in a sub-folder). They are not part of the repository; tests that
 * need them skip with a message when they are absent.
 */
final class RecordedBinlogs {
    private RecordedBinlogs() {
    }

    /** The fixture folder; skips the calling test when it cannot be found. */
    static Path folder() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/fixtures/mysql-binlog");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        assumeTrue(false, "Recorded binlog fixtures (shared/fixtures/mysql-binlog next to the repository) not found;"
                + " they live outside the repository. Skipping the tests that read them.");
        return null;
    }
}
