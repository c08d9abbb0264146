package dev.nificdc.cdc.emit;

import dev.nificdc.cdc.binlog.BinlogSourceInfo;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.cdc.record.TableSchema;
import dev.nificdc.cdc.record.ValueKind;
import org.apache.nifi.json.JsonRecordSetWriter;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NestedRecord} exists for the speed of NiFi's Avro writer (ChangeFlowFileWriterTest proves that output); to
 * every other writer it must be an ordinary record: NiFi's JSON writer writes exactly what it writes for MapRecords.
 */
class NestedRecordTest {
    private static final TableSchema TABLE = new TableSchema("shop", "orders", List.of(
            ColumnSchema.of("id", ValueKind.LONG, false, "bigint"),
            ColumnSchema.decimal("amount", 12, 2, true, "decimal(12,2)"),
            ColumnSchema.of("day", ValueKind.DATE, true, "date"),
            ColumnSchema.of("note", ValueKind.STRING, true, "varchar(20)")), List.of("id"));

    @Test
    void jsonWriterWritesNestedRecordsExactlyAsMapRecords() throws Exception {
        ChangeEvent update = new ChangeEvent(Operation.UPDATE, TABLE, new Object[]{7L, new BigDecimal("1.50"), 20_000, "old"},
                new Object[]{7L, null, 20_001, "new"},
                new BinlogSourceInfo("mariadb", "prod", 1, 1000L, "false", "shop", "orders", "mysql-bin.000003", 4711, 0, "0-1-42", 9L),
                2000L, new ChangeEvent.TransactionInfo("0-1-42", 1, 1));
        for (OutputShape shape : OutputShape.values()) {
            ChangeRecordFactory factory = new ChangeRecordFactory(shape, BinlogSourceInfo.FIELDS, "prod");
            List<Record> records = factory.toRecords(update);
            if (shape != OutputShape.FLATTENED) {
                assertTrue(records.get(0).toMap().values().stream().anyMatch(NestedRecord.class::isInstance), shape + " nests records");
            }
            List<Record> plain = records.stream().map(NestedRecordTest::plainCopy).toList();
            String json = writeJson(factory, records);
            assertEquals(writeJson(factory, plain), json, shape.name());
            assertTrue(json.contains("\"note\":\"new\""), json);
        }
    }

    @Test
    void isTheMapOfItsOwnValues() {
        Record envelope = new ChangeRecordFactory(OutputShape.ENVELOPE, BinlogSourceInfo.FIELDS, "").toRecord(new ChangeEvent(Operation.CREATE, TABLE, null,
                new Object[]{8L, null, null, "x"}, new BinlogSourceInfo("mariadb", "", 1, 1L, "false", "shop", "orders", "f", 4, 0, null, null), 2L, null));
        NestedRecord after = assertInstanceOf(NestedRecord.class, envelope.getValue("after"));
        assertEquals(8L, after.get("id"));
        assertEquals(List.of("id", "amount", "day", "note"), List.copyOf(after.keySet()));
        after.put("note", "y");
        assertEquals("y", after.getValue("note"));
        assertThrows(UnsupportedOperationException.class, () -> after.put("not a column", 1));
    }

    /** The same record with every nested record an ordinary MapRecord. */
    private static Record plainCopy(Record record) {
        Map<String, Object> values = new LinkedHashMap<>();
        record.toMap().forEach((name, value) -> values.put(name, value instanceof Record nested ? plainCopy(nested) : value));
        return new MapRecord(record.getSchema(), values);
    }

    private static String writeJson(ChangeRecordFactory factory, List<Record> records) throws Exception {
        TestRunner runner = TestRunners.newTestRunner(NoOp.class);
        JsonRecordSetWriter json = new JsonRecordSetWriter();
        runner.addControllerService("json", json);
        runner.setProperty(json, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.INHERIT_RECORD_SCHEMA.getValue());
        runner.enableControllerService(json);
        RecordSetWriterFactory writerFactory = json;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordSetWriter writer = writerFactory.createWriter(runner.getLogger(), factory.recordSchema(TABLE), out, Map.of())) {
            writer.beginRecordSet();
            for (Record record : records) {
                writer.write(record);
            }
            writer.finishRecordSet();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public static final class NoOp extends AbstractProcessor {
        @Override
        public void onTrigger(ProcessContext context, ProcessSession session) {
        }
    }
}
