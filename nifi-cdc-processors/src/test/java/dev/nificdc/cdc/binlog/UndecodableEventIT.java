package dev.nificdc.cdc.binlog;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDataDeserializationException;
import dev.nificdc.cdc.binlog.convert.MySqlCharsets;
import dev.nificdc.cdc.binlog.schema.SchemaSource;
import dev.nificdc.cdc.binlog.schema.TableSchemaResolver;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An event that may carry row changes and cannot be decoded stops capture with an error naming its type and position;
 * nothing from it on is emitted. The events are the private MariaDB's own, one of them changed in the binlog file: its
 * type code made unknown, made MySQL's PARTIAL_UPDATE_ROWS_EVENT, or (with log_bin_compress) its compressed block
 * corrupted. An unknown event the server marks as ignorable is passed over, as a replica would.
 */
class UndecodableEventIT {
    private static MariaDbServer server;
    private static MariaDbServer compressing;

    @BeforeAll
    static void startServers() {
        server = MariaDbServer.start();
        compressing = MariaDbServer.start(new MariaDbServer.Options().arg("--log-bin-compress=ON").arg("--log-bin-compress-min-len=10"));
    }

    @AfterAll
    static void stopServers() {
        if (server != null) {
            server.close();
        }
        if (compressing != null) {
            compressing.close();
        }
    }

    /** Three transactions: row 1; rows 2 and 3; row 4. Returns the binlog from before them and where they start. */
    private static Written writeThreeTransactions(MariaDbServer on) throws Exception {
        String db = on.createDatabase("undecodable");
        on.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY, v VARCHAR(100))");
        RawBinlog.Current start = RawBinlog.current(on);
        on.execute("INSERT INTO " + db + ".t VALUES (1, 'row one, long enough to be compressed')",
                "START TRANSACTION", "INSERT INTO " + db + ".t VALUES (2, 'row two, long enough to be compressed')", "INSERT INTO " + db + ".t VALUES (3, 'row three, long enough to be compressed')", "COMMIT",
                "INSERT INTO " + db + ".t VALUES (4, 'row four, long enough to be compressed')");
        RawBinlog binlog = RawBinlog.read(start.file());
        List<Integer> rowEvents = new ArrayList<>();
        List<Long> positions = binlog.positions();
        for (int i = 0; i < binlog.events.size(); i++) {
            int type = RawBinlog.typeCode(binlog.events.get(i));
            if (positions.get(i) >= start.end() && (CompressedBinlogTypeFidelityIT.plainRows(type) || CompressedBinlogTypeFidelityIT.compressedRows(type))) {
                rowEvents.add(i);
            }
        }
        assertEquals(4, rowEvents.size(), "one row event per insert");
        return new Written(start, binlog, rowEvents);
    }

    private record Written(RawBinlog.Current start, RawBinlog binlog, List<Integer> rowEvents) {
        /** The second transaction's first row event. */
        int target() {
            return rowEvents.get(1);
        }

        long targetPosition() {
            return binlog.positions().get(target());
        }
    }

    /** Feeds the file through the event handling the live reader uses; the changes handed out end up in {@code emitted}. */
    private static void replay(Written written, List<CapturedChange<BinlogOffset>> emitted) throws Exception {
        TableSchemaResolver resolver = new TableSchemaResolver(TableFilter.all(), SchemaSource.none(), MySqlCharsets.builtIn(),
                CaptureLogger.slf4j(UndecodableEventIT.class));
        BinlogEventProcessor processor = new BinlogEventProcessor(BinlogOffset.at(written.start().name(), written.start().end()),
                false, null, "test", resolver, CaptureLogger.slf4j(UndecodableEventIT.class), emitted::add);
        try (BinaryLogFileReader reader = new BinaryLogFileReader(new ByteArrayInputStream(written.binlog().bytes()), EventDeserializers.create())) {
            for (Event event = reader.readEvent(); event != null; event = reader.readEvent()) {
                if (((com.github.shyiko.mysql.binlog.event.EventHeaderV4) event.getHeader()).getPosition() >= written.start().end()) {
                    processor.accept(event);
                }
            }
        } catch (EventDataDeserializationException e) {
            throw EventDeserializers.notDecodable(written.start().name(), e);
        }
    }

    private static List<Object> ids(List<CapturedChange<BinlogOffset>> changes) {
        return changes.stream().map(c -> c.event().after()[0]).toList();
    }

    @Test
    void theUnchangedFileYieldsEveryRow() throws Exception {
        Written written = writeThreeTransactions(server);
        List<CapturedChange<BinlogOffset>> emitted = new ArrayList<>();
        replay(written, emitted);
        assertEquals(List.of(1, 2, 3, 4), ids(emitted));
    }

    @Test
    void anUnknownEventTypeStopsCaptureAndNamesTypeAndPosition() throws Exception {
        Written written = writeThreeTransactions(server);
        written.binlog().events.get(written.target())[4] = (byte) 200;
        List<CapturedChange<BinlogOffset>> emitted = new ArrayList<>();
        BinlogCaptureException e = assertThrows(BinlogCaptureException.class, () -> replay(written, emitted));
        assertEquals(BinlogCaptureException.Reason.DECODING, e.reason());
        assertTrue(e.getMessage().contains("type code 200") && e.getMessage().contains(written.start().name() + ":" + written.targetPosition()),
                e.getMessage());
        assertTrue(e.getMessage().contains("nothing from this event on was emitted"), e.getMessage());
        assertEquals(List.of(1), ids(emitted), "only the transaction before the event was handed out, whole");
        assertTrue(emitted.get(0).endsTransaction());
    }

    @Test
    void aPartialJsonUpdateEventSaysWhichSettingToChange() throws Exception {
        Written written = writeThreeTransactions(server);
        written.binlog().events.get(written.target())[4] = 39; // MySQL's PARTIAL_UPDATE_ROWS_EVENT
        List<CapturedChange<BinlogOffset>> emitted = new ArrayList<>();
        BinlogCaptureException e = assertThrows(BinlogCaptureException.class, () -> replay(written, emitted));
        assertTrue(e.getMessage().contains("PARTIAL_UPDATE_ROWS_EVENT (type code 39)") && e.getMessage().contains("binlog_row_value_options"),
                e.getMessage());
        assertTrue(e.getMessage().contains(":" + written.targetPosition()), e.getMessage());
        assertEquals(List.of(1), ids(emitted));
    }

    @Test
    void anUnknownEventMarkedIgnorableIsPassedOver() throws Exception {
        Written written = writeThreeTransactions(server);
        byte[] event = written.binlog().events.get(written.target());
        event[4] = (byte) 200;
        event[17] |= (byte) BinlogEventHeader.IGNORABLE_FLAG;
        List<CapturedChange<BinlogOffset>> emitted = new ArrayList<>();
        replay(written, emitted);
        assertEquals(List.of(1, 3, 4), ids(emitted), "the server said a replica may skip it");
    }

    @Test
    void aCorruptCompressedEventStopsCaptureAndNamesIt() throws Exception {
        Written written = writeThreeTransactions(compressing);
        byte[] event = written.binlog().events.get(written.target());
        int type = RawBinlog.typeCode(event);
        assertTrue(CompressedBinlogTypeFidelityIT.compressedRows(type), "the server compressed the row event: " + type);
        // the compressed block follows the column count and bitmap; its header byte is 0x8N: mark an undefined algorithm
        int block = -1;
        for (int i = 19 + 8; i < event.length; i++) {
            if ((event[i] & 0xF8) == 0x80 && (event[i] & 0x07) >= 1 && (event[i] & 0x07) <= 4 && i + 1 + (event[i] & 0x07) < event.length
                    && (event[i + 1 + (event[i] & 0x07)] & 0xFF) == 0x78) { // zlib streams start with 0x78
                block = i;
                break;
            }
        }
        assertTrue(block > 0, "found the compressed block");
        event[block] |= 0x70;
        List<CapturedChange<BinlogOffset>> emitted = new ArrayList<>();
        BinlogCaptureException e = assertThrows(BinlogCaptureException.class, () -> replay(written, emitted));
        assertTrue(e.getMessage().contains("COMPRESSED_EVENT") && e.getMessage().contains("type code " + type)
                && e.getMessage().contains(written.start().name() + ":" + written.targetPosition()) && e.getMessage().contains("algorithm 7"),
                e.getMessage());
        assertEquals(List.of(1), ids(emitted));
    }
}
