package dev.nificdc.nar.templates;

import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.record.path.FieldValue;
import org.apache.nifi.record.path.RecordPath;
import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Evaluates the replica template's "Statement Type Record Path" with NiFi's RecordPath engine against flattened rows,
 * and maps the result the way PutDatabaseRecord 2.6.0 does (upper-cased; INSERT/UPDATE/DELETE/UPSERT kept, c/r -> INSERT,
 * u -> UPDATE, d -> DELETE, anything else an error).
 */
class ReplicaStatementTypeTest {
    private static final RecordSchema FLATTENED = new SimpleRecordSchema(List.of(
            new RecordField("id", RecordFieldType.INT.getDataType()),
            new RecordField("name", RecordFieldType.STRING.getDataType()),
            new RecordField("__op", RecordFieldType.STRING.getDataType()),
            new RecordField("__deleted", RecordFieldType.STRING.getDataType())));

    @ParameterizedTest
    @CsvSource({"c,false,UPSERT", "r,false,UPSERT", "u,false,UPSERT", "d,true,DELETE"})
    void operationsBecomeIdempotentUpsertsAndDeletes(String op, String deleted, String expected) throws IOException {
        VersionedProcessor put = FlowDefinitionTemplatesTest.read(FlowDefinitionTemplatesTest.TEMPLATES.resolve("binlog-to-database-replica.json"))
                .getFlowContents().getProcessors().stream()
                .filter(p -> p.getType().equals("org.apache.nifi.processors.standard.PutDatabaseRecord")).findFirst().orElseThrow();
        assertEquals("Use Record Path", put.getProperties().get("put-db-record-statement-type"));
        RecordPath path = RecordPath.compile(put.getProperties().get("Statement Type Record Path"));

        Map<String, Object> values = new LinkedHashMap<>();
        values.put("id", 7);
        values.put("name", "seven");
        values.put("__op", op);
        values.put("__deleted", deleted);
        List<FieldValue> selected = path.evaluate(new MapRecord(FLATTENED, values)).getSelectedFields().distinct().toList();

        assertEquals(1, selected.size(), "PutDatabaseRecord needs exactly one result");
        assertEquals(expected, putDatabaseRecordStatementType(String.valueOf(selected.getFirst().getValue())));
    }

    /** PutDatabaseRecord 2.6.0 RecordPathStatementType#apply, restated. */
    private static String putDatabaseRecordStatementType(String value) {
        String upper = value.toUpperCase();
        return switch (upper) {
            case "INSERT", "UPDATE", "DELETE", "UPSERT" -> upper;
            case "C", "R" -> "INSERT";
            case "U" -> "UPDATE";
            case "D" -> "DELETE";
            default -> throw new IllegalArgumentException("PutDatabaseRecord would fail on statement type " + value);
        };
    }
}
