package dev.nificdc.cdc.binlog;

import com.github.shyiko.mysql.binlog.event.EventType;

import java.io.IOException;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * MariaDB's compressed binlog events ({@code log_bin_compress=ON}): QUERY_COMPRESSED_EVENT and
 * WRITE/UPDATE/DELETE_ROWS_COMPRESSED_EVENT(_V1). Each is its uncompressed counterpart with the statement text (query)
 * or the row images (rows) replaced by a compressed block: one header byte (bit 7 set, bits 4-6 the algorithm, 0 being
 * zlib, bits 0-2 how many bytes the length has), the uncompressed length big-endian in that many bytes, then the zlib
 * stream (MariaDB {@code sql/log_event.cc}, {@code binlog_buf_compress}). Everything before the block is the
 * counterpart's, so the counterpart's body is that prefix followed by the inflated block.
 */
final class MariaDbCompressedEvents {
    static final int START_ENCRYPTION = 164;
    static final int QUERY_COMPRESSED = 165;
    private static final int WRITE_ROWS_COMPRESSED_V1 = 166;
    private static final int WRITE_ROWS_COMPRESSED = 169;
    private static final int DELETE_ROWS_COMPRESSED = 171;
    private static final String[] NAMES = {"QUERY_COMPRESSED_EVENT", "WRITE_ROWS_COMPRESSED_EVENT_V1",
            "UPDATE_ROWS_COMPRESSED_EVENT_V1", "DELETE_ROWS_COMPRESSED_EVENT_V1", "WRITE_ROWS_COMPRESSED_EVENT",
            "UPDATE_ROWS_COMPRESSED_EVENT", "DELETE_ROWS_COMPRESSED_EVENT"};
    private static final EventType[] COUNTERPARTS = {EventType.QUERY, EventType.WRITE_ROWS, EventType.UPDATE_ROWS,
            EventType.DELETE_ROWS, EventType.EXT_WRITE_ROWS, EventType.EXT_UPDATE_ROWS, EventType.EXT_DELETE_ROWS};

    private MariaDbCompressedEvents() {
    }

    static boolean isCompressed(int typeCode) {
        return typeCode >= QUERY_COMPRESSED && typeCode <= DELETE_ROWS_COMPRESSED;
    }

    static String name(int typeCode) {
        return NAMES[typeCode - QUERY_COMPRESSED];
    }

    /** The uncompressed event type with the same layout (v1 row events for the _V1 codes). */
    static EventType counterpart(int typeCode) {
        return COUNTERPARTS[typeCode - QUERY_COMPRESSED];
    }

    /** The body of the counterpart event: the unchanged prefix followed by the inflated block. */
    static byte[] uncompressedBody(int typeCode, byte[] body) throws IOException {
        int blockStart = typeCode == QUERY_COMPRESSED ? queryBlockStart(body) : rowsBlockStart(typeCode, body);
        byte[] inflated = inflate(body, blockStart);
        byte[] out = new byte[blockStart + inflated.length];
        System.arraycopy(body, 0, out, 0, blockStart);
        System.arraycopy(inflated, 0, out, blockStart, inflated.length);
        return out;
    }

    /** Thread id (4), execution time (4), database name length (1), error code (2), status length (2), status, database, NUL. */
    private static int queryBlockStart(byte[] body) throws IOException {
        require(body, 13);
        int databaseLength = body[8] & 0xFF;
        int statusLength = (body[11] & 0xFF) | (body[12] & 0xFF) << 8;
        return 13 + statusLength + databaseLength + 1;
    }

    /**
     * Table id (6), flags (2), in the v2 layout the extra data (its 2-byte length counts itself), the column count (a
     * length-encoded integer), then one column bitmap, two for updates.
     */
    private static int rowsBlockStart(int typeCode, byte[] body) throws IOException {
        int pos = 8;
        if (typeCode >= WRITE_ROWS_COMPRESSED) {
            require(body, pos + 2);
            pos += (body[pos] & 0xFF) | (body[pos + 1] & 0xFF) << 8;
        }
        require(body, pos + 1);
        int first = body[pos] & 0xFF;
        int lengthBytes = first < 251 ? 0 : first == 252 ? 2 : first == 253 ? 3 : 8;
        require(body, pos + 1 + lengthBytes);
        long columns = first < 251 ? first : littleEndian(body, pos + 1, lengthBytes);
        pos += 1 + lengthBytes;
        boolean update = (typeCode - WRITE_ROWS_COMPRESSED_V1) % 3 == 1;
        return pos + (int) ((columns + 7) / 8) * (update ? 2 : 1);
    }

    private static byte[] inflate(byte[] body, int start) throws IOException {
        require(body, start + 1);
        int header = body[start] & 0xFF;
        int algorithm = (header & 0x70) >> 4;
        int lengthBytes = header & 0x07;
        if ((header & 0x80) == 0 || lengthBytes < 1 || lengthBytes > 4) {
            throw new IOException("the compressed block does not start with a valid header byte (0x" + Integer.toHexString(header) + ")");
        }
        if (algorithm != 0) {
            throw new IOException("the block is compressed with algorithm " + algorithm + ", which MariaDB did not define"
                    + " when this was written (0 is zlib)");
        }
        require(body, start + 1 + lengthBytes);
        long length = 0;
        for (int i = 0; i < lengthBytes; i++) {
            length = (length << 8) | (body[start + 1 + i] & 0xFF);
        }
        int dataStart = start + 1 + lengthBytes;
        byte[] out = new byte[(int) length];
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(body, dataStart, body.length - dataStart);
            int n = 0;
            while (n < out.length && !inflater.finished()) {
                int read = inflater.inflate(out, n, out.length - n);
                if (read == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += read;
            }
            if (n != out.length) {
                throw new IOException("the zlib stream inflates to " + n + " bytes, not the " + length + " its header announces");
            }
            if (!inflater.finished()) {
                throw new IOException("the zlib stream holds more than the " + length + " bytes its header announces");
            }
            return out;
        } catch (DataFormatException e) {
            throw new IOException("the zlib stream is corrupt: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    private static long littleEndian(byte[] bytes, int offset, int length) {
        long value = 0;
        for (int i = length - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[offset + i] & 0xFF);
        }
        return value;
    }

    private static void require(byte[] body, int length) throws IOException {
        if (body.length < length) {
            throw new IOException("the event body ends after " + body.length + " bytes, before its compressed block");
        }
    }
}
