package dev.nificdc.cdc.binlog.convert;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValueConvertersTest {

    @Test
    void unsignedIntegersWiden() {
        assertEquals(255, ValueConverters.unsignedInt(0xFF).convert(-1));
        assertEquals(65535, ValueConverters.unsignedInt(0xFFFF).convert(-1));
        assertEquals(16777215, ValueConverters.unsignedInt(0xFFFFFF).convert(-1));
        assertEquals(4294967295L, ValueConverters.unsignedIntToLong().convert(-1));
        assertEquals(new BigDecimal("18446744073709551615"), ValueConverters.unsignedBigint().convert(-1L));
        assertEquals(new BigDecimal("9223372036854775808"), ValueConverters.unsignedBigint().convert(Long.MIN_VALUE));
        assertEquals(new BigDecimal("9223372036854775807"), ValueConverters.unsignedBigint().convert(Long.MAX_VALUE));
        assertEquals(new BigDecimal("42"), ValueConverters.unsignedBigint().convert(42L));
        assertEquals(BigDecimal.ZERO, ValueConverters.unsignedBigint().convert(0L));
    }

    @Test
    void decimalKeepsTheColumnScale() {
        assertEquals(new BigDecimal("1.500"), ValueConverters.decimal(3).convert(new BigDecimal("1.5")));
    }

    @Test
    void time2DecodingKeepsSignAndMicroseconds() {
        // TIME(6) '-838:59:59.999999' and '838:59:59.999999' and '-00:00:00.5' (fsp 1) as MySQL packs them
        long max = (838L * 3600 + 59 * 60 + 59) * 1_000_000 + 999_999;
        long packedPositive = 0x800000000000L + (((838L << 12) | (59 << 6) | 59) << 24) + 999_999;
        assertEquals(max, MySqlTemporals.time2Micros(packedPositive >>> 24, packedPositive & 0xFFFFFF, 6));
        long packedNegative = 0x800000000000L - ((((838L << 12) | (59 << 6) | 59) << 24) + 999_999);
        assertEquals(-max, MySqlTemporals.time2Micros(packedNegative >>> 24, packedNegative & 0xFFFFFF, 6));
        // fsp 1..2: one fraction byte in hundredths; -0.5 s is stored as intpart -1 (0x7FFFFF) and frac 0x100 - 50
        assertEquals(-500_000L, MySqlTemporals.time2Micros(0x7FFFFF, 0x100 - 50, 1));
        assertEquals(0L, MySqlTemporals.time2Micros(0x800000, 0, 0));
        assertEquals(-1_000_000L, MySqlTemporals.oldTimeMicros(-1));
        assertEquals((12L * 3600 + 34 * 60 + 56) * 1_000_000, MySqlTemporals.oldTimeMicros(123456));
    }

    @Test
    void datesUseTheProlepticCalendarAndZeroDatesAreNull() {
        assertEquals(java.time.LocalDate.of(1000, 1, 1).toEpochDay() * 86_400_000L,
                MySqlTemporals.wallClockMillis(1000, 1, 1, 0, 0, 0, 0));
        assertEquals(null, MySqlTemporals.wallClockMillis(0, 0, 0, 0, 0, 0, 0));
        assertEquals(-1, MySqlTemporals.epochDay(-86_400_000_000L));
        assertEquals(-1, ValueConverters.date().convert(-1L), "a micro before the epoch is still the previous day");
    }

    @Test
    void enumSetAndYear() {
        String[] labels = {"a", "b", "c"};
        assertEquals("b", ValueConverters.enumLabel(labels).convert(2));
        assertEquals("", ValueConverters.enumLabel(labels).convert(0));
        assertEquals("a,c", ValueConverters.setLabels(labels).convert(5L));
        assertEquals("", ValueConverters.setLabels(labels).convert(0L));
        assertEquals(0, ValueConverters.year().convert(1900));
        assertEquals(2155, ValueConverters.year().convert(2155));
    }

    @Test
    void bitsAreBigEndianBytes() {
        BitSet bits = new BitSet();
        bits.set(0);
        bits.set(63);
        assertArrayEquals(HexFormat.of().parseHex("8000000000000001"), (byte[]) ValueConverters.bits(64).convert(bits));
        BitSet ten = new BitSet();
        ten.set(9);
        ten.set(0);
        assertArrayEquals(HexFormat.of().parseHex("0201"), (byte[]) ValueConverters.bits(10).convert(ten));
        assertEquals(true, ValueConverters.bit1().convert(ten));
        assertEquals(false, ValueConverters.bit1().convert(new BitSet()));
    }

    @Test
    void binaryIsPaddedAndGeometryLosesItsSrid() {
        assertArrayEquals(new byte[]{1, 0, 0, 0}, (byte[]) ValueConverters.fixedBinary(4).convert(new byte[]{1}));
        byte[] stored = HexFormat.of().parseHex("E6100000" + "0101000000000000000000F03F0000000000000040");
        assertArrayEquals(HexFormat.of().parseHex("0101000000000000000000F03F0000000000000040"),
                (byte[]) ValueConverters.geometryWkb().convert(stored));
    }

    @Test
    void charsetsDecodeLikeMySql() {
        MySqlCharsets charsets = MySqlCharsets.builtIn();
        assertEquals("latin1", charsets.charsetName(8).orElseThrow());
        assertEquals("utf8mb4", charsets.charsetName(255).orElseThrow());
        assertEquals("binary", charsets.charsetName(63).orElseThrow());
        MySqlCharsets.TextDecoder latin1 = MySqlCharsets.decoder("latin1").orElseThrow();
        // cp1252 in MySQL: 0x80 is the euro sign, 0x81 (undefined in cp1252) is U+0081
        assertEquals("\u20ac\u0081\u00ff", latin1.decode(new byte[]{(byte) 0x80, (byte) 0x81, (byte) 0xFF}));
        assertEquals("😀", MySqlCharsets.decoder("utf8mb4").orElseThrow().decode("😀".getBytes(StandardCharsets.UTF_8)));
        assertTrue(MySqlCharsets.decoder("binary").isEmpty());
        assertEquals("utf8mb4", MySqlCharsets.withServerCollations(java.util.Map.of(2048, "utf8mb4")).charsetName(2048).orElseThrow());
    }

    @Test
    void jsonBinaryBecomesText() {
        // MySQL binary JSON for the literal true: type 0x04 (literal), value 0x01
        assertEquals("true", ValueConverters.json().convert(new byte[]{0x04, 0x01}));
        assertEquals("null", ValueConverters.json().convert(new byte[0]));
    }
}
