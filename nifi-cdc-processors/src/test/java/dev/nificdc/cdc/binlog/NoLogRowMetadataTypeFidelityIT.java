package dev.nificdc.cdc.binlog;

import dev.nificdc.testsupport.MariaDbServer;

/**
 * The type-fidelity suite with {@code binlog_row_metadata=NO_LOG}: column names, ENUM/SET labels and the primary key come
 * from information_schema after each TABLE_MAP event was checked against it; every value must come out as with FULL
 * metadata, and no column type may be taken for a mismatch.
 */
class NoLogRowMetadataTypeFidelityIT extends TypeFidelityIT {
    @Override
    protected MariaDbServer.Options serverOptions() {
        return new MariaDbServer.Options().rowMetadata("NO_LOG");
    }
}
