package dev.nificdc.cdc.binlog;

import com.github.luben.zstd.ZstdOutputStream;
import dev.nificdc.testsupport.MariaDbServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A binlog file as the server wrote it, event by event (19-byte v4 header: timestamp, type code, server id, length,
 * next position, flags), for tests that look at the event types a server wrote, change an event, or wrap events in a
 * MySQL 8 TRANSACTION_PAYLOAD. Writing puts the events one after another again, with next positions and CRC32
 * checksums recomputed.
 */
final class RawBinlog {
    static final int QUERY = 2;
    static final int FORMAT_DESCRIPTION = 15;
    static final int XID = 16;
    static final int TABLE_MAP = 19;
    static final int TRANSACTION_PAYLOAD = 40;
    static final int QUERY_COMPRESSED = 165;
    static final int MARIADB_GTID = 162;
    private static final byte[] MAGIC = {(byte) 0xFE, 'b', 'i', 'n'};

    final List<byte[]> events;
    final boolean checksummed;

    RawBinlog(List<byte[]> events, boolean checksummed) {
        this.events = events;
        this.checksummed = checksummed;
    }

    /** The binlog file the server writes now, and its current end position. */
    record Current(Path file, String name, long end) {
    }

    static Current current(MariaDbServer server) throws Exception {
        assumeFalse(server.isExternal(), "needs the server's binlog files");
        try (Connection c = server.adminConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            return new Current(server.dataDir().resolve(rs.getString(1)), rs.getString(1), rs.getLong(2));
        }
    }

    static RawBinlog read(Path file) throws IOException {
        List<byte[]> events = new ArrayList<>();
        boolean checksummed = scan(file, events::add);
        return new RawBinlog(events, checksummed);
    }

    /** Hands every complete event of the file to {@code consumer}, one at a time; returns whether events carry CRC32. */
    static boolean scan(Path file, java.util.function.Consumer<byte[]> consumer) throws IOException {
        boolean checksummed = false;
        try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            in.readNBytes(MAGIC.length);
            byte[] header;
            while ((header = in.readNBytes(19)).length == 19) {
                int length = (int) le(header, 9, 4);
                byte[] rest = in.readNBytes(length - 19);
                if (length < 19 || rest.length < length - 19) {
                    break; // an event still being written
                }
                byte[] event = new byte[length];
                System.arraycopy(header, 0, event, 0, 19);
                System.arraycopy(rest, 0, event, 19, rest.length);
                if (typeCode(event) == FORMAT_DESCRIPTION) {
                    // the checksum algorithm byte precedes the event's own checksum: 1 = CRC32
                    checksummed = event[length - 5] == 1;
                }
                consumer.accept(event);
            }
        }
        return checksummed;
    }

    static int typeCode(byte[] event) {
        return event[4] & 0xFF;
    }

    /** Start position of every event. */
    List<Long> positions() {
        List<Long> positions = new ArrayList<>();
        long pos = MAGIC.length;
        for (byte[] e : events) {
            positions.add(pos);
            pos += e.length;
        }
        return positions;
    }

    /** Type codes of the events that start at or after {@code from}. */
    List<Integer> typeCodesFrom(long from) {
        List<Integer> codes = new ArrayList<>();
        List<Long> positions = positions();
        for (int i = 0; i < events.size(); i++) {
            if (positions.get(i) >= from) {
                codes.add(typeCode(events.get(i)));
            }
        }
        return codes;
    }

    /** The file content: magic bytes and the events, next positions and checksums recomputed. */
    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        long pos = MAGIC.length;
        for (byte[] e : events) {
            byte[] event = e.clone();
            pos += event.length;
            putLe(event, 13, 4, pos);
            if (checksummed) {
                CRC32 crc = new CRC32();
                crc.update(event, 0, event.length - 4);
                putLe(event, event.length - 4, 4, crc.getValue());
            }
            out.writeBytes(event);
        }
        return out.toByteArray();
    }

    /**
     * The same binlog with every transaction after {@code from} (a MariaDB GTID event that is not standalone and the
     * events up to its XID or COMMIT) turned into GTID + one TRANSACTION_PAYLOAD holding the transaction's events, as
     * MySQL 8 writes them with binlog_transaction_compression=ON: inner events without checksum and with next
     * position 0, zstd-compressed.
     */
    RawBinlog withTransactionPayloads(long from) throws IOException {
        List<byte[]> out = new ArrayList<>();
        List<Long> positions = positions();
        PayloadBuilder transaction = null;
        for (int i = 0; i < events.size(); i++) {
            byte[] event = events.get(i);
            if (transaction != null) {
                if (transaction.add(event)) {
                    out.add(transaction.build());
                    transaction = null;
                }
                continue;
            }
            out.add(event);
            if (positions.get(i) >= from && startsTransaction(event)) {
                transaction = new PayloadBuilder(checksummed);
            }
        }
        return new RawBinlog(out, checksummed);
    }

    /** A MariaDB GTID event that is not standalone: a transaction with an XID or COMMIT at its end follows. */
    static boolean startsTransaction(byte[] event) {
        return typeCode(event) == MARIADB_GTID && (event[19 + 8 + 4] & 1) == 0;
    }

    /**
     * Collects the events of one transaction into a zstd-compressed TRANSACTION_PAYLOAD as MySQL 8 writes it: inner
     * events without checksum and with next position 0; header fields compression type, uncompressed size, payload size.
     * Holds only the compressed bytes.
     */
    static final class PayloadBuilder {
        private final boolean checksummed;
        private final ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        private final ZstdOutputStream zstd;
        private long uncompressed;
        private byte[] last;

        PayloadBuilder(boolean checksummed) throws IOException {
            this.checksummed = checksummed;
            this.zstd = new ZstdOutputStream(compressed);
        }

        /** Adds an event of the transaction; true when it was its last (XID or COMMIT). */
        boolean add(byte[] event) {
            byte[] plain = Arrays.copyOf(event, event.length - (checksummed ? 4 : 0));
            putLe(plain, 9, 4, plain.length);
            putLe(plain, 13, 4, 0);
            try {
                zstd.write(plain);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            uncompressed += plain.length;
            last = event;
            int type = typeCode(event);
            return type == XID || (type == QUERY && queryText(event, checksummed).equals("COMMIT"));
        }

        byte[] build() throws IOException {
            zstd.close();
            byte[] payload = compressed.toByteArray();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            field(body, 2, 0); // compression type: zstd
            field(body, 3, uncompressed);
            field(body, 1, payload.length);
            body.write(0); // end of the header fields
            body.writeBytes(payload);
            int length = 19 + body.size() + (checksummed ? 4 : 0);
            byte[] event = new byte[length];
            System.arraycopy(last, 0, event, 0, 19);
            event[4] = (byte) TRANSACTION_PAYLOAD;
            putLe(event, 9, 4, length);
            putLe(event, 17, 2, 0);
            System.arraycopy(body.toByteArray(), 0, event, 19, body.size());
            return event;
        }
    }

    /** A payload header field: type, length of the value, value (all length-encoded integers). */
    private static void field(ByteArrayOutputStream out, int type, long value) {
        byte[] encoded = packed(value);
        out.writeBytes(packed(type));
        out.writeBytes(packed(encoded.length));
        out.writeBytes(encoded);
    }

    private static byte[] packed(long value) {
        if (value < 251) {
            return new byte[]{(byte) value};
        }
        int size = value < 0x10000 ? 2 : value < 0x1000000 ? 3 : 8;
        byte[] out = new byte[size + 1];
        out[0] = (byte) (size == 2 ? 252 : size == 3 ? 253 : 254);
        putLe(out, 1, size, value);
        return out;
    }

    /** The statement of a QUERY event (skipping its status variables and database name). */
    static String queryText(byte[] event, boolean checksummed) {
        int body = 19;
        int dbLength = event[body + 8] & 0xFF;
        int statusLength = (int) le(event, body + 11, 2);
        int start = body + 13 + statusLength + dbLength + 1;
        return new String(event, start, event.length - start - (checksummed ? 4 : 0), java.nio.charset.StandardCharsets.UTF_8);
    }

    static long le(byte[] bytes, int offset, int length) {
        long value = 0;
        for (int i = length - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[offset + i] & 0xFF);
        }
        return value;
    }

    static void putLe(byte[] bytes, int offset, int length, long value) {
        for (int i = 0; i < length; i++) {
            bytes[offset + i] = (byte) (value >>> (8 * i));
        }
    }
}
