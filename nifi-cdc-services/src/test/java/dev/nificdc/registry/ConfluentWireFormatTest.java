package dev.nificdc.registry;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfluentWireFormatTest {

    @Test
    void headerIsMagicByteAndBigEndianId() throws IOException {
        assertArrayEquals(new byte[]{0, 0, 0, 0, 1}, ConfluentWireFormat.header(1));
        assertArrayEquals(new byte[]{0, 0x12, 0x34, 0x56, 0x78}, ConfluentWireFormat.header(0x12345678));
        assertArrayEquals(new byte[]{0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe}, ConfluentWireFormat.header(-2));

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConfluentWireFormat.writeHeader(0x7f00ff01, out);
        out.write(42);
        final ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertEquals(0x7f00ff01, ConfluentWireFormat.readSchemaId(in));
        assertEquals(42, in.read(), "positioned at the datum");
    }

    @Test
    void rejectsOtherContent() {
        final IOException wrongMagic = assertThrows(IOException.class,
                () -> ConfluentWireFormat.readSchemaId(new ByteArrayInputStream(new byte[]{'O', 'b', 'j', 1, 0})));
        assertTrue(wrongMagic.getMessage().contains("0x4f"), wrongMagic.getMessage());
        final EOFException tooShort = assertThrows(EOFException.class, () -> ConfluentWireFormat.readSchemaId(new ByteArrayInputStream(new byte[]{0, 0, 1})));
        assertTrue(tooShort.getMessage().contains("3 bytes long"), tooShort.getMessage());
    }
}
