package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.testsupport.MariaDbServer;
import org.apache.nifi.avro.AvroReader;
import org.apache.nifi.processors.standard.PutDatabaseRecord;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Flattened rows from CaptureBinlogChange, applied by NiFi's own PutDatabaseRecord (2.6.0) the way the replica flow
 * definition configures it, leave the target table equal to the source, microseconds of DATETIME/TIMESTAMP/TIME included.
 */
class FlattenedRowsToDatabaseIT {
    private static final String COLUMNS = "(id INT PRIMARY KEY, dt DATETIME(6), ts TIMESTAMP(6) NULL, t TIME(6), d DATE, "
            + "amount DECIMAL(12,4), note VARCHAR(40))";
    private static MariaDbServer server;

    @BeforeAll
    static void startServer() {
        server = MariaDbServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void replicaEqualsSourceIncludingEveryMicrosecond() throws Exception {
        String source = server.createDatabase("flat_src");
        String target = server.createDatabase("flat_dst");
        server.execute("CREATE TABLE `" + source + "`.events " + COLUMNS, "CREATE TABLE `" + target + "`.events " + COLUMNS);

        TestRunner capture = captureRunner(source);
        server.execute(
                "INSERT INTO `" + source + "`.events VALUES (1, '2024-03-10 02:30:00.000001', '2038-01-19 03:14:07.999999', "
                        + "'-838:59:59.999999', '2024-02-29', 12345678.1234, 'first')",
                "INSERT INTO `" + source + "`.events VALUES (2, '1999-12-31 23:59:59', '1970-01-01 00:00:01', '12:00:00', "
                        + "'1000-01-01', -0.0001, NULL)",
                "INSERT INTO `" + source + "`.events VALUES (3, NULL, NULL, NULL, NULL, NULL, 'nulls')",
                "UPDATE `" + source + "`.events SET dt = '2024-12-31 23:59:59.999999', t = '838:59:59.000001' WHERE id = 2",
                "DELETE FROM `" + source + "`.events WHERE id = 3",
                "INSERT INTO `" + source + "`.events VALUES (4, '2000-01-01 00:00:00.5', '2000-01-01 00:00:00.5', '-00:00:00.5', "
                        + "'2000-01-01', 0, 'half second')");

        List<MockFlowFile> flowFiles = new ArrayList<>();
        for (int attempt = 0; attempt < 40 && records(flowFiles) < 6; attempt++) {
            capture.run(1, false, attempt == 0);
            flowFiles = new ArrayList<>(capture.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS));
        }
        capture.run(1, true, false);
        assertEquals(6, records(flowFiles), "changes captured");
        flowFiles.sort(Comparator.comparingLong(f -> Long.parseLong(f.getAttribute(CaptureBinlogChange.ATTR_SEQUENCE_ID))));

        TestRunner put = putDatabaseRecordRunner(target);
        for (MockFlowFile flowFile : flowFiles) {
            put.enqueue(flowFile.toByteArray(), flowFile.getAttributes());
        }
        put.run(flowFiles.size());
        put.assertAllFlowFilesTransferred("success", flowFiles.size());

        List<List<String>> expected = rows(source);
        assertFalse(expected.isEmpty());
        assertEquals(expected, rows(target));
    }

    private static TestRunner captureRunner(String database) throws Exception {
        TestRunner runner = BinlogCaptureRunners.newRunner(server, database);
        runner.setProperty(OutputProperties.OUTPUT_SHAPE, OutputShape.FLATTENED.getValue());
        BinlogCaptureRunners.streamFromCurrentEnd(runner, server);
        return runner;
    }

    /** PutDatabaseRecord as templates/binlog-to-database-replica.json configures it. */
    private static TestRunner putDatabaseRecordRunner(String database) throws Exception {
        TestRunner runner = TestRunners.newTestRunner(PutDatabaseRecord.class);
        AvroReader reader = new AvroReader();
        runner.addControllerService("reader", reader);
        runner.enableControllerService(reader);
        UrlConnectionPool pool = new UrlConnectionPool();
        runner.addControllerService("pool", pool);
        runner.setProperty(pool, UrlConnectionPool.URL, server.jdbcUrl(database));
        runner.setProperty(pool, UrlConnectionPool.USER, "root");
        runner.setProperty(pool, UrlConnectionPool.INIT_SQL, "SET time_zone = '+00:00'");
        runner.enableControllerService(pool);
        runner.setProperty("put-db-record-record-reader", "reader");
        runner.setProperty("put-db-record-dcbp-service", "pool");
        runner.setProperty("db-type", "MySQL");
        runner.setProperty("put-db-record-statement-type", "Use Record Path");
        runner.setProperty("Statement Type Record Path", "replaceRegex(replaceRegex(/__op, '^d$', 'DELETE'), '^[cur]$', 'UPSERT')");
        runner.setProperty("put-db-record-catalog-name", database);
        runner.setProperty("put-db-record-table-name", "${cdc.table}");
        runner.setProperty("put-db-record-translate-field-names", "false");
        runner.setProperty("put-db-record-unmatched-field-behavior", "Ignore Unmatched Fields");
        runner.setProperty("put-db-record-unmatched-column-behavior", "Fail on Unmatched Columns");
        runner.setProperty("put-db-record-quoted-identifiers", "true");
        runner.setProperty("put-db-record-quoted-table-identifiers", "true");
        runner.setProperty("rollback-on-failure", "true");
        return runner;
    }

    private static List<List<String>> rows(String database) throws Exception {
        List<List<String>> rows = new ArrayList<>();
        try (Connection c = server.adminConnection(); Statement s = c.createStatement()) {
            s.execute("SET time_zone = '+00:00'");
            try (ResultSet rs = s.executeQuery("SELECT id, CAST(dt AS CHAR), CAST(ts AS CHAR), CAST(t AS CHAR), CAST(d AS CHAR), "
                    + "CAST(amount AS CHAR), note FROM `" + database + "`.events ORDER BY id")) {
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= 7; i++) {
                        row.add(rs.getString(i));
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private static int records(List<MockFlowFile> flowFiles) {
        return flowFiles.stream().mapToInt(f -> Integer.parseInt(f.getAttribute("record.count"))).sum();
    }
}
