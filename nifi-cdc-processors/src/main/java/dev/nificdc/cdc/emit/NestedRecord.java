package dev.nificdc.cdc.emit;

import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.RecordSchema;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * A record nested in a change record (the before and after rows, source, transaction, Kafka key and metadata) that is
 * also the {@link Map} of its own values. NiFi's Avro writer converts a nested {@code Map} by walking its entries, but
 * a nested {@code Record} by first copying every field into a {@code HashSet}, hashing each value
 * ({@code AvroTypeUtil.convertToAvroObject}); that copy was a sixth of CaptureBinlogChange's time. Every other reader
 * of the record sees an ordinary {@link MapRecord}.
 */
final class NestedRecord extends MapRecord implements Map<String, Object> {
    private final Map<String, Object> values;

    NestedRecord(RecordSchema schema, Map<String, Object> values) {
        super(schema, values);
        this.values = values;
    }

    @Override
    public int size() {
        return values.size();
    }

    @Override
    public boolean isEmpty() {
        return values.isEmpty();
    }

    @Override
    public boolean containsKey(Object key) {
        return values.containsKey(key);
    }

    @Override
    public boolean containsValue(Object value) {
        return values.containsValue(value);
    }

    @Override
    public Object get(Object key) {
        return values.get(key);
    }

    @Override
    public Object put(String key, Object value) {
        Object previous = values.get(key);
        setValue(key, value);
        return previous;
    }

    @Override
    public Object remove(Object key) {
        throw new UnsupportedOperationException("A change record's fields are fixed by its schema");
    }

    @Override
    public void putAll(Map<? extends String, ?> map) {
        map.forEach(this::put);
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("A change record's fields are fixed by its schema");
    }

    @Override
    public Set<String> keySet() {
        return values.keySet();
    }

    @Override
    public Collection<Object> values() {
        return values.values();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return values.entrySet();
    }

    // MapRecord's equality and hash (schema and values), not a Map's: a NestedRecord is first of all a Record.
    @Override
    public boolean equals(Object other) {
        return super.equals(other);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }
}
