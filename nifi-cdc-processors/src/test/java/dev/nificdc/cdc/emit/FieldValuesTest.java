package dev.nificdc.cdc.emit;

import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FieldValuesTest {
    private static final RecordSchema SCHEMA = new SimpleRecordSchema(List.of(
            new RecordField("id", RecordFieldType.LONG.getDataType()),
            new RecordField("note", RecordFieldType.STRING.getDataType(), true),
            new RecordField("__op", RecordFieldType.STRING.getDataType())));

    @Test
    void behavesLikeALinkedHashMapWithEveryFieldPut() {
        FieldValues values = new FieldValues(new FieldValues.Layout(SCHEMA));
        values.put("__op", "c");
        values.put("id", 7L);
        values.put("note", null);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("id", 7L);
        expected.put("note", null);
        expected.put("__op", "c");
        assertEquals(expected, values);
        assertEquals(expected.hashCode(), values.hashCode());
        assertEquals(List.of("id", "note", "__op"), new ArrayList<>(values.keySet()), "schema order");
        assertTrue(values.containsKey("note"));
        assertNull(values.get("missing"));
        assertEquals(7L, new MapRecord(SCHEMA, values).getValue("id"));
        assertEquals("c", new MapRecord(SCHEMA, values).getAsString("__op"));
    }

    @Test
    void setsByPositionInSchemaOrder() {
        FieldValues.Layout layout = new FieldValues.Layout(SCHEMA);
        assertTrue(layout.startsWith(List.of("id", "note")));
        assertTrue(!layout.startsWith(List.of("note")) && !layout.startsWith(List.of("id", "note", "__op", "x")));
        FieldValues values = new FieldValues(layout);
        values.set(1, "n");
        assertEquals("n", values.get("note"));
        assertNull(values.get("id"));
    }

    @Test
    void refusesKeysOutsideTheSchema() {
        FieldValues values = new FieldValues(new FieldValues.Layout(SCHEMA));
        assertThrows(UnsupportedOperationException.class, () -> values.put("other", 1));
        assertThrows(UnsupportedOperationException.class, () -> values.remove("id"));
    }
}
