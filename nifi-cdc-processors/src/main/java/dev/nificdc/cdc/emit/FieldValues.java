package dev.nificdc.cdc.emit;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The values of one change record, stored by the field positions its schema fixes: building a record fills one array
 * instead of a hash map, which was the largest part of turning change events into records. Reads by name go through
 * the schema's shared {@link Names}. Fields are fixed: a name the schema does not have cannot be added.
 */
final class FieldValues extends AbstractMap<String, Object> {
    /** The field names of one record schema and their positions, shared by every record of that schema. */
    static final class Names {
        private final String[] names;
        private final Map<String, Integer> positions;

        Names(List<String> names) {
            this.names = names.toArray(String[]::new);
            this.positions = new HashMap<>();
            for (int i = 0; i < this.names.length; i++) {
                if (positions.put(this.names[i], i) != null) {
                    throw new IllegalArgumentException("Duplicate field name " + this.names[i]);
                }
            }
        }

        static Names of(String... names) {
            return new Names(List.of(names));
        }

        int size() {
            return names.length;
        }

        FieldValues newValues() {
            return new FieldValues(this);
        }
    }

    private final Names names;
    private final Object[] values;

    private FieldValues(Names names) {
        this.names = names;
        this.values = new Object[names.size()];
    }

    /** Sets the value at {@code position} (the index of its name in {@link Names}); returns this for chaining. */
    FieldValues set(int position, Object value) {
        values[position] = value;
        return this;
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public boolean containsKey(Object key) {
        return names.positions.containsKey(key);
    }

    @Override
    public Object get(Object key) {
        Integer position = names.positions.get(key);
        return position == null ? null : values[position];
    }

    @Override
    public Object put(String key, Object value) {
        Integer position = names.positions.get(key);
        if (position == null) {
            throw new UnsupportedOperationException("A change record has no field '" + key + "': its fields are fixed by its schema");
        }
        Object previous = values[position];
        values[position] = value;
        return previous;
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
                        return new SimpleEntry<>(names.names[position], values[position]) {
                            @Override
                            public Object setValue(Object value) {
                                values[position] = value;
                                return super.setValue(value);
                            }
                        };
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
