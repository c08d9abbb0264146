package dev.nificdc.cdc.processors;

import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several tables per processor, against a real server: listed and matched tables, per-table columns, tables added later. */
abstract class MultiTableCaptureITSupport extends TimestampCaptureITBase {

    /** The records of the last run by table (cdc.table), checking that every FlowFile holds one table. */
    static Map<String, List<GenericRecord>> byTable(TestRunner runner, List<String> sequences) {
        Map<String, List<GenericRecord>> tables = new LinkedHashMap<>();
        for (MockFlowFile flowFile : runner.getFlowFilesForRelationship(CaptureTimestampChange.REL_SUCCESS)) {
            List<GenericRecord> records = read(flowFile);
            String table = flowFile.getAttribute("cdc.table");
            for (GenericRecord record : records) {
                assertEquals(table, string(record, "__table"), "a FlowFile holds the rows of one table");
            }
            tables.computeIfAbsent(table, t -> new ArrayList<>()).addAll(records);
            sequences.add(flowFile.getAttribute(CaptureTimestampChange.ATTR_SEQUENCE));
        }
        return tables;
    }

    static List<String> names(List<GenericRecord> records, String field) {
        return records == null ? List.of() : records.stream().map(r -> string(r, field)).toList();
    }

    @Test
    void tablesWithDifferentColumnsKeepTheirOwnWatermarksAndATableCreatedLaterIsFetchedWithoutARestart() {
        String base = newTable("multi");
        String a = base + "_a";
        String b = base + "_b";
        String broken = base + "_broken";
        createStandardTable(a);
        sql("CREATE TABLE " + quote(b) + " (order_no BIGINT NOT NULL PRIMARY KEY, label VARCHAR(20), changed_on " + localTimestampType() + " NOT NULL)",
                "CREATE TABLE " + quote(broken) + " (x INT)",
                "INSERT INTO " + quote(a) + " (name, updated_at) VALUES ('a1', '2024-01-01 00:00:01'), ('a2', '2024-01-01 00:00:02'), ('a3', '2024-01-01 00:00:02')",
                "INSERT INTO " + quote(b) + " VALUES (20, 'b20', '2024-01-01 00:00:02'), (10, 'b10', '2024-01-01 00:00:03')");
        TestRunner runner = runner(a);
        runner.setProperty(TimestampCaptureProperties.TABLE_INCLUDE, Pattern.quote(schemaName()) + "\\." + base + "_.*");
        runner.setProperty(b, "Timestamp Column=changed_on; Incrementing Column=order_no");

        List<String> sequences = new ArrayList<>();
        runScheduled(runner, true);
        Map<String, List<GenericRecord>> first = byTable(runner, sequences);
        assertEquals(Set.of(a, b), first.keySet(), "the listed table once, although the pattern matches it too, and the other matched one");
        assertEquals(List.of("a1", "a2", "a3"), names(first.get(a), "name"));
        assertEquals(List.of("b20", "b10"), names(first.get(b), "label"), "ordered by the table's own timestamp column");
        assertTrue(loggedContaining(runner.getLogger().getErrorMessages(), broken),
                "the table without the timestamp column is reported: " + logged(runner.getLogger().getErrorMessages()));
        assertEquals("updated_at|id", watermark(runner, a, "columns"));
        assertEquals("changed_on|order_no", watermark(runner, b, "columns"));
        assertEquals("10", watermark(runner, b, "id"));
        assertNull(watermark(runner, broken, "timestamp"));

        String c = base + "_c";
        createStandardTable(c);
        sql("INSERT INTO " + quote(c) + " (name, updated_at) VALUES ('c1', '2024-01-01 00:00:01')",
                "INSERT INTO " + quote(a) + " (name, updated_at) VALUES ('a4', '2024-01-01 00:00:04')");
        runScheduled(runner, false);
        Map<String, List<GenericRecord>> second = byTable(runner, sequences);
        assertEquals(Map.of(a, List.of("a4"), c, List.of("c1")), Map.of(a, names(second.get(a), "name"), c, names(second.get(c), "name")),
                "the new table is fetched at the next run, without a restart; the others continue after their watermarks");
        assertFalse(second.containsKey(b));
        runScheduled(runner, false);
        assertTrue(byTable(runner, sequences).isEmpty(), "nothing twice");
        assertEquals(sequences.size(), new HashSet<>(sequences).size(), "one FlowFile sequence across all tables: " + sequences);

        runner.setProperty("no_such_table", "Incrementing Column=");
        Map<String, ConfigVerificationResult> verified = verify(runner);
        ConfigVerificationResult tables = verified.get(CaptureTimestampChangeVerifier.STEP_TABLES);
        assertEquals(Outcome.FAILED, tables.getOutcome(), tables.getExplanation());
        assertTrue(tables.getExplanation().contains("no_such_table"), tables.getExplanation());
        for (String table : List.of(b, c)) {
            ConfigVerificationResult query = verified.get(CaptureTimestampChangeVerifier.STEP_QUERY + ": " + schemaName() + "." + table);
            assertEquals(Outcome.SUCCESSFUL, query.getOutcome(), table + ": " + query);
        }
        assertEquals(Outcome.SUCCESSFUL, verified.get(CaptureTimestampChangeVerifier.STEP_QUERY + ": " + a).getOutcome());
        ConfigVerificationResult brokenTable = verified.get(CaptureTimestampChangeVerifier.STEP_TABLE + ": " + schemaName() + "." + broken);
        assertEquals(Outcome.FAILED, brokenTable.getOutcome());
        assertTrue(brokenTable.getExplanation().contains("Timestamp Column"), brokenTable.getExplanation());
    }

    @Test
    void theSingleTableFlowAndStateOfAnEarlierVersionContinueAfterTheUpgrade() throws Exception {
        String table = newTable("upgrade");
        createStandardTable(table);
        sql("INSERT INTO " + quote(table) + " (id, name, updated_at) VALUES (1, 'r1', '2024-01-01 00:00:01'), (2, 'r2', '2024-01-01 00:00:02'), "
                + "(3, 'r3', '2024-01-01 00:00:02'), (4, 'r4', '2024-01-01 00:00:03')");
        TestRunner runner = runner(table);
        runner.removeProperty(TimestampCaptureProperties.TABLE_NAMES);
        runner.setProperty(TimestampCaptureProperties.OLD_TABLE_NAME, table);
        runner.migrateProperties();
        runner.getStateManager().setState(Map.of("timestamp", "2024-01-01T00:00:02", "bound", "AFTER_ROW", "id", "2",
                "scope", table + "|updated_at|id", "sequence", "5"), Scope.CLUSTER);

        assertEquals(List.of("r3", "r4"), names(runOnce(runner), "name"), "continues after the old watermark");
        assertEquals("5", runner.getFlowFilesForRelationship(CaptureTimestampChange.REL_SUCCESS).getFirst()
                .getAttribute(CaptureTimestampChange.ATTR_SEQUENCE), "and after the old sequence");
        Map<String, String> state = state(runner);
        assertEquals("6", state.get("sequence.id"));
        assertEquals("2024-01-01T00:00:03", watermark(runner, table, "timestamp"));
        for (String old : List.of("timestamp", "bound", "id", "scope", "sequence")) {
            assertFalse(state.containsKey(old), old + " is gone: " + state);
        }
        assertEquals(0, runOnce(runner).size());
    }
}
