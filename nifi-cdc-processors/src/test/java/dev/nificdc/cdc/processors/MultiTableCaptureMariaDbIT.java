package dev.nificdc.cdc.processors;

import org.junit.jupiter.api.extension.RegisterExtension;

/** Several tables per CaptureTimestampChange on a private MariaDB 10.11. */
class MultiTableCaptureMariaDbIT extends MultiTableCaptureITSupport {
    @RegisterExtension
    static final MariaDbTimestampDatabase DATABASE = new MariaDbTimestampDatabase();

    @Override
    TimestampTestDatabase database() {
        return DATABASE;
    }
}
