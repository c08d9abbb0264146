package dev.nificdc.cdc.processors;

import org.junit.jupiter.api.extension.RegisterExtension;

/** Several tables per CaptureTimestampChange on a private PostgreSQL. */
class MultiTableCapturePostgresIT extends MultiTableCaptureITSupport {
    @RegisterExtension
    static final PostgresTimestampDatabase DATABASE = new PostgresTimestampDatabase();

    @Override
    TimestampTestDatabase database() {
        return DATABASE;
    }
}
