package dev.nificdc.cdc.processors;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The open-transaction bound on a private MariaDB 10.11 (information_schema.INNODB_TRX, PROCESS). */
class OpenTransactionBoundMariaDbIT extends OpenTransactionBoundITSupport {
    @RegisterExtension
    static final MariaDbTimestampDatabase DATABASE = new MariaDbTimestampDatabase();

    @Override
    TimestampTestDatabase database() {
        return DATABASE;
    }
}
