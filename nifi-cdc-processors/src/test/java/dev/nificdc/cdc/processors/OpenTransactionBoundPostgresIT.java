package dev.nificdc.cdc.processors;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The open-transaction bound on a private PostgreSQL (pg_stat_activity, pg_read_all_stats). */
class OpenTransactionBoundPostgresIT extends OpenTransactionBoundITSupport {
    @RegisterExtension
    static final PostgresTimestampDatabase DATABASE = new PostgresTimestampDatabase();

    @Override
    TimestampTestDatabase database() {
        return DATABASE;
    }
}
