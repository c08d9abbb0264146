package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.record.OutputShape;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.processor.VerifiableProcessor;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.util.LogMessage;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import org.slf4j.helpers.MessageFormatter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Helpers for CaptureTimestampChange's integration tests against a real private server: tables, a processor in NiFi's
 * mock framework with NiFi's Avro writer, its records and state. Each test creates its own tables.
 */
abstract class TimestampCaptureITBase {
    private int tableCounter;

    /** The server the tests run against, started once per test class. */
    abstract TimestampTestDatabase database();

    String url() {
        return database().url();
    }

    Connection connect() throws SQLException {
        return database().connect();
    }

    String quote(String identifier) {
        return database().quote(identifier);
    }

    String localTimestampType() {
        return database().localTimestampType();
    }

    String schemaName() {
        return database().schemaName();
    }

    String setSessionZone() {
        return database().setSessionZone();
    }

    void createStandardTable(String table) {
        sql(database().standardTable(table));
    }

    void insertGenerated(String table, int count, String timestamp) {
        sql(database().insertGenerated(table, count, timestamp));
    }

    String newTable(String prefix) {
        return prefix + "_" + (++tableCounter) + "_" + Long.toString(System.nanoTime() % 100000, 36);
    }

    void sql(String... statements) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
        }
    }

    TestRunner runner(String table) {
        return runner(table, null);
    }

    TestRunner runner(String table, String initSql) {
        return runner(table, initSql, database().login());
    }

    /** A processor reading {@code table} as {@code login}, flattened rows, Commit Lag 0, columns updated_at and id. */
    TestRunner runner(String table, String initSql, TimestampTestDatabase.Login login) {
        TestRunner runner = TestRunners.newTestRunner(CaptureTimestampChange.class);
        try {
            UrlConnectionPool pool = new UrlConnectionPool();
            runner.addControllerService("pool", pool);
            runner.setProperty(pool, UrlConnectionPool.URL, url());
            runner.setProperty(pool, UrlConnectionPool.USER, login.user());
            if (login.password() != null && !login.password().isEmpty()) {
                runner.setProperty(pool, UrlConnectionPool.PASSWORD, login.password());
            }
            if (initSql != null) {
                runner.setProperty(pool, UrlConnectionPool.INIT_SQL, initSql);
            }
            runner.enableControllerService(pool);
            AvroRecordSetWriter avro = new AvroRecordSetWriter();
            runner.addControllerService("avro", avro);
            runner.setProperty(avro, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, "inherit-record-schema");
            runner.enableControllerService(avro);
            FailingRecordWriter writer = new FailingRecordWriter(avro);
            runner.addControllerService("writer", writer);
            runner.enableControllerService(writer);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        runner.setProperty(TimestampCaptureProperties.DBCP_SERVICE, "pool");
        runner.setProperty(OutputProperties.RECORD_WRITER, "writer");
        runner.setProperty(TimestampCaptureProperties.TABLE_NAMES, table);
        runner.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "updated_at");
        runner.setProperty(TimestampCaptureProperties.INCREMENTING_COLUMN, "id");
        runner.setProperty(TimestampCaptureProperties.COMMIT_LAG, "0 sec");
        runner.setProperty(TimestampCaptureProperties.OUTPUT_SHAPE, OutputShape.FLATTENED.getValue());
        return runner;
    }

    static UrlConnectionPool pool(TestRunner runner) {
        return (UrlConnectionPool) runner.getControllerService("pool");
    }

    /** A new runner (a restarted processor) carrying over the state of {@code previous}. */
    TestRunner restart(TestRunner previous, String table, Map<PropertyDescriptor, String> properties) {
        TestRunner next = runner(table);
        properties.forEach(next::setProperty);
        try {
            next.getStateManager().setState(previous.getStateManager().getState(Scope.CLUSTER).toMap(), Scope.CLUSTER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return next;
    }

    /** Runs once and returns the records written, in order; checks every connection was returned. */
    static List<GenericRecord> runOnce(TestRunner runner) {
        runner.clearTransferState();
        runner.run();
        return written(runner);
    }

    /**
     * Runs once without stopping the processor afterwards, as NiFi runs it while it is started (TestRunner.run()
     * schedules and stops it around every run); returns the records written, in order.
     *
     * @param first whether this is the first run, which schedules the processor
     */
    static List<GenericRecord> runScheduled(TestRunner runner, boolean first) {
        runner.clearTransferState();
        runner.run(1, false, first);
        return written(runner);
    }

    /** The records of the last run, in order; checks every connection was returned. */
    private static List<GenericRecord> written(TestRunner runner) {
        assertEquals(0, pool(runner).open.get(), "every connection is closed after the run");
        List<GenericRecord> records = new ArrayList<>();
        for (MockFlowFile flowFile : runner.getFlowFilesForRelationship(CaptureTimestampChange.REL_SUCCESS)) {
            records.addAll(read(flowFile));
        }
        return records;
    }

    static List<GenericRecord> read(MockFlowFile flowFile) {
        List<GenericRecord> records = new ArrayList<>();
        try (DataFileStream<GenericRecord> in = new DataFileStream<>(new ByteArrayInputStream(flowFile.toByteArray()), new GenericDatumReader<>())) {
            in.forEach(records::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertEquals(String.valueOf(records.size()), flowFile.getAttribute("record.count"));
        return records;
    }

    static Map<String, String> state(TestRunner runner) {
        try {
            return runner.getStateManager().getState(Scope.CLUSTER).toMap();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A field of a table's watermark in the state: watermark.<schema>.<table>.<field>. */
    String watermark(TestRunner runner, String table, String field) {
        return state(runner).get("watermark." + schemaName() + "." + table + "." + field);
    }

    /** The messages a runner logged at one level, formatted. */
    static List<String> logged(List<LogMessage> messages) {
        return messages.stream().map(m -> MessageFormatter.arrayFormat(m.getMsg(), m.getArgs()).getMessage()).toList();
    }

    static boolean loggedContaining(List<LogMessage> messages, String fragment) {
        return logged(messages).stream().anyMatch(m -> m.contains(fragment));
    }

    static long id(GenericRecord record) {
        return ((Number) record.get("id")).longValue();
    }

    static String string(GenericRecord record, String field) {
        Object value = record.get(field);
        return value == null ? null : value.toString();
    }

    /** Micros of a timestamp field, whether written as micros, nanos or (flattened rows) SQL literal text in UTC. */
    static long micros(GenericRecord record, String field) {
        if (record.get(field) instanceof CharSequence text) {
            return micros(LocalDateTime.parse(text.toString().replace(' ', 'T')));
        }
        Schema schema = record.getSchema().getField(field).schema();
        if (schema.getType() == Schema.Type.UNION) {
            schema = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElseThrow();
        }
        LogicalType logical = schema.getLogicalType();
        long value = ((Number) record.get(field)).longValue();
        return logical != null && logical.getName().endsWith("nanos") ? value / 1000 : value;
    }

    static long micros(LocalDateTime value) {
        return value.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + value.getNano() / 1000;
    }

    /** The Verify results by step name; a step of one table ({@code <step>: <table>}) also under the step name alone. */
    static Map<String, ConfigVerificationResult> verify(TestRunner runner) {
        List<ConfigVerificationResult> results = ((VerifiableProcessor) runner.getProcessor())
                .verify(runner.getProcessContext(), runner.getLogger(), Map.of());
        Map<String, ConfigVerificationResult> byStep = new LinkedHashMap<>();
        results.forEach(r -> byStep.put(r.getVerificationStepName(), r));
        results.forEach(r -> byStep.putIfAbsent(r.getVerificationStepName().split(": ", 2)[0], r));
        return byStep;
    }

    static int compare(GenericRecord a, GenericRecord b) {
        int c = Long.compare(micros(a, "updated_at"), micros(b, "updated_at"));
        return c != 0 ? c : Long.compare(id(a), id(b));
    }

    static void assertExactlyOnceInOrder(List<GenericRecord> records, int expected) {
        Map<Long, Integer> seen = new HashMap<>();
        records.forEach(r -> seen.merge(id(r), 1, Integer::sum));
        assertEquals(expected, seen.size(), "distinct rows");
        assertEquals(expected, records.size(), "no duplicates");
        for (int i = 1; i < records.size(); i++) {
            assertTrue(compare(records.get(i - 1), records.get(i)) < 0, "ordered by (timestamp, id) at " + i);
        }
        assertFalse(records.isEmpty());
        assertNotNull(records.getFirst().get("__op"));
    }
}
