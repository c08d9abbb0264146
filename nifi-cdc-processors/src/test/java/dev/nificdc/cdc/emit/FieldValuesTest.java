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
    private static final FieldValues.Names NAMES = FieldValues.Names.of("id", "note", "__op");

    @Test
    void isTheMapOfItsFieldsInSchemaOrder() {
        FieldValues values = NAMES.newValues().set(2, "c").set(0, 7L);
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
    void putReplacesAFieldAndARecordCanSetItsValues() {
        FieldValues values = NAMES.newValues();
        assertNull(values.put("note", "n"));
        assertEquals("n", values.put("note", "m"));
        MapRecord record = new MapRecord(SCHEMA, values);
        record.setValue("id", 9L);
        assertEquals(9L, values.get("id"));
    }

    @Test
    void refusesFieldsOutsideTheSchema() {
        FieldValues values = NAMES.newValues();
        assertThrows(UnsupportedOperationException.class, () -> values.put("other", 1));
        assertThrows(UnsupportedOperationException.class, () -> values.remove("id"));
        assertThrows(IllegalArgumentException.class, () -> FieldValues.Names.of("a", "a"));
    }
}
