package dev.nificdc.cdc.processors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The open-transaction bound on a private PostgreSQL (pg_stat_activity, pg_read_all_stats). */
class OpenTransactionBoundPostgresIT extends OpenTransactionBoundITSupport {
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
