package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.testsupport.PostgresServer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The records of a timestamp poll carry what such a source has, and no binlog position (file, pos, row, gtid): checked
 * on the records CaptureTimestampChange writes from a real PostgreSQL table, in both shapes.
 */
class CaptureTimestampChangeOutputIT {
    private static PostgresServer server;
    private static String database;

    @BeforeAll
    static void start() throws Exception {
        server = PostgresServer.start();
        database = server.createDatabase("tsoutput");
        try (Connection c = server.connection(database); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT, updated_at TIMESTAMP(6) NOT NULL,"
                    + " changed TIMESTAMPTZ(6), took TIME(6))");
            s.execute("INSERT INTO items VALUES (1, 'one', '2024-03-01 12:34:56.654321', '2024-03-01 10:00:00.000001+02', '01:02:03.5')");
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theFlattenedRowHasNoBinlogFieldsAndItsTemporalsAreSqlText() {
        GenericRecord row = captureOne(OutputShape.FLATTENED);
        assertEquals(List.of("id", "name", "updated_at", "changed", "took", "__op", "__deleted", "__ts_ms", "__source_ts_ms",
                "__db", "__table"), names(row.getSchema()));
        assertEquals("2024-03-01 12:34:56.654321", row.get("updated_at").toString());
        assertEquals("local-timestamp-text", textType(row.getSchema(), "updated_at"));
        assertEquals("2024-03-01 08:00:00.000001", row.get("changed").toString(), "an instant as UTC text");
        assertEquals("timestamp-utc-text", textType(row.getSchema(), "changed"));
        assertEquals("01:02:03.500000", row.get("took").toString());
        assertEquals("duration-text", textType(row.getSchema(), "took"));
    }

    @Test
    void theEnvelopesSourceBlockHasOnlyTheFieldsEverySourceHas() {
        GenericRecord envelope = captureOne(OutputShape.ENVELOPE);
        GenericRecord source = (GenericRecord) envelope.get("source");
        assertEquals(List.of("version", "connector", "name", "ts_ms", "snapshot", "db", "table"), names(source.getSchema()));
        assertEquals("dev.nificdc.cdc.jdbc.Source", source.getSchema().getFullName());
        assertEquals("jdbc", source.get("connector").toString());
        assertEquals("items", source.get("table").toString());
    }

    private static GenericRecord captureOne(OutputShape shape) {
        TestRunner runner = TestRunners.newTestRunner(CaptureTimestampChange.class);
        try {
            UrlConnectionPool pool = new UrlConnectionPool();
            runner.addControllerService("pool", pool);
            runner.setProperty(pool, UrlConnectionPool.URL, server.jdbcUrl(database));
            runner.setProperty(pool, UrlConnectionPool.USER, PostgresServer.USER);
            runner.enableControllerService(pool);
            AvroRecordSetWriter avro = new AvroRecordSetWriter();
            runner.addControllerService("avro", avro);
            runner.setProperty(avro, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, "inherit-record-schema");
            runner.enableControllerService(avro);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        runner.setProperty(TimestampCaptureProperties.DBCP_SERVICE, "pool");
        runner.setProperty(OutputProperties.RECORD_WRITER, "avro");
        runner.setProperty(TimestampCaptureProperties.TABLE_NAMES, "items");
        runner.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "updated_at");
        runner.setProperty(TimestampCaptureProperties.INCREMENTING_COLUMN, "id");
        runner.setProperty(TimestampCaptureProperties.COMMIT_LAG, "0 sec");
        runner.setProperty(OutputProperties.TOPIC_PREFIX, "shop");
        runner.setProperty(TimestampCaptureProperties.OUTPUT_SHAPE, shape.getValue());
        runner.run();
        List<GenericRecord> records = TimestampCaptureITBase.read(
                runner.getFlowFilesForRelationship(CaptureTimestampChange.REL_SUCCESS).getFirst());
        assertEquals(1, records.size());
        return records.getFirst();
    }

    private static List<String> names(Schema record) {
        return record.getFields().stream().map(Schema.Field::name).toList();
    }

    /** The {@code nifi.cdc.type} of a nullable or required string field. */
    private static String textType(Schema record, String field) {
        Schema type = record.getField(field).schema();
        if (type.getType() == Schema.Type.UNION) {
            type = type.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElseThrow();
        }
        assertEquals(Schema.Type.STRING, type.getType(), field);
        return type.getProp("nifi.cdc.type");
    }
}
