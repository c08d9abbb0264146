package dev.nificdc.cdc.postgres.types;

import dev.nificdc.cdc.emit.ChangeRecordFactory;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.cdc.record.SourceFields;
import dev.nificdc.cdc.record.SourceInfo;
import dev.nificdc.cdc.record.TableSchema;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.util.MockComponentLog;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes change events with nifi-cdc's {@link ChangeRecordFactory} through NiFi's real {@link AvroRecordSetWriter}
 * ("Inherit Record Schema") and reads the Avro back with Avro's own library, as a consumer would.
 */
final class AvroWriterRoundTrip {
    /** A source block with nothing but the shared fields. */
    record TestSource(String db, String table) implements SourceInfo {
        static final SourceFields<TestSource> FIELDS = new SourceFields<>("dev.nificdc.cdc.test.Source", List.of(), List.of());

        @Override
        public SourceFields<?> fields() {
            return FIELDS;
        }

        @Override
        public String connector() {
            return "postgresql";
        }

        @Override
        public String name() {
            return "prod";
        }

        @Override
        public long tsMs() {
            return 0;
        }

        @Override
        public String snapshot() {
            return "false";
        }
    }

    private final RecordSetWriterFactory writers;

    AvroWriterRoundTrip() {
        TestRunner runner = TestRunners.newTestRunner(new AbstractProcessor() {
            @Override
            public void onTrigger(ProcessContext context, ProcessSession session) {
            }
        });
        AvroRecordSetWriter writer = new AvroRecordSetWriter();
        try {
            runner.addControllerService("writer", writer);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        runner.setProperty(writer, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, "inherit-record-schema");
        runner.enableControllerService(writer);
        this.writers = writer;
    }

    /** The after-images of one insert per row, as Avro's reader returns them (field name to value). */
    List<GenericRecord> writeInserts(TableSchema table, List<Object[]> rows) throws Exception {
        ChangeRecordFactory records = new ChangeRecordFactory(OutputShape.ENVELOPE, TestSource.FIELDS, "prod");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordSetWriter writer = writers.createWriter(new MockComponentLog("writer", this), records.recordSchema(table), out, Map.of())) {
            writer.beginRecordSet();
            for (Object[] row : rows) {
                Record record = records.toRecord(new ChangeEvent(Operation.CREATE, table, null, row,
                        new TestSource(table.database(), table.table()), 0L, null));
                writer.write(record);
            }
            writer.finishRecordSet();
        }
        List<GenericRecord> after = new ArrayList<>();
        try (DataFileStream<GenericRecord> in = new DataFileStream<>(new ByteArrayInputStream(out.toByteArray()), new GenericDatumReader<>())) {
            in.forEach(envelope -> after.add((GenericRecord) envelope.get("after")));
        }
        return after;
    }

    /** An Avro field value as the canonical Java value of its kind: strings, byte arrays, decimals decoded. */
    static Object canonical(Object avro, Schema schema) {
        if (avro == null) {
            return null;
        }
        Schema type = schema.getType() == Schema.Type.UNION ? schema.getTypes().get(1) : schema;
        if (avro instanceof CharSequence text) {
            return text.toString();
        }
        if (avro instanceof ByteBuffer bytes) {
            if (type.getLogicalType() instanceof LogicalTypes.Decimal) {
                return new Conversions.DecimalConversion().fromBytes(bytes.duplicate(), type, type.getLogicalType());
            }
            byte[] copy = new byte[bytes.remaining()];
            bytes.duplicate().get(copy);
            return copy;
        }
        return avro;
    }
}
