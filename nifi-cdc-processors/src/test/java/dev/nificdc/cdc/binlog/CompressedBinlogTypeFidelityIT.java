package dev.nificdc.cdc.binlog;

import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The type-fidelity suite with MariaDB's binlog compression on ({@code log_bin_compress=ON}): events of at least
 * {@code log_bin_compress_min_len} bytes are written compressed, smaller ones plain, so the run holds both kinds.
 */
class CompressedBinlogTypeFidelityIT extends TypeFidelityIT {
    /** The compressed row event types (MariaDB's WRITE/UPDATE/DELETE_ROWS_COMPRESSED_EVENT and _V1). */
    static boolean compressedRows(int typeCode) {
        return typeCode >= 166 && typeCode <= 171;
    }

    /** The plain row event types (v1 and v2). */
    static boolean plainRows(int typeCode) {
        return (typeCode >= 23 && typeCode <= 25) || (typeCode >= 30 && typeCode <= 32);
    }

    @Override
    protected MariaDbServer.Options serverOptions() {
        return new MariaDbServer.Options().arg("--log-bin-compress=ON").arg("--log-bin-compress-min-len=256");
    }

    @Test
    @Override
    void everyTypeMatchesTheServer() throws Exception {
        RawBinlog.Current start = RawBinlog.current(server);
        super.everyTypeMatchesTheServer();
        List<Integer> types = RawBinlog.read(start.file()).typeCodesFrom(start.end());
        assertTrue(types.stream().anyMatch(CompressedBinlogTypeFidelityIT::compressedRows), "compressed row events were written: " + types);
        assertTrue(types.stream().anyMatch(CompressedBinlogTypeFidelityIT::plainRows), "and plain ones below the minimum length: " + types);
    }
}
