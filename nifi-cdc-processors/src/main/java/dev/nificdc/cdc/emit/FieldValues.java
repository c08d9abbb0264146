package dev.nificdc.cdc.emit;

import org.apache.nifi.serialization.record.RecordSchema;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The values of one record whose keys are exactly its schema's field names, in schema order: one array per record and
 * a {@link Layout} shared by every record of the schema, instead of a hash node per field and record. Every key is
 * always present (null until put), as when every field is put into a LinkedHashMap; keys outside the schema and
 * removals are refused, since the records this class backs are built here and only read by Record Writers.
 */
final class FieldValues extends AbstractMap<String, Object> {
    /** The field names of one record schema and their positions. */
    static final class Layout {
        private final String[] names;
        private final Map<String, Integer> positions;

        /** Whether the first fields are exactly {@code names}, in order. */
        boolean startsWith(List<String> names) {
            if (names.size() > this.names.length) {
                return false;
            }
            for (int i = 0; i < names.size(); i++) {
                if (!names.get(i).equals(this.names[i])) {
                    return false;
                }
            }
            return true;
        }

        Layout(RecordSchema schema) {
            List<String> fieldNames = schema.getFieldNames();
            names = fieldNames.toArray(String[]::new);
            positions = HashMap.newHashMap(names.length);
            for (int i = 0; i < names.length; i++) {
                positions.put(names[i], i);
            }
        }
    }

    private final Layout layout;
    private final Object[] values;

    FieldValues(Layout layout) {
        this.layout = layout;
        this.values = new Object[layout.names.length];
    }

    @Override
    public Object get(Object key) {
        Integer position = layout.positions.get(key);
        return position == null ? null : values[position];
    }

    @Override
    public boolean containsKey(Object key) {
        return layout.positions.containsKey(key);
    }

    @Override
    public Object put(String key, Object value) {
        Integer position = layout.positions.get(key);
        if (position == null) {
            throw new UnsupportedOperationException("Field " + key + " is not a field of the record schema " + List.of(layout.names));
        }
        Object previous = values[position];
        values[position] = value;
        return previous;
    }

    /** Sets the value of the field at {@code position} in the schema's field order. */
    void set(int position, Object value) {
        values[position] = value;
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < values.length;
                    }

                    @Override
                    public Entry<String, Object> next() {
                        if (next >= values.length) {
                            throw new NoSuchElementException();
                        }
                        int position = next++;
                        return new SimpleImmutableEntry<>(layout.names[position], values[position]);
                    }
                };
            }

            @Override
            public int size() {
                return values.length;
            }
        };
    }
}
