package dev.nificdc.cdc.binlog.convert;

import com.github.shyiko.mysql.binlog.event.deserialization.json.JsonBinary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The converters from the library's raw row values (decoded with {@code DATE_AND_TIME_AS_LONG_MICRO} and
 * {@code CHAR_AND_BINARY_AS_BYTE_ARRAY}) to canonical values. Every method returns a {@link ValueConverter} for one
 * column; the raw value is never null (NULL columns are handled before).
 */
public final class ValueConverters {
    private ValueConverters() {
    }

    /** Signed TINYINT..INT, DOUBLE, FLOAT, signed BIGINT, temporals already in canonical micros: unchanged. */
    public static ValueConverter identity() {
        return raw -> raw;
    }

    /** Unsigned TINYINT (mask 0xFF), SMALLINT (0xFFFF), MEDIUMINT (0xFFFFFF): the library sign-extends them. */
    public static ValueConverter unsignedInt(int mask) {
        return raw -> ((Number) raw).intValue() & mask;
    }

    /** INT UNSIGNED: the library's int reinterpreted as an unsigned 32-bit number. */
    public static ValueConverter unsignedIntToLong() {
        return raw -> Integer.toUnsignedLong(((Number) raw).intValue());
    }

    /** BIGINT UNSIGNED: the library's long reinterpreted as unsigned, as decimal(20,0). */
    public static ValueConverter unsignedBigint() {
        return raw -> {
            long bits = ((Number) raw).longValue();
            // Below 2^63 the bits are the value; above, the long is negative and needs the unsigned reading.
            return bits >= 0 ? BigDecimal.valueOf(bits) : new BigDecimal(new BigInteger(Long.toUnsignedString(bits)));
        };
    }

    /** DECIMAL(p,s): exact, with the column's scale. */
    public static ValueConverter decimal(int scale) {
        return raw -> ((BigDecimal) raw).setScale(scale, RoundingMode.UNNECESSARY);
    }

    /** DATE: epoch micros at midnight to days since 1970-01-01. */
    public static ValueConverter date() {
        return raw -> MySqlTemporals.epochDay(((Number) raw).longValue());
    }

    /** YEAR: the library adds 1900 to the stored byte; the stored 0 is the year 0000. */
    public static ValueConverter year() {
        return raw -> {
            int year = ((Number) raw).intValue();
            return year == 1900 ? 0 : year;
        };
    }

    /** CHAR/VARCHAR/TEXT bytes decoded with the column's charset. */
    public static ValueConverter text(MySqlCharsets.TextDecoder decoder) {
        return raw -> decoder.decode((byte[]) raw);
    }

    /** BINARY(n): MySQL strips trailing 0x00 in the binlog; pad back to the declared length as the column holds it. */
    public static ValueConverter fixedBinary(int length) {
        return raw -> {
            byte[] bytes = (byte[]) raw;
            return bytes.length >= length ? bytes : Arrays.copyOf(bytes, length);
        };
    }

    /** ENUM: 1-based index to its label; 0 is MySQL's empty error value. */
    public static ValueConverter enumLabel(String[] labels) {
        return raw -> {
            int index = ((Number) raw).intValue();
            if (index == 0) {
                return "";
            }
            if (index > labels.length) {
                throw new IllegalStateException("ENUM index " + index + " outside the " + labels.length + " labels of the column");
            }
            return labels[index - 1];
        };
    }

    /** SET: bitmask to the comma-separated labels in definition order, as MySQL prints them. */
    public static ValueConverter setLabels(String[] labels) {
        return raw -> {
            long mask = ((Number) raw).longValue();
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < labels.length && i < 64; i++) {
                if ((mask & (1L << i)) != 0) {
                    if (!s.isEmpty()) {
                        s.append(',');
                    }
                    s.append(labels[i]);
                }
            }
            return s.toString();
        };
    }

    /** ENUM/SET without label metadata: the index or bitmask as decimal text. */
    public static ValueConverter numberAsText() {
        return raw -> raw.toString();
    }

    /** JSON: MySQL's binary JSON to JSON text. */
    public static ValueConverter json() {
        return raw -> {
            byte[] bytes = (byte[]) raw;
            if (bytes.length == 0) {
                return "null";
            }
            try {
                return JsonBinary.parseAsString(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("Binary JSON value could not be decoded: " + e.getMessage(), e);
            }
        };
    }

    /** BIT(1) to Boolean. */
    public static ValueConverter bit1() {
        return raw -> ((BitSet) raw).get(0);
    }

    /** BIT(n): big-endian bytes, {@code ceil(n/8)} long, as MySQL and JDBC hand them out. */
    public static ValueConverter bits(int bitCount) {
        int length = (bitCount + 7) / 8;
        return raw -> {
            BitSet bits = (BitSet) raw;
            byte[] bytes = new byte[length];
            for (int i = bits.nextSetBit(0); i >= 0 && i < length * 8; i = bits.nextSetBit(i + 1)) {
                bytes[length - 1 - i / 8] |= (byte) (1 << (i % 8));
            }
            return bytes;
        };
    }

    /**
     * GEOMETRY: MySQL/MariaDB store a 4-byte little-endian SRID before the WKB; strip it so the value is plain WKB
     * (what {@code ST_AsWKB} returns). The SRID is not carried.
     */
    public static ValueConverter geometryWkb() {
        return raw -> {
            byte[] bytes = (byte[]) raw;
            return bytes.length <= 4 ? new byte[0] : Arrays.copyOfRange(bytes, 4, bytes.length);
        };
    }
}
