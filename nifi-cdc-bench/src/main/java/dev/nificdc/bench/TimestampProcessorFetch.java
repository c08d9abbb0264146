package dev.nificdc.bench;

import dev.nificdc.cdc.processors.CaptureTimestampChange;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Candidate (b) of the timestamp fetch benchmark: CaptureTimestampChange as packaged, in NiFi's mock framework, with
 * NiFi's real AvroRecordSetWriter ("Inherit Record Schema"), configured as a user would: Table Names, Timestamp Column
 * and Incrementing Column set, everything else (Commit Lag 5 s, Open Transactions Wait, Output Shape Flattened Row,
 * Max Rows Per FlowFile 10000 = the page size, Fetch Size 1000, no Max Rows Per Run) left at its default. Each fetch is a new processor
 * with empty state, so it reads the whole table in one run.
 */
final class TimestampProcessorFetch {
    /** What one fetch produced, decoded after the clock stopped. */
    record Result(TimestampFetchMeasurement measurement, Schema writtenSchema, int flowFiles) {
    }

    private TimestampProcessorFetch() {
    }

    static Result fetch(TimestampBenchDatabase database, long expectedRows) throws IOException {
        TestRunner runner = runner(database);
        long nanos;
        long cpuNanos;
        long captureCpuNanos;
        try (JavaThreadCpu javaThreads = new JavaThreadCpu()) {
            long cpuStarted = CaptureMeasurement.processCpuNanos();
            long started = System.nanoTime();
            runner.run();
            nanos = System.nanoTime() - started;
            cpuNanos = CaptureMeasurement.processCpuNanos() - cpuStarted;
            captureCpuNanos = javaThreads.nanos();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while measuring", e);
        }

        List<MockFlowFile> flowFiles = runner.getFlowFilesForRelationship("success");
        long rows = 0;
        long bytes = 0;
        long lastId = 0;
        Schema schema = null;
        for (MockFlowFile flowFile : flowFiles) {
            byte[] content = flowFile.toByteArray();
            bytes += content.length;
            long inFile = 0;
            try (DataFileStream<GenericRecord> in = new DataFileStream<>(new ByteArrayInputStream(content), new GenericDatumReader<>())) {
                schema = in.getSchema();
                GenericRecord record = null;
                while (in.hasNext()) {
                    record = in.next(record);
                    long id = id(record.get("id"));
                    if (id <= lastId) {
                        throw new IllegalStateException("The processor wrote id " + id + " after id " + lastId + ": rows out of (updated_at, id) order");
                    }
                    lastId = id;
                    inFile++;
                }
            }
            String count = flowFile.getAttribute("record.count");
            if (!Objects.equals(count, Long.toString(inFile))) {
                throw new IllegalStateException("A FlowFile says record.count=" + count + " but holds " + inFile + " records");
            }
            rows += inFile;
        }
        if (rows > 0 && lastId != expectedRows) {
            throw new IllegalStateException("The processor's last record has id " + lastId + ", expected " + expectedRows);
        }
        return new Result(new TimestampFetchMeasurement(rows, bytes, nanos, cpuNanos, captureCpuNanos), schema, flowFiles.size());
    }

    private static long id(Object value) {
        if (value instanceof Number number) {
            return number.longValue();
        }
        if (value instanceof java.nio.ByteBuffer bytes) { // decimal(20,0) without a conversion: the unscaled two's complement
            byte[] array = new byte[bytes.remaining()];
            bytes.duplicate().get(array);
            return new java.math.BigInteger(array).longValueExact();
        }
        throw new IllegalStateException("Unexpected id value " + value + " (" + (value == null ? "null" : value.getClass().getName()) + ")");
    }

    private static TestRunner runner(TimestampBenchDatabase database) {
        TestRunner runner = TestRunners.newTestRunner(CaptureTimestampChange.class);
        try {
            JdbcUrlConnectionPool pool = new JdbcUrlConnectionPool();
            runner.addControllerService("pool", pool);
            runner.setProperty(pool, JdbcUrlConnectionPool.URL, database.jdbcUrl());
            runner.setProperty(pool, JdbcUrlConnectionPool.USER, database.user());
            if (!database.password().isEmpty()) {
                runner.setProperty(pool, JdbcUrlConnectionPool.PASSWORD, database.password());
            }
            runner.enableControllerService(pool);
            AvroRecordSetWriter writer = new AvroRecordSetWriter();
            runner.addControllerService("writer", writer);
            runner.setProperty(writer, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.INHERIT_RECORD_SCHEMA.getValue());
            runner.enableControllerService(writer);
        } catch (InitializationException e) {
            throw new IllegalStateException("Could not set up the processor's controller services: " + e.getMessage(), e);
        }
        runner.setProperty("Database Connection Pooling Service", "pool");
        runner.setProperty("Record Writer", "writer");
        runner.setProperty("Table Names", database.table());
        runner.setProperty("Timestamp Column", "updated_at");
        runner.setProperty("Incrementing Column", "id");
        return runner;
    }
}
