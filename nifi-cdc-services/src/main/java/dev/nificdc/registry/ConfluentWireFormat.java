package dev.nificdc.registry;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The Confluent wire format header: one magic byte {@code 0x00}, then the registry-wide schema id as a 4-byte
 * big-endian integer; the Avro binary datum follows. Free of NiFi types so tests and consumers can use it directly.
 */
public final class ConfluentWireFormat {

    /** The first byte of every Confluent-framed message. */
    public static final byte MAGIC_BYTE = 0x00;

    /** Header length in bytes. */
    public static final int HEADER_LENGTH = 5;

    private ConfluentWireFormat() {
    }

    /** The 5 header bytes for a schema id. */
    public static byte[] header(final int schemaId) {
        return new byte[]{MAGIC_BYTE, (byte) (schemaId >>> 24), (byte) (schemaId >>> 16), (byte) (schemaId >>> 8), (byte) schemaId};
    }

    /** Writes the 5 header bytes for a schema id. */
    public static void writeHeader(final int schemaId, final OutputStream out) throws IOException {
        out.write(header(schemaId));
    }

    /**
     * Reads the 5 header bytes and returns the schema id; the stream is then positioned at the Avro datum.
     *
     * @throws IOException when the stream ends early or the first byte is not the magic byte
     */
    public static int readSchemaId(final InputStream in) throws IOException {
        final byte[] header = in.readNBytes(HEADER_LENGTH);
        if (header.length < HEADER_LENGTH) {
            throw new EOFException("Content is " + header.length + " bytes long, too short for the 5-byte Confluent wire format header"
                    + " (magic byte 0x00 and a 4-byte schema id)");
        }
        if (header[0] != MAGIC_BYTE) {
            throw new IOException(String.format("Content does not start with the Confluent wire format magic byte 0x00 but with 0x%02x:"
                    + " it was not written by a Confluent serializer or a Confluent-framing record writer", header[0]));
        }
        return ((header[1] & 0xff) << 24) | ((header[2] & 0xff) << 16) | ((header[3] & 0xff) << 8) | (header[4] & 0xff);
    }
}
