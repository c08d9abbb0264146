package dev.nificdc.cdc.postgres.types;

import dev.nificdc.cdc.record.ChangeSchemas;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.TableSchema;
import dev.nificdc.cdc.record.ValueKind;
import dev.nificdc.testsupport.PostgresServer;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PGInterval;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every PostgreSQL type nifi-cdc maps, at its limits and NULL. For each value: the canonical value from the text output
 * ({@link PgTextOutput} under {@link PgSessionSettings}) equals what pgjdbc reads from the same row on its own (binary
 * transfer where pgjdbc has it); pgoutput on a real logical replication slot sends exactly that text; and the canonical
 * value comes back unchanged from NiFi's real AvroRecordSetWriter.
 */
class PgTypeFidelityIT {
    /** One type under test: its declaration, literal values, how pgjdbc reads it and how a canonical value compares to that. */
    private record Case(String declaration, List<String> literals, ValueKind kind, JdbcRead jdbc, Function<Object, Object> view) {
        Case(String declaration, List<String> literals, ValueKind kind, JdbcRead jdbc) {
            this(declaration, literals, kind, jdbc, Function.identity());
        }
    }

    @FunctionalInterface
    private interface JdbcRead {
        Object read(ResultSet rs, int column) throws SQLException;
    }

    private static final String SLOT = "types_slot";
    private static final String PUBLICATION = "types_pub";
    private static final List<Case> CASES = new ArrayList<>();

    static {
        CASES.add(new Case("smallint", List.of("-32768", "32767", "0"), ValueKind.INT, (rs, c) -> (int) rs.getShort(c)));
        CASES.add(new Case("integer", List.of("-2147483648", "2147483647"), ValueKind.INT, ResultSet::getInt));
        CASES.add(new Case("bigint", List.of("-9223372036854775808", "9223372036854775807"), ValueKind.LONG, ResultSet::getLong));
        CASES.add(new Case("oid", List.of("0", "4294967295"), ValueKind.LONG, ResultSet::getLong));
        CASES.add(new Case("numeric(10,2)", List.of("-99999999.99", "12345678.90", "0.00", "0.01", "'NaN'"), ValueKind.SOURCE_TEXT,
                PgTypeFidelityIT::numeric));
        CASES.add(new Case("numeric", List.of("'NaN'", "0", "-1.500", "123456789012345678901234567890.123456789012345678901234567890",
                "1e-300", "9.99e200", "'Infinity'", "'-Infinity'"), ValueKind.SOURCE_TEXT, PgTypeFidelityIT::numeric));
        CASES.add(new Case("real", List.of("'NaN'", "'Infinity'", "'-Infinity'", "'-0'", "3.4028235e38", "-3.4028235e38",
                "1.4e-45", "1.17549435e-38", "0.1", "16777217"), ValueKind.FLOAT, ResultSet::getFloat));
        CASES.add(new Case("double precision", List.of("'NaN'", "'Infinity'", "'-Infinity'", "'-0'", "1.7976931348623157e308",
                "4.9e-324", "2.2250738585072014e-308", "0.1", "0.30000000000000004", "1e23"), ValueKind.DOUBLE, ResultSet::getDouble));
        CASES.add(new Case("boolean", List.of("true", "false"), ValueKind.BOOLEAN, ResultSet::getBoolean));
        CASES.add(new Case("character(5)", List.of("'a'", "'😀é'", "''"), ValueKind.STRING, ResultSet::getString));
        CASES.add(new Case("character varying(20)", List.of("'héllo wörld'", "'𝄞 G clef'", "''", "' spaces '"), ValueKind.STRING,
                ResultSet::getString));
        CASES.add(new Case("text", List.of("'line1' || chr(10) || 'line2\ttab'", "'😀𝄞中文'", "repeat('Ω≈ç√', 5000)", "'back\\slash \"q\"'"),
                ValueKind.STRING, ResultSet::getString));
        CASES.add(new Case("bytea", List.of("'\\x'", "'\\x00ff7f80'", "decode('" + allBytesHex() + "', 'hex')"), ValueKind.BYTES,
                ResultSet::getBytes));
        CASES.add(new Case("date", List.of("'infinity'", "'-infinity'", "'4714-11-24 BC'", "'0044-03-15 BC'", "'0001-01-01'",
                "'1970-01-01'", "'2024-02-29'", "'9999-12-31'", "'5874897-12-31'"), ValueKind.DATE, PgTypeFidelityIT::date));
        CASES.add(new Case("time(6) without time zone", List.of("'00:00:00'", "'23:59:59.999999'", "'24:00:00'", "'12:34:56.000001'"),
                ValueKind.TIME_MICROS, PgTypeFidelityIT::time));
        CASES.add(new Case("timestamp without time zone", List.of("'infinity'", "'-infinity'", "'4713-01-01 00:00:00 BC'",
                "'0001-01-01 00:00:00'", "'1969-12-31 23:59:59.999999'", "'2024-02-29 12:34:56.123456'", "'9999-12-31 23:59:59.999999'",
                "'10000-01-01 00:00:00'", "'294276-12-31 23:59:59.999999'"), ValueKind.SOURCE_TEXT,
                (rs, c) -> rs.getObject(c, LocalDateTime.class), text -> localDateTime((String) text)));
        CASES.add(new Case("timestamp(3) with time zone", List.of("'infinity'", "'-infinity'", "'4713-01-01 00:00:00+00 BC'",
                "'2024-02-29 12:34:56.123+05:30'", "'1900-01-01 00:00:00 Europe/Paris'", "'294276-12-31 23:59:59.999+00'"),
                ValueKind.SOURCE_TEXT, (rs, c) -> rs.getObject(c, OffsetDateTime.class), text -> offsetDateTime((String) text)));
        CASES.add(new Case("time with time zone", List.of("'00:00:00+1559'", "'24:00:00-1559'", "'12:34:56.789012+05:30'"),
                ValueKind.SOURCE_TEXT, PgTypeFidelityIT::timeWithZone, text -> offsetTime((String) text)));
        CASES.add(new Case("interval", List.of("'1 year 2 months 3 days 04:05:06.000007'", "'-1 year +2 months -3 days +04:05:06.5'",
                "'178956970 years 7 months'", "'-178956970 years -8 months'", "'2147483647 days'", "'-2147483648 days'",
                "'2147483647:59:59.999999'", "'-2147483647:59:59.999999'", "'0'",
                "'1 mon -30 days'"), ValueKind.SOURCE_TEXT, PgTypeFidelityIT::interval, text -> PgTypeFidelityIT.iso8601Interval((String) text)));
        CASES.add(new Case("uuid", List.of("'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
                "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'"), ValueKind.STRING, (rs, c) -> rs.getObject(c, UUID.class),
                text -> UUID.fromString((String) text)));
        CASES.add(new Case("json", List.of("'{\"b\": [1, 2.50, null], \"a\": \"ü😀\", \"a\": 1}'", "'[]'", "'\"\\u0000 escaped\"'"),
                ValueKind.STRING, ResultSet::getString));
        CASES.add(new Case("jsonb", List.of("'{\"b\": [1, 2.50, null], \"a\": \"ü😀\", \"a\": 1}'", "'1e400'", "'{}'"),
                ValueKind.STRING, ResultSet::getString));
        CASES.add(new Case("xml", List.of("'<a x=\"1\">ü &amp; 😀<b/></a>'", "'text only'"), ValueKind.STRING,
                (rs, c) -> rs.getSQLXML(c) == null ? null : rs.getSQLXML(c).getString()));
        CASES.add(new Case("inet", List.of("'192.168.0.1/24'", "'::ffff:1.2.3.4'", "'2001:db8::1/128'"), ValueKind.STRING, ResultSet::getString));
        CASES.add(new Case("cidr", List.of("'10.0.0.0/8'", "'2001:db8::/32'"), ValueKind.STRING, ResultSet::getString));
        CASES.add(new Case("macaddr", List.of("'08:00:2b:01:02:03'", "'FF-FF-FF-FF-FF-FF'"), ValueKind.STRING, ResultSet::getString));
        CASES.add(new Case("macaddr8", List.of("'08:00:2b:01:02:03:04:05'"), ValueKind.STRING, ResultSet::getString));
        CASES.add(new Case("bit(1)", List.of("B'1'", "B'0'"), ValueKind.BOOLEAN, ResultSet::getBoolean));
        CASES.add(new Case("bit(10)", List.of("B'0000000001'", "B'1000000000'"), ValueKind.SOURCE_TEXT, ResultSet::getString));
        CASES.add(new Case("bit varying(70)", List.of("B''", "B'0'", "B'0001'", "B'" + "10".repeat(35) + "'"), ValueKind.SOURCE_TEXT,
                ResultSet::getString));
        CASES.add(new Case("money", List.of("'-92233720368547758.08'", "'92233720368547758.07'", "'0'", "'-0.01'", "'1234.5'"),
                ValueKind.DECIMAL, ResultSet::getBigDecimal));
        CASES.add(new Case("mood", List.of("'sad'", "'ok'", "'très 😀'"), ValueKind.STRING, ResultSet::getString));
        CASES.add(new Case("price", List.of("'0.00'", "'99999999.99'", "'NaN'"), ValueKind.SOURCE_TEXT, PgTypeFidelityIT::numeric));
        CASES.add(new Case("short_code", List.of("'abcde'", "'😀😀😀😀😀'"), ValueKind.STRING, ResultSet::getString));
        CASES.add(new Case("positive_int", List.of("1", "2147483647"), ValueKind.INT, ResultSet::getInt));
        CASES.add(new Case("integer[]", List.of("'{}'", "'{1,NULL,3}'", "'[0:2]={-2147483648,0,2147483647}'", "'{{1,2},{3,NULL}}'",
                "'[-1:0][5:6]={{1,2},{3,4}}'", "'{NULL}'"), ValueKind.SOURCE_TEXT, PgTypeFidelityIT::array,
                text -> arrayElements((String) text, Integer::valueOf)));
        CASES.add(new Case("text[]", List.of("'{\"a,b\",\"NULL\",NULL,\"😀\",\"\",\"back\\\\slash\",\"quo\\\"te\",\" sp \"}'",
                "'{{a,b},{c,d}}'"), ValueKind.SOURCE_TEXT, PgTypeFidelityIT::array, text -> arrayElements((String) text, s -> s)));
        CASES.add(new Case("double precision[]", List.of("'{NaN,Infinity,-Infinity,-0,0.1,1.7976931348623157e308}'"), ValueKind.SOURCE_TEXT,
                PgTypeFidelityIT::array, text -> arrayElements((String) text, Double::valueOf)));
        CASES.add(new Case("mood[]", List.of("'{sad,NULL,ok}'"), ValueKind.SOURCE_TEXT, PgTypeFidelityIT::array,
                text -> arrayElements((String) text, s -> s)));
    }

    private static PostgresServer server;
    private static String database;
    private static Connection session;
    private static Connection jdbc;
    private static PgSessionSettings settings;

    @BeforeAll
    static void startServer() throws SQLException {
        server = PostgresServer.start();
        String expectedMajor = System.getProperty("nifi.cdc.postgres.expected.major");
        if (expectedMajor != null) {
            assertEquals(Integer.parseInt(expectedMajor), server.majorVersion(), "the PostgreSQL binaries on the classpath");
        }
        database = server.createDatabase("types");
        session = server.connection(database);
        settings = PgSessionSettings.forDatabase(session);
        settings.applyTo(session);
        Properties binary = new Properties();
        binary.setProperty("user", PostgresServer.USER);
        // server-prepared from the first execution: pgjdbc reads the types it can in binary, independently of their text
        binary.setProperty("prepareThreshold", "-1");
        jdbc = DriverManager.getConnection(server.jdbcUrl(database), binary);
        try (Statement s = session.createStatement()) {
            s.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'très 😀')");
            s.execute("CREATE DOMAIN price AS numeric(10,2)");
            s.execute("CREATE DOMAIN short_code AS varchar(5)");
            s.execute("CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0)");
        }
    }

    @AfterAll
    static void stopServer() throws SQLException {
        if (jdbc != null) {
            jdbc.close();
        }
        if (session != null) {
            try (Statement s = session.createStatement()) {
                s.execute("SELECT pg_drop_replication_slot('" + SLOT + "') FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'");
            }
            session.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyTypeAtItsLimitsIsExactOnEveryPath() throws Exception {
        try (Statement s = session.createStatement()) {
            s.execute("CREATE PUBLICATION " + PUBLICATION + " FOR ALL TABLES");
            s.execute("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
            for (int i = 0; i < CASES.size(); i++) {
                Case c = CASES.get(i);
                s.execute("CREATE TABLE t" + i + " (id int PRIMARY KEY, v " + c.declaration() + ")");
                for (int row = 0; row < c.literals().size(); row++) {
                    s.execute("INSERT INTO t" + i + " VALUES (" + row + ", " + c.literals().get(row) + ")");
                }
                s.execute("INSERT INTO t" + i + " VALUES (" + c.literals().size() + ", NULL)");
            }
        }
        PgTypeCatalog catalog = PgTypeCatalog.load(session);
        Map<String, PgOutputInserts.Insert> streamed = streamedInserts();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < CASES.size(); i++) {
            failures.addAll(check(catalog, "t" + i, CASES.get(i), streamed));
        }
        assertTrue(failures.isEmpty(), failures.size() + " mismatches on PostgreSQL " + server.majorVersion() + ":\n" + String.join("\n", failures));
    }

    @Test
    void typesAndLabelsCreatedAfterLoadAreReadWhenFirstSeen() throws Exception {
        PgTypeCatalog catalog = PgTypeCatalog.load(session);
        try (Statement s = session.createStatement()) {
            s.execute("CREATE TYPE late_mood AS ENUM ('a')");
            s.execute("CREATE DOMAIN late_code AS character varying(3)");
            s.execute("CREATE TABLE late (id int PRIMARY KEY, m late_mood, c late_code, a late_mood[])");
            s.execute("ALTER TYPE late_mood ADD VALUE 'added later 😀' BEFORE 'a'");
            s.execute("INSERT INTO late VALUES (1, 'added later 😀', 'xyz', '{a,\"added later 😀\"}')");
        }
        Map<String, PgColumnType> columns = new LinkedHashMap<>();
        try (Statement s = session.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT attname, atttypid, atttypmod FROM pg_attribute WHERE attrelid = 'late'::regclass AND attnum > 1 ORDER BY attnum")) {
            while (rs.next()) {
                columns.put(rs.getString(1), catalog.resolve((int) rs.getLong(2), rs.getInt(3)));
            }
        }
        assertEquals("late_mood -> STRING", columns.get("m").toString());
        assertEquals("late_code -> STRING", columns.get("c").toString());
        assertEquals("late_mood[] -> SOURCE_TEXT", columns.get("a").toString());
        assertEquals(List.of("added later 😀", "a"), catalog.enumLabels(columns.get("m").typeOid()));
        try (Statement s = session.createStatement(); ResultSet rs = s.executeQuery("SELECT "
                + PgTextOutput.selectExpression("m") + ", " + PgTextOutput.selectExpression("a") + " FROM late")) {
            rs.next();
            assertEquals("added later 😀", columns.get("m").fromText(rs.getString(1)));
            assertEquals("{a,\"added later 😀\"}", columns.get("a").fromText(rs.getString(2)));
        }
    }

    private static List<String> check(PgTypeCatalog catalog, String table, Case c, Map<String, PgOutputInserts.Insert> streamed) throws Exception {
        List<String> failures = new ArrayList<>();
        PgColumnType type = resolveColumn(catalog, table);
        String what = table + " " + c.declaration();
        if (type.kind() != c.kind()) {
            failures.add(what + ": kind " + type.kind() + ", expected " + c.kind());
        }
        if (!type.sourceType().equals(c.declaration())) {
            failures.add(what + ": source type '" + type.sourceType() + "'");
        }
        Map<Integer, String> texts = new LinkedHashMap<>();
        Map<Integer, Object> canonical = new LinkedHashMap<>();
        try (Statement s = session.createStatement(); ResultSet rs = s.executeQuery("SELECT id, " + PgTextOutput.selectExpression("v") + " FROM " + table + " ORDER BY id")) {
            while (rs.next()) {
                texts.put(rs.getInt(1), rs.getString(2));
                canonical.put(rs.getInt(1), type.fromText(rs.getString(2)));
            }
        }
        // pgjdbc cannot read money printed with thousands separators: the server's own money-to-numeric cast is the
        // reading; pgjdbc's arrays have no lower bounds: array_dims gives them
        String read = c.declaration().equals("money") ? "v::numeric" : c.declaration().endsWith("[]") ? "v, array_dims(v)" : "v";
        try (var s = jdbc.prepareStatement("SELECT id, " + read + " FROM " + table + " ORDER BY id"); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                int id = rs.getInt(1);
                Object fromJdbc = c.jdbc().read(rs, 2);
                if (rs.wasNull()) {
                    fromJdbc = null;
                }
                Object value = canonical.get(id);
                Object viewed = value == null ? null : c.view().apply(value);
                if (!same(fromJdbc, viewed)) {
                    failures.add(what + " row " + id + ": JDBC read " + show(fromJdbc) + ", text " + show(texts.get(id)) + " gave " + show(viewed));
                }
            }
        }
        for (Map.Entry<Integer, String> text : texts.entrySet()) {
            PgOutputInserts.Insert insert = streamed.get(table + "/" + text.getKey());
            if (insert == null) {
                failures.add(what + " row " + text.getKey() + ": not streamed");
            } else if (!Objects.equals(text.getValue(), insert.text("v"))) {
                failures.add(what + " row " + text.getKey() + ": pgoutput sent " + show(insert.text("v")) + ", the output text is " + show(text.getValue()));
            }
        }
        failures.addAll(avroRoundTrip(what, table, type, canonical));
        return failures;
    }

    /** The column type of {@code table.v} as the catalog resolves its type OID and modifier from pg_attribute. */
    private static PgColumnType resolveColumn(PgTypeCatalog catalog, String table) throws SQLException {
        try (Statement s = session.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT atttypid, atttypmod FROM pg_attribute WHERE attrelid = '" + table + "'::regclass AND attname = 'v'")) {
            rs.next();
            return catalog.resolve((int) rs.getLong(1), rs.getInt(2));
        }
    }

    private static List<String> avroRoundTrip(String what, String table, PgColumnType type, Map<Integer, Object> canonical) throws Exception {
        ColumnSchema id = new ColumnSchema("id", ValueKind.INT, false, 0, 0, "integer");
        TableSchema schema = new TableSchema(database, table, List.of(id, type.column("v", true)), List.of("id"));
        List<Object[]> rows = new ArrayList<>();
        canonical.forEach((key, value) -> rows.add(new Object[]{key, value}));
        List<GenericRecord> written = new AvroWriterRoundTrip().writeInserts(schema, rows);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            GenericRecord after = written.get(i);
            Object back = AvroWriterRoundTrip.canonical(after.get("v"), after.getSchema().getField("v").schema());
            if (!same(rows.get(i)[1], back)) {
                failures.add(what + " row " + rows.get(i)[0] + ": Avro gave back " + show(back) + " for " + show(rows.get(i)[1]));
            }
            String sourceType = after.getSchema().getField("v").getProp(ChangeSchemas.PROP_SOURCE_TYPE);
            if (!type.sourceType().equals(sourceType)) {
                failures.add(what + ": Avro field's source type " + sourceType);
            }
            String representation = after.getSchema().getField("v").schema().getTypes().get(1).getProp(ChangeSchemas.PROP_TYPE);
            if (type.kind() == ValueKind.SOURCE_TEXT && !ChangeSchemas.SOURCE_TEXT_TYPE.equals(representation)) {
                failures.add(what + ": text field without nifi.cdc.type=source-text");
            }
        }
        return failures;
    }

    /** The Insert messages pgoutput wrote to the slot, by "table/id", read under the settings' connection options. */
    private static Map<String, PgOutputInserts.Insert> streamedInserts() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", PostgresServer.USER);
        properties.setProperty("options", settings.connectionOptions());
        // The embedded server commits asynchronously (synchronous_commit=off) and decoding reads flushed WAL only: peek
        // until every row is there.
        int expected = CASES.stream().mapToInt(c -> c.literals().size() + 1).sum();
        long deadline = System.nanoTime() + 60_000_000_000L;
        try (Connection decoding = DriverManager.getConnection(server.jdbcUrl(database), properties); Statement s = decoding.createStatement()) {
            while (true) {
                PgOutputInserts messages = new PgOutputInserts();
                try (ResultSet rs = s.executeQuery("SELECT data FROM pg_logical_slot_peek_binary_changes('" + SLOT + "', NULL, NULL,"
                        + " 'proto_version', '1', 'publication_names', '" + PUBLICATION + "')")) {
                    while (rs.next()) {
                        messages.accept(rs.getBytes(1));
                    }
                }
                if (messages.inserts().size() >= expected || System.nanoTime() > deadline) {
                    Map<String, PgOutputInserts.Insert> byRow = new LinkedHashMap<>();
                    for (PgOutputInserts.Insert insert : messages.inserts()) {
                        byRow.put(insert.table() + "/" + insert.text("id"), insert);
                    }
                    return byRow;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // --- what pgjdbc reads, independently of the text output ---

    private static Object numeric(ResultSet rs, int column) throws SQLException {
        String text = rs.getString(column);
        if (text == null || text.equals("NaN") || text.contains("Infinity")) {
            // pgjdbc has no BigDecimal for these: its double is the independent reading
            return text == null ? null : Double.toString(rs.getDouble(column));
        }
        return rs.getBigDecimal(column).toPlainString();
    }

    private static Object date(ResultSet rs, int column) throws SQLException {
        LocalDate date = rs.getObject(column, LocalDate.class);
        if (date == null) {
            return null;
        }
        // pgjdbc's infinity dates
        if (date.equals(LocalDate.MAX)) {
            return PgTextValues.DATE_INFINITY;
        }
        if (date.equals(LocalDate.MIN)) {
            return PgTextValues.DATE_MINUS_INFINITY;
        }
        return Math.toIntExact(date.toEpochDay());
    }

    private static Object time(ResultSet rs, int column) throws SQLException {
        LocalTime time = rs.getObject(column, LocalTime.class);
        if (time == null) {
            return null;
        }
        // pgjdbc reads 24:00:00 as LocalTime.MAX
        return time.equals(LocalTime.MAX) ? 86_400_000_000L : time.toNanoOfDay() / 1000;
    }

    private static Object timeWithZone(ResultSet rs, int column) throws SQLException {
        try {
            return rs.getObject(column, OffsetTime.class);
        } catch (java.time.DateTimeException e) {
            // pgjdbc 42.7 cannot decode 24:00:00 in binary: this row is compared on the text pgjdbc reads in text mode
            try (Statement text = session.createStatement();
                 ResultSet again = text.executeQuery("SELECT v FROM " + rs.getMetaData().getTableName(column) + " WHERE id = " + rs.getInt(1))) {
                again.next();
                return offsetTime(again.getString(1));
            }
        }
    }

    private static Object interval(ResultSet rs, int column) throws SQLException {
        PGInterval interval = (PGInterval) rs.getObject(column);
        if (interval == null) {
            return null;
        }
        long months = interval.getYears() * 12L + interval.getMonths();
        long micros = ((interval.getHours() * 60L + interval.getMinutes()) * 60L + interval.getWholeSeconds()) * 1_000_000L
                + interval.getMicroSeconds();
        return List.of(months, (long) interval.getDays(), micros);
    }

    private static Object array(ResultSet rs, int column) throws SQLException {
        String dims = rs.getString(column + 1);
        // read last, so the caller's wasNull() is the array's
        Array array = rs.getArray(column);
        if (array == null) {
            return null;
        }
        // PostgreSQL prints a dimensions prefix only for lower bounds other than 1
        return List.of(nested(array.getArray()), lowerBoundsOtherThanOne(dims));
    }

    private static boolean lowerBoundsOtherThanOne(String dims) {
        return dims != null && !dims.replaceAll("\\[1:\\d+]", "").isEmpty();
    }

    private static List<Object> nested(Object javaArray) {
        List<Object> items = new ArrayList<>();
        for (Object item : (Object[]) javaArray) {
            items.add(item instanceof Object[] inner ? nested(inner) : item);
        }
        return items;
    }

    // --- canonical text, read back for the comparison ---

    private static Object arrayElements(String text, Function<String, Object> element) {
        PgArrayText parsed = PgArrayText.parse(text);
        return List.of(mapElements(parsed.elements, element), !parsed.dimensions.isEmpty());
    }

    @SuppressWarnings("unchecked")
    private static List<Object> mapElements(List<Object> items, Function<String, Object> element) {
        List<Object> mapped = new ArrayList<>();
        for (Object item : items) {
            mapped.add(item instanceof List<?> inner ? mapElements((List<Object>) inner, element) : item == null ? null : element.apply((String) item));
        }
        return mapped;
    }

    private static LocalDateTime localDateTime(String text) {
        return switch (text) {
            case "infinity" -> LocalDateTime.MAX;
            case "-infinity" -> LocalDateTime.MIN;
            default -> {
                boolean bc = text.endsWith(" BC");
                String core = bc ? text.substring(0, text.length() - 3) : text;
                int space = core.indexOf(' ');
                LocalDate day = LocalDate.ofEpochDay(PgTextValues.date(core.substring(0, space) + (bc ? " BC" : "")));
                yield LocalDateTime.of(day, LocalTime.ofNanoOfDay(PgTextValues.timeOfDay(core.substring(space + 1)) * 1000));
            }
        };
    }

    private static OffsetDateTime offsetDateTime(String text) {
        return switch (text) {
            case "infinity" -> OffsetDateTime.MAX;
            case "-infinity" -> OffsetDateTime.MIN;
            default -> {
                boolean bc = text.endsWith(" BC");
                String core = bc ? text.substring(0, text.length() - 3) : text;
                assertTrue(core.endsWith("+00"), "timestamptz text in UTC: " + text);
                yield localDateTime(core.substring(0, core.length() - 3) + (bc ? " BC" : "")).atOffset(ZoneOffset.UTC);
            }
        };
    }

    private static OffsetTime offsetTime(String text) {
        int sign = Math.max(text.lastIndexOf('+'), text.lastIndexOf('-'));
        String zone = text.substring(sign);
        ZoneOffset offset = ZoneOffset.of(zone.length() == 3 ? zone : zone.length() == 5 && zone.indexOf(':') < 0
                ? zone.substring(0, 3) + ":" + zone.substring(3) : zone);
        long micros = PgTextValues.timeOfDay(text.substring(0, sign));
        // OffsetTime has no 24:00:00: keep the day's end apart
        return micros == 86_400_000_000L ? OffsetTime.MAX.withOffsetSameLocal(offset) : OffsetTime.of(LocalTime.ofNanoOfDay(micros * 1000), offset);
    }

    /** (months, days, microseconds) of an ISO 8601 interval as PostgreSQL prints it: {@code P1Y2M3DT4H5M6.000007S}. */
    private static Object iso8601Interval(String text) {
        assertTrue(text.startsWith("P"), "ISO 8601 interval: " + text);
        long months = 0;
        long days = 0;
        long micros = 0;
        boolean time = false;
        int start = 1;
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 'T') {
                time = true;
                start = i + 1;
            } else if (Character.isLetter(c)) {
                String number = text.substring(start, i);
                start = i + 1;
                if (time) {
                    switch (c) {
                        case 'H' -> micros += Long.parseLong(number) * 3_600_000_000L;
                        case 'M' -> micros += Long.parseLong(number) * 60_000_000L;
                        case 'S' -> micros += new BigDecimal(number).movePointRight(6).longValueExact();
                        default -> throw new IllegalArgumentException(text);
                    }
                } else {
                    switch (c) {
                        case 'Y' -> months += Long.parseLong(number) * 12;
                        case 'M' -> months += Long.parseLong(number);
                        case 'D' -> days += Long.parseLong(number);
                        default -> throw new IllegalArgumentException(text);
                    }
                }
            }
        }
        return List.of(months, days, micros);
    }

    // --- helpers ---

    private static boolean same(Object a, Object b) {
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.equals(x, y);
        }
        return Objects.equals(a, b);
    }

    private static String show(Object value) {
        if (value instanceof byte[] bytes) {
            return "0x" + (bytes.length > 16 ? HexFormat.of().formatHex(bytes, 0, 16) + "...(" + bytes.length + ")" : HexFormat.of().formatHex(bytes));
        }
        if (value instanceof String s && s.length() > 80) {
            return "'" + s.substring(0, 80) + "...'(" + s.length() + ")";
        }
        return value == null ? "null" : value + " (" + value.getClass().getSimpleName() + ")";
    }

    private static String allBytesHex() {
        StringBuilder hex = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }
}
