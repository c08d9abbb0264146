package dev.nificdc.nar.templates;

import org.apache.nifi.flow.VersionedProcessGroup;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.record.path.FieldValue;
import org.apache.nifi.record.path.RecordPath;
import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.util.MockPropertyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Evaluates the replica templates' "Statement Type Record Path" with NiFi's RecordPath engine against flattened rows,
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
    @CsvSource({"binlog-to-database-replica.json,c,false,UPSERT", "binlog-to-database-replica.json,r,false,UPSERT",
            "binlog-to-database-replica.json,u,false,UPSERT", "binlog-to-database-replica.json,d,true,DELETE",
            "postgres-to-database-replica.json,c,false,UPSERT", "postgres-to-database-replica.json,r,false,UPSERT",
            "postgres-to-database-replica.json,u,false,UPSERT", "postgres-to-database-replica.json,d,true,DELETE"})
    void operationsBecomeIdempotentUpsertsAndDeletes(String template, String op, String deleted, String expected) throws IOException {
        VersionedProcessor put = processor(template, "org.apache.nifi.processors.standard.PutDatabaseRecord");
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

    /**
     * Only a truncate reaches PutSQL: RouteOnAttribute's route, evaluated with NiFi's Expression Language against the
     * cdc.operations attribute the capture processors write, and PutSQL's statement for it, quoted for the replica.
     */
    @ParameterizedTest
    @CsvSource({"binlog-to-database-replica.json,'c=0,u=0,d=0,r=0,t=1',true", "binlog-to-database-replica.json,'c=3,u=1,d=0,r=0,t=0',false",
            "binlog-to-database-replica.json,'c=0,u=0,d=0,r=10,t=0',false", "binlog-to-database-replica.json,'c=1,u=0,d=1,r=0,t=0',false",
            "postgres-to-database-replica.json,'c=0,u=0,d=0,r=0,t=1',true", "postgres-to-database-replica.json,'c=3,u=1,d=0,r=0,t=0',false",
            "postgres-to-database-replica.json,'c=0,u=0,d=0,r=10,t=0',false", "postgres-to-database-replica.json,'c=1,u=0,d=1,r=0,t=0',false"})
    void onlyTruncatesAreRoutedToPutSql(String template, String operations, String truncate) throws IOException {
        VersionedProcessor route = processor(template, "org.apache.nifi.processors.standard.RouteOnAttribute");
        String expression = route.getProperties().get("truncate");
        assertEquals(truncate, new MockPropertyValue(expression).evaluateAttributeExpressions(Map.of("cdc.operations", operations)).getValue());
    }

    @Test
    void theBinlogTruncateNamesTheTableQuotedForMySql() throws IOException {
        VersionedProcessor putSql = processor("binlog-to-database-replica.json", "org.apache.nifi.processors.standard.PutSQL");
        assertEquals("TRUNCATE TABLE `shop`.`odd``name`", new MockPropertyValue(putSql.getProperties().get("putsql-sql-statement"))
                .evaluateAttributeExpressions(Map.of("cdc.database", "shop", "cdc.table", "odd`name")).getValue());
    }

    @Test
    void thePostgresTruncateNamesTheSchemaAndTableQuotedForPostgres() throws IOException {
        VersionedProcessor putSql = processor("postgres-to-database-replica.json", "org.apache.nifi.processors.standard.PutSQL");
        assertEquals("TRUNCATE TABLE \"Sales\".\"odd\"\"name\"", new MockPropertyValue(putSql.getProperties().get("putsql-sql-statement"))
                .evaluateAttributeExpressions(Map.of("cdc.database", "shop", "cdc.schema", "Sales", "cdc.table", "odd\"name")).getValue());
    }

    /** The replica template's processor of {@code type}, in whichever of its groups it is. */
    private static VersionedProcessor processor(String template, String type) throws IOException {
        VersionedProcessGroup root = FlowDefinitionTemplatesTest.read(FlowDefinitionTemplatesTest.TEMPLATES.resolve(template))
                .getFlowContents();
        return Stream.concat(Stream.of(root), root.getProcessGroups().stream()).flatMap(g -> g.getProcessors().stream())
                .filter(p -> p.getType().equals(type)).findFirst().orElseThrow();
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
