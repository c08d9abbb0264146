package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.binlog.schema.SchemaSource;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.TableFilter;

import java.io.ByteArrayInputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The type-fidelity suite through MySQL 8 compressed transactions: the server's own row events, each transaction
 * wrapped in a zstd-compressed TRANSACTION_PAYLOAD as MySQL 8 writes it with {@code binlog_transaction_compression=ON}
 * (the recorded MySQL 8.0.28 file in {@code shared/fixtures/mysql-binlog} shows the layout: header fields compression
 * type, uncompressed size, payload size; inner events without checksums), read through the same event handling as a
 * live reader. Negative TIME values, dates before 1582, unsigned integers and latin1 text must come out as they do
 * from plain events.
 */
class TransactionPayloadTypeFidelityIT extends TypeFidelityIT {

    @Override
    protected ChangeStream openStream() throws Exception {
        RawBinlog.Current start = RawBinlog.current(server);
        return new ChangeStream() {
            private int consumed;
            private int available;

            @Override
            public List<CapturedChange<BinlogOffset>> next(int count) throws Exception {
                RawBinlog wrapped = RawBinlog.read(start.file()).withTransactionPayloads(start.end());
                assertTrue(wrapped.typeCodesFrom(start.end()).contains(RawBinlog.TRANSACTION_PAYLOAD), "payloads were built");
                List<CapturedChange<BinlogOffset>> all = BinlogFileCapture.readFrom(BinlogOffset.at(start.name(), start.end()),
                        new ByteArrayInputStream(wrapped.bytes()), TableFilter.of(List.of(db), List.of(), List.of(), List.of(), List.of()),
                        SchemaSource.none(), "test", CaptureLogger.slf4j(TransactionPayloadTypeFidelityIT.class));
                available = all.size();
                assertTrue(all.size() >= consumed + count, "expected " + count + " more changes, the file holds " + all.size());
                List<CapturedChange<BinlogOffset>> next = all.subList(consumed, consumed + count);
                consumed += count;
                return next;
            }

            @Override
            public void assertNoMore() {
                assertEquals(consumed, available, "no further change");
            }

            @Override
            public void close() {
            }
        };
    }
}
