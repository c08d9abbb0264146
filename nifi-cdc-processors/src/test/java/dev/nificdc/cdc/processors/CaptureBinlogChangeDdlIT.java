package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.testsupport.MariaDbServer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TRUNCATE TABLE and the schema-change output through CaptureBinlogChange with NiFi's real Avro writer: a truncate is a
 * FlowFile of its own with one record of op {@code t} in each output shape; Include Truncates turns it off; Include
 * Schema Changes adds the "schema changes" relationship, whose FlowFiles take their sequence ids from the same sequence
 * as the change FlowFiles.
 */
class CaptureBinlogChangeDdlIT {
    private static MariaDbServer server;

    @BeforeAll
    static void startServer() {
        server = MariaDbServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static TestRunner runner(String db, OutputShape shape) throws Exception {
        TestRunner runner = BinlogCaptureRunners.newRunner(server, db);
        runner.setProperty(OutputProperties.OUTPUT_SHAPE, shape.getValue());
        runner.setProperty(OutputProperties.TOPIC_PREFIX, "it");
        BinlogCaptureRunners.streamFromCurrentEnd(runner, server);
        return runner;
    }

    /** Runs until {@code count} FlowFiles arrived on {@code relationship}, and returns them in sequence order. */
    private static List<MockFlowFile> drain(TestRunner runner, org.apache.nifi.processor.Relationship relationship, int count) {
        for (int attempt = 0; attempt < 40 && runner.getFlowFilesForRelationship(relationship).size() < count; attempt++) {
            runner.run(1, false, attempt == 0);
        }
        List<MockFlowFile> flowFiles = new ArrayList<>(runner.getFlowFilesForRelationship(relationship));
        assertEquals(count, flowFiles.size(), "FlowFiles on " + relationship.getName());
        flowFiles.sort(Comparator.comparingLong(f -> Long.parseLong(f.getAttribute(CaptureBinlogChange.ATTR_SEQUENCE_ID))));
        return flowFiles;
    }

    @Test
    void aTruncateIsAFlowFileOfItsOwnWithOneRecordOfOpT() throws Exception {
        String db = server.createDatabase("trunc_env");
        server.execute("CREATE TABLE `" + db + "`.t (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL)");
        TestRunner runner = runner(db, OutputShape.ENVELOPE);
        assertEquals(Set.of(CaptureBinlogChange.REL_SUCCESS, CaptureBinlogChange.REL_FAILURE), runner.getProcessor().getRelationships(),
                "no schema changes relationship by default");
        // one transaction before the truncate (so its rows share a FlowFile whatever the runs), one after
        server.execute("INSERT INTO `" + db + "`.t VALUES (1, 'a'), (2, 'b')",
                "TRUNCATE TABLE `" + db + "`.t", "INSERT INTO `" + db + "`.t VALUES (3, 'c')");
        List<MockFlowFile> flowFiles = drain(runner, CaptureBinlogChange.REL_SUCCESS, 3);
        runner.run(1, true, false);
        flowFiles.get(1).assertAttributeEquals("cdc.operations", "c=0,u=0,d=0,r=0,t=1");
        flowFiles.get(1).assertAttributeEquals("record.count", "1");
        flowFiles.get(0).assertAttributeEquals("cdc.operations", "c=2,u=0,d=0,r=0,t=0");
        GenericRecord truncate = AvroFlowFiles.records(flowFiles.get(1)).get(0);
        assertEquals("t", truncate.get("op").toString());
        assertNull(truncate.get("before"));
        assertNull(truncate.get("after"));
        GenericRecord source = (GenericRecord) truncate.get("source");
        assertEquals(db, source.get("db").toString());
        assertEquals("t", source.get("table").toString());
        assertEquals(Long.parseLong(flowFiles.get(1).getAttribute(CaptureBinlogChange.ATTR_FIRST_POSITION)), source.get("pos"));
        assertEquals(AvroFlowFiles.records(flowFiles.get(0)).get(0).getSchema(), truncate.getSchema(),
                "the truncate is written with the table's envelope schema");
        assertEquals(1L, runner.getCounterValue("Changes captured: truncate"));
        assertEquals(List.of(0L, 1L, 2L), flowFiles.stream().map(f -> Long.parseLong(f.getAttribute(CaptureBinlogChange.ATTR_SEQUENCE_ID))).toList());
    }

    @Test
    void flattenedAndKafkaWrapperShapesWriteTheTruncateWithoutRowAndKey() throws Exception {
        String db = server.createDatabase("trunc_flat");
        server.execute("CREATE TABLE `" + db + "`.t (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL)");
        TestRunner flattened = runner(db, OutputShape.FLATTENED);
        server.execute("INSERT INTO `" + db + "`.t VALUES (1, 'a')", "TRUNCATE TABLE `" + db + "`.t");
        List<MockFlowFile> flat = drain(flattened, CaptureBinlogChange.REL_SUCCESS, 2);
        flattened.run(1, true, false);
        GenericRecord row = AvroFlowFiles.records(flat.get(1)).get(0);
        assertEquals("t", row.get("__op").toString());
        assertEquals("true", row.get("__deleted").toString());
        assertEquals("t", row.get("__table").toString());
        assertNull(row.getSchema().getField("id"), "no columns: a truncate has no row");
        assertEquals("Value", row.getSchema().getName());

        TestRunner wrapper = runner(db, OutputShape.KAFKA_WRAPPER);
        server.execute("INSERT INTO `" + db + "`.t VALUES (2, 'b')", "TRUNCATE TABLE `" + db + "`.t");
        List<MockFlowFile> wrapped = drain(wrapper, CaptureBinlogChange.REL_SUCCESS, 2);
        wrapper.run(1, true, false);
        GenericRecord record = AvroFlowFiles.records(wrapped.get(1)).get(0);
        assertNull(record.getSchema().getField("key"), "a truncate has no key");
        assertEquals("t", ((GenericRecord) record.get("value")).get("op").toString());
        assertTrue(AvroFlowFiles.records(wrapped.get(0)).get(0).getSchema().getField("key") != null, "the rows have one");
    }

    @Test
    void includeTruncatesFalsePassesThemOver() throws Exception {
        String db = server.createDatabase("trunc_off");
        server.execute("CREATE TABLE `" + db + "`.t (id INT PRIMARY KEY)");
        TestRunner runner = runner(db, OutputShape.ENVELOPE);
        runner.setProperty(BinlogCaptureProperties.INCLUDE_TRUNCATES, "false");
        server.execute("INSERT INTO `" + db + "`.t VALUES (1)", "TRUNCATE TABLE `" + db + "`.t", "INSERT INTO `" + db + "`.t VALUES (2)");
        List<GenericRecord> records = List.of();
        for (int attempt = 0; attempt < 40 && records.size() < 2; attempt++) {
            runner.run(1, false, attempt == 0);
            records = AvroFlowFiles.records(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS));
        }
        runner.run(1, true, false);
        assertEquals(List.of(1, 2), records.stream().map(r -> ((GenericRecord) r.get("after")).get("id")).toList());
        runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS)
                .forEach(f -> assertTrue(f.getAttribute("cdc.operations").endsWith(",t=0"), f.getAttribute("cdc.operations")));
    }

    @Test
    void schemaChangesGoToTheirOwnRelationshipInTheSameSequence() throws Exception {
        String db = server.createDatabase("schema_rel");
        server.execute("CREATE TABLE `" + db + "`.t (id INT PRIMARY KEY)");
        TestRunner runner = runner(db, OutputShape.ENVELOPE);
        runner.setProperty(BinlogCaptureProperties.INCLUDE_SCHEMA_CHANGES, "true");
        assertEquals(Set.of(CaptureBinlogChange.REL_SUCCESS, CaptureBinlogChange.REL_FAILURE, CaptureBinlogChange.REL_SCHEMA_CHANGES),
                runner.getProcessor().getRelationships());
        server.execute("INSERT INTO `" + db + "`.t VALUES (1)");
        drain(runner, CaptureBinlogChange.REL_SUCCESS, 1);
        server.execute("ALTER TABLE `" + db + "`.t ADD COLUMN v VARCHAR(10) NULL");
        drain(runner, CaptureBinlogChange.REL_SCHEMA_CHANGES, 1);
        server.execute("INSERT INTO `" + db + "`.t VALUES (2, 'b')");
        List<MockFlowFile> rows = drain(runner, CaptureBinlogChange.REL_SUCCESS, 2);
        List<MockFlowFile> changes = drain(runner, CaptureBinlogChange.REL_SCHEMA_CHANGES, 1);
        runner.run(1, true, false);

        assertEquals(List.of("0", "2"), rows.stream().map(f -> f.getAttribute(CaptureBinlogChange.ATTR_SEQUENCE_ID)).toList());
        MockFlowFile change = changes.get(0);
        change.assertAttributeEquals(CaptureBinlogChange.ATTR_SEQUENCE_ID, "1");
        change.assertAttributeEquals("cdc.tables", db + ".t");
        change.assertAttributeEquals("cdc.database", "");
        change.assertAttributeEquals("cdc.topic", "it");
        GenericRecord record = AvroFlowFiles.records(change).get(0);
        assertEquals("dev.nificdc.cdc.SchemaChange", record.getSchema().getFullName());
        assertEquals("ALTER TABLE `" + db + "`.t ADD COLUMN v VARCHAR(10) NULL", record.get("ddl").toString());
        assertEquals("ALTER TABLE", record.get("type").toString());
        GenericRecord table = (GenericRecord) ((GenericData.Array<?>) record.get("tableChanges")).get(0);
        assertEquals(db + ".t", table.get("id").toString());
        List<String> columns = ((GenericData.Array<?>) table.get("columns")).stream()
                .map(c -> ((GenericRecord) c).get("name") + " " + ((GenericRecord) c).get("typeName") + " " + ((GenericRecord) c).get("optional")).toList();
        assertEquals(List.of("id int(11) false", "v varchar(10) true"), columns);
        assertEquals(change.getAttribute(CaptureBinlogChange.ATTR_FIRST_POSITION), String.valueOf(((GenericRecord) record.get("source")).get("pos")));
        assertEquals(1L, runner.getCounterValue("Schema changes captured"));
    }
}
