package dev.nificdc.cdc.processors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The open-transaction bound on a private MariaDB 10.11 (information_schema.INNODB_TRX, PROCESS). */
class OpenTransactionBoundMariaDbIT extends OpenTransactionBoundITSupport {
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
