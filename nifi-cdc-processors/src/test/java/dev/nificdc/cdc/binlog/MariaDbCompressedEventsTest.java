package dev.nificdc.cdc.binlog;

import com.github.shyiko.mysql.binlog.event.EventType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layouts of MariaDB's compressed events, built as MariaDB's {@code binlog_buf_compress} writes them: the v2 row
 * layouts (which MariaDB 10.11 does not write by default, so the live tests see only _V1) and the query layout, and the
 * errors for blocks that cannot be inflated. The live tests (CompressedBinlogIT, CompressedBinlogTypeFidelityIT) cover
 * what the server really writes.
 */
class MariaDbCompressedEventsTest {

    /** MariaDB's block: header byte (0x80 | bytes of the length), the length big-endian, the zlib stream. */
    private static byte[] block(byte[] content, int algorithm) {
        Deflater deflater = new Deflater();
        deflater.setInput(content);
        deflater.finish();
        byte[] buffer = new byte[content.length + 64];
        int n = deflater.deflate(buffer);
        deflater.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int lengthBytes = content.length > 0xFFFF ? 3 : content.length > 0xFF ? 2 : 1;
        out.write(0x80 | (algorithm << 4) | lengthBytes);
        for (int i = lengthBytes - 1; i >= 0; i--) {
            out.write(content.length >>> (8 * i));
        }
        out.write(buffer, 0, n);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] rows(int size) {
        byte[] rows = new byte[size];
        for (int i = 0; i < size; i++) {
            rows[i] = (byte) (i * 31);
        }
        return rows;
    }

    @Test
    void v1WriteRows() throws IOException {
        // table id (6), flags (2), column count 3, one bitmap byte
        byte[] prefix = {1, 0, 0, 0, 0, 0, 1, 0, 3, 0x07};
        byte[] rows = rows(300);
        byte[] body = MariaDbCompressedEvents.uncompressedBody(166, concat(prefix, block(rows, 0)));
        assertArrayEquals(concat(prefix, rows), body);
        assertEquals(EventType.WRITE_ROWS, MariaDbCompressedEvents.counterpart(166));
        assertEquals("WRITE_ROWS_COMPRESSED_EVENT_V1", MariaDbCompressedEvents.name(166));
    }

    @Test
    void v2UpdateRowsWithExtraDataAndTwoBitmaps() throws IOException {
        // table id, flags, extra data: length 5 (counting its own 2 bytes) + 3 bytes, column count 260 (0xFC + 2 bytes),
        // two bitmaps of 33 bytes each
        byte[] head = {9, 0, 0, 0, 0, 0, 1, 0, 5, 0, 1, 2, 3, (byte) 0xFC, 4, 1};
        byte[] bitmaps = new byte[66];
        Arrays.fill(bitmaps, (byte) 0xFF);
        byte[] prefix = concat(head, bitmaps);
        byte[] rows = rows(70_000);
        byte[] body = MariaDbCompressedEvents.uncompressedBody(170, concat(prefix, block(rows, 0)));
        assertArrayEquals(concat(prefix, rows), body);
        assertEquals(EventType.EXT_UPDATE_ROWS, MariaDbCompressedEvents.counterpart(170));
        assertEquals(EventType.EXT_DELETE_ROWS, MariaDbCompressedEvents.counterpart(171));
    }

    @Test
    void query() throws IOException {
        // thread id, execution time, database name length 4, error code, status length 2, status, "shop", NUL
        byte[] prefix = {1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 2, 0, 9, 9, 's', 'h', 'o', 'p', 0};
        byte[] sql = "ALTER TABLE t ADD COLUMN c INT COMMENT 'a long comment that made it worth compressing'".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(concat(prefix, sql), MariaDbCompressedEvents.uncompressedBody(165, concat(prefix, block(sql, 0))));
        assertEquals(EventType.QUERY, MariaDbCompressedEvents.counterpart(165));
    }

    @Test
    void blocksThatCannotBeInflatedAreErrors() {
        byte[] prefix = {1, 0, 0, 0, 0, 0, 1, 0, 3, 0x07};
        byte[] rows = rows(100);
        IOException algorithm = assertThrows(IOException.class, () -> MariaDbCompressedEvents.uncompressedBody(166, concat(prefix, block(rows, 1))));
        assertTrue(algorithm.getMessage().contains("algorithm 1"), algorithm.getMessage());

        byte[] wrongLength = concat(prefix, block(rows, 0));
        wrongLength[prefix.length + 1] = 99; // announces 99 bytes, inflates to 100
        IOException length = assertThrows(IOException.class, () -> MariaDbCompressedEvents.uncompressedBody(166, wrongLength));
        assertTrue(length.getMessage().contains("99"), length.getMessage());

        byte[] noHeader = concat(prefix, new byte[]{0x01, 0x02});
        assertThrows(IOException.class, () -> MariaDbCompressedEvents.uncompressedBody(166, noHeader));
        assertThrows(IOException.class, () -> MariaDbCompressedEvents.uncompressedBody(166, new byte[]{1, 2, 3}), "too short");
    }
}
