package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.PostgresServer;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/** The CapturePostgresChange set-up the processor tests share: NiFi's real Avro writer and the private PostgreSQL. */
final class PostgresCaptureRunners {
    private PostgresCaptureRunners() {
    }

    /**
     * A runner capturing the tables of {@code database} matching {@code tables}, with a slot named after the database,
     * topic prefix "it", and an AvroRecordSetWriter ("Inherit Record Schema") wrapped in a {@link FailingRecordWriter}
     * (service id "writer"), so a test can make the sink fail.
     */
    static TestRunner newRunner(PostgresServer server, String database, String tables) throws InitializationException {
        TestRunner runner = TestRunners.newTestRunner(CapturePostgresChange.class);
        AvroRecordSetWriter avro = new AvroRecordSetWriter();
        runner.addControllerService("avro", avro);
        runner.setProperty(avro, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, "inherit-record-schema");
        runner.enableControllerService(avro);
        FailingRecordWriter writer = new FailingRecordWriter(avro);
        runner.addControllerService("writer", writer);
        runner.enableControllerService(writer);
        runner.setProperty(OutputProperties.RECORD_WRITER, "writer");
        runner.setProperty(OutputProperties.TOPIC_PREFIX, "it");
        runner.setProperty(PostgresCaptureProperties.HOST, server.host() + ":" + server.port());
        runner.setProperty(PostgresCaptureProperties.DATABASE, database);
        runner.setProperty(PostgresCaptureProperties.USERNAME, PostgresServer.USER);
        runner.setProperty(PostgresCaptureProperties.SLOT_NAME, database);
        runner.setProperty(PostgresCaptureProperties.TABLE_INCLUDE, tables);
        runner.setProperty(PostgresCaptureProperties.STATUS_INTERVAL, "500 ms");
        runner.setProperty(PostgresCaptureProperties.MAX_WAIT, "300 ms");
        return runner;
    }

    static FailingRecordWriter writer(TestRunner runner) {
        return (FailingRecordWriter) runner.getControllerService("writer");
    }

    /** Stops the runner's processor and drops its slot once the server has released it (slots are per server). */
    static void stopAndDropSlot(TestRunner runner, PostgresServer server, String slot) throws Exception {
        ((CapturePostgresChange) runner.getProcessor()).onStopped();
        for (int i = 0; i < 100; i++) {
            try (Connection c = server.connection(null); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    break;
                }
            }
            Thread.sleep(200);
        }
        server.execute(null, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }
}
