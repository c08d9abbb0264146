package dev.nificdc.cdc.binlog.convert;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Maps MySQL/MariaDB collation ids (as in TABLE_MAP metadata) and charset names to Java decoders.
 *
 * <p>A built-in table covers the classic collation ids; {@link #withServerCollations(Map)} adds the server's own
 * {@code information_schema.COLLATIONS} (newer ids such as MySQL 8's {@code utf8mb4_0900_*} or MariaDB's
 * {@code uca1400} ones). MySQL's {@code latin1} is Windows-1252 where the five bytes Windows-1252 leaves undefined
 * (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the control characters of the same code, exactly as MySQL converts them.
 * Charset {@code binary} (collation 63) means the column holds bytes, not text.
 */
public final class MySqlCharsets {
    /** The collation id of the {@code binary} charset. */
    public static final int BINARY_COLLATION = 63;

    private static final Map<Integer, String> BUILT_IN = builtInTable();
    private static final Map<String, String> JAVA_NAMES = javaNames();
    private static final char[] MYSQL_LATIN1 = mysqlLatin1Table();

    private final Map<Integer, String> collations;

    private MySqlCharsets(Map<Integer, String> collations) {
        this.collations = collations;
    }

    /** The built-in collation table only (offline use). */
    public static MySqlCharsets builtIn() {
        return new MySqlCharsets(BUILT_IN);
    }

    /** The built-in table overlaid with the server's collation id to charset name map. */
    public static MySqlCharsets withServerCollations(Map<Integer, String> idToCharsetName) {
        Map<Integer, String> merged = new HashMap<>(BUILT_IN);
        idToCharsetName.forEach((id, name) -> merged.put(id, name.toLowerCase(Locale.ROOT)));
        return new MySqlCharsets(Map.copyOf(merged));
    }

    /** The MySQL charset name of a collation id, if known. */
    public Optional<String> charsetName(int collationId) {
        return Optional.ofNullable(collations.get(collationId));
    }

    /** A decoder for a MySQL charset name; {@code binary} and unknown names give empty. */
    public static Optional<TextDecoder> decoder(String mysqlCharsetName) {
        if (mysqlCharsetName == null) {
            return Optional.empty();
        }
        String name = mysqlCharsetName.toLowerCase(Locale.ROOT);
        if (name.equals("latin1")) {
            return Optional.of(MySqlCharsets::decodeLatin1);
        }
        String javaName = JAVA_NAMES.get(name);
        if (javaName == null || !Charset.isSupported(javaName)) {
            return Optional.empty();
        }
        Charset charset = Charset.forName(javaName);
        return Optional.of(bytes -> decodeStrict(charset, bytes));
    }

    /** Decodes text bytes; the server wrote them, so malformed input is replaced rather than failing the capture. */
    @FunctionalInterface
    public interface TextDecoder {
        String decode(byte[] bytes);
    }

    static String decodeLatin1(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = MYSQL_LATIN1[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    private static String decodeStrict(Charset charset, byte[] bytes) {
        if (charset == StandardCharsets.UTF_8) {
            return new String(bytes, charset);
        }
        try {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, charset);
        }
    }

    private static char[] mysqlLatin1Table() {
        char[] table = new char[256];
        Charset cp1252 = Charset.forName("windows-1252");
        for (int b = 0; b < 256; b++) {
            String s = new String(new byte[]{(byte) b}, cp1252);
            char c = s.length() == 1 ? s.charAt(0) : '\uFFFD';
            table[b] = c == '\uFFFD' ? (char) b : c;
        }
        return table;
    }

    private static Map<String, String> javaNames() {
        Map<String, String> m = new HashMap<>();
        m.put("utf8mb4", "UTF-8");
        m.put("utf8mb3", "UTF-8");
        m.put("utf8", "UTF-8");
        m.put("ascii", "US-ASCII");
        m.put("latin2", "ISO-8859-2");
        m.put("latin5", "ISO-8859-9");
        m.put("latin7", "ISO-8859-13");
        m.put("greek", "ISO-8859-7");
        m.put("hebrew", "ISO-8859-8");
        m.put("cp1250", "windows-1250");
        m.put("cp1251", "windows-1251");
        m.put("cp1256", "windows-1256");
        m.put("cp1257", "windows-1257");
        m.put("cp850", "IBM850");
        m.put("cp852", "IBM852");
        m.put("cp866", "IBM866");
        m.put("koi8r", "KOI8-R");
        m.put("koi8u", "KOI8-U");
        m.put("macroman", "x-MacRoman");
        m.put("macce", "x-MacCentralEurope");
        m.put("ucs2", "UTF-16BE");
        m.put("utf16", "UTF-16BE");
        m.put("utf16le", "UTF-16LE");
        m.put("utf32", "UTF-32BE");
        m.put("big5", "Big5");
        m.put("gbk", "GBK");
        m.put("gb2312", "GB2312");
        m.put("gb18030", "GB18030");
        m.put("sjis", "Shift_JIS");
        m.put("cp932", "windows-31j");
        m.put("ujis", "EUC-JP");
        m.put("eucjpms", "x-eucJP-Open");
        m.put("euckr", "EUC-KR");
        m.put("tis620", "TIS-620");
        return Map.copyOf(m);
    }

    private static Map<Integer, String> builtInTable() {
        Map<Integer, String> m = new HashMap<>();
        String[] classic = {
                null, "big5", "latin2", "dec8", "cp850", "latin1", "hp8", "koi8r", "latin1", "latin2", // 0-9
                "swe7", "ascii", "ujis", "sjis", "cp1251", "latin1", "hebrew", null, "tis620", "euckr", // 10-19
                "latin7", "latin2", "koi8u", "cp1251", "gb2312", "greek", "cp1250", "latin2", "gbk", "cp1257", // 20-29
                "latin5", "latin1", "armscii8", "utf8mb3", "cp1250", "ucs2", "cp866", "keybcs2", "macce", "macroman", // 30-39
                "cp852", "latin7", "latin7", "macce", "cp1250", "utf8mb4", "utf8mb4", "latin1", "latin1", "latin1", // 40-49
                "cp1251", "cp1251", "cp1251", "macroman", "utf16", "utf16", "utf16le", "cp1256", "cp1257", "cp1257", // 50-59
                "utf32", "utf32", "utf16le", "binary", "armscii8", "ascii", "cp1250", "cp1256", "cp866", "dec8", // 60-69
                "greek", "hebrew", "hp8", "keybcs2", "koi8r", "koi8u", null, "latin2", "latin5", "latin7", // 70-79
                "cp850", "cp852", "swe7", "utf8mb3", "big5", "euckr", "gb2312", "gbk", "sjis", "tis620", // 80-89
                "ucs2", "ujis", "geostd8", "geostd8", "latin1", "cp932", "cp932", "eucjpms", "eucjpms", "cp1250", // 90-99
        };
        for (int i = 0; i < classic.length; i++) {
            if (classic[i] != null) {
                m.put(i, classic[i]);
            }
        }
        range(m, 101, 124, "utf16");
        range(m, 128, 151, "ucs2");
        m.put(159, "ucs2");
        range(m, 160, 183, "utf32");
        range(m, 192, 215, "utf8mb3");
        m.put(223, "utf8mb3");
        range(m, 224, 247, "utf8mb4");
        range(m, 248, 250, "gb18030");
        range(m, 255, 323, "utf8mb4"); // MySQL 8 utf8mb4_0900_* and friends
        range(m, 576, 599, "utf8mb3"); // MariaDB *_mysql561 / nopad
        range(m, 608, 631, "utf8mb4");
        range(m, 640, 663, "ucs2");
        range(m, 672, 695, "utf16");
        range(m, 736, 759, "utf32");
        return Map.copyOf(m);
    }

    private static void range(Map<Integer, String> m, int from, int to, String name) {
        for (int i = from; i <= to; i++) {
            m.put(i, name);
        }
    }
}
