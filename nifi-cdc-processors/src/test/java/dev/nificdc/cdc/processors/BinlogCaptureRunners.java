package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.MariaDbServer;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The CaptureBinlogChange set-up the processor tests share: NiFi's real Avro writer and the private MariaDB's CDC user. */
final class BinlogCaptureRunners {
    private BinlogCaptureRunners() {
    }

    /**
     * A runner capturing {@code database} with an AvroRecordSetWriter ("Inherit Record Schema") wrapped in a
     * {@link FailingRecordWriter} (service id "writer"), so a test can make the sink fail.
     */
    static TestRunner newRunner(MariaDbServer server, String database) throws InitializationException {
        TestRunner runner = TestRunners.newTestRunner(CaptureBinlogChange.class);
        connect(runner, server, database, new FailingRecordWriter(avroWriter(runner)));
        runner.setProperty(BinlogCaptureProperties.MAX_WAIT, "300 ms");
        return runner;
    }

    /**
     * A runner capturing {@code database} whose records go through NiFi's real AvroRecordSetWriter into a
     * {@link DiscardingRecordWriter} (service id "writer"): the bounded-heap tests use it, so that the test framework's
     * in-memory content repository does not hold what a real NiFi streams to disk.
     */
    static TestRunner newDiscardingRunner(MariaDbServer server, String database) throws InitializationException {
        TestRunner runner = TestRunners.newTestRunner(CaptureBinlogChange.class);
        connect(runner, server, database, new DiscardingRecordWriter(avroWriter(runner)));
        return runner;
    }

    static DiscardingRecordWriter discardingWriter(TestRunner runner) {
        return (DiscardingRecordWriter) runner.getControllerService("writer");
    }

    /** NiFi's AvroRecordSetWriter ("Inherit Record Schema"), enabled as service "avro". */
    private static AvroRecordSetWriter avroWriter(TestRunner runner) throws InitializationException {
        AvroRecordSetWriter avro = new AvroRecordSetWriter();
        runner.addControllerService("avro", avro);
        runner.setProperty(avro, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, "inherit-record-schema");
        runner.enableControllerService(avro);
        return avro;
    }

    /** The Record Writer (as service "writer") and the private MariaDB's CDC user. */
    private static void connect(TestRunner runner, MariaDbServer server, String database, RecordSetWriterFactory writer) throws InitializationException {
        runner.addControllerService("writer", (ControllerService) writer);
        runner.enableControllerService((ControllerService) writer);
        runner.setProperty(OutputProperties.RECORD_WRITER, "writer");
        runner.setProperty(BinlogCaptureProperties.HOSTS, server.host() + ":" + server.port());
        runner.setProperty(BinlogCaptureProperties.USERNAME, MariaDbServer.CDC_USER);
        runner.setProperty(BinlogCaptureProperties.PASSWORD, MariaDbServer.CDC_PASSWORD);
        runner.setProperty(BinlogCaptureProperties.DATABASE_INCLUDE, database);
    }

    static FailingRecordWriter writer(TestRunner runner) {
        return (FailingRecordWriter) runner.getControllerService("writer");
    }

    /** No snapshot; stream from the server's current end of binlog (read now, before the test makes its changes). */
    static void streamFromCurrentEnd(TestRunner runner, MariaDbServer server) throws SQLException {
        try (Connection c = server.adminConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            runner.setProperty(BinlogCaptureProperties.SNAPSHOT_MODE, SnapshotMode.NEVER.getValue());
            runner.setProperty(BinlogCaptureProperties.INITIAL_POSITION, InitialBinlogPosition.FILE_POSITION.getValue());
            runner.setProperty(BinlogCaptureProperties.INITIAL_FILE, rs.getString(1));
            runner.setProperty(BinlogCaptureProperties.INITIAL_FILE_POSITION, String.valueOf(rs.getLong(2)));
        }
    }
}
