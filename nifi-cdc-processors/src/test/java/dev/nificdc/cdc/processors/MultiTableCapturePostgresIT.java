package dev.nificdc.cdc.processors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Several tables per CaptureTimestampChange on a private PostgreSQL. */
class MultiTableCapturePostgresIT extends MultiTableCaptureITSupport {
    private static PostgresTimestampDatabase database;

    @BeforeAll
    static void start() {
        database = PostgresTimestampDatabase.start();
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
