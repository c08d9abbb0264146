package dev.nificdc.cdc.processors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Several tables per CaptureTimestampChange on a private MariaDB 10.11. */
class MultiTableCaptureMariaDbIT extends MultiTableCaptureITSupport {
    private static MariaDbTimestampDatabase database;

    @BeforeAll
    static void start() {
        database = MariaDbTimestampDatabase.start();
    }

    @AfterAll
    static void stop() {
        if (database != null) {
            database.close();
        }
    }

    @Override
    TimestampTestDatabase database() {
        return database;
    }
}
