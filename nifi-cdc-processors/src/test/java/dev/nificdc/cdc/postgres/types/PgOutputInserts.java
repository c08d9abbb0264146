package dev.nificdc.cdc.postgres.types;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-only reader of pgoutput protocol 1 messages, just enough to get the column texts of Insert messages and the
 * column types of Relation messages (PostgreSQL's "Logical Replication Message Formats").
 */
final class PgOutputInserts {
    /** A Relation message's column: name, type OID and type modifier. */
    record Column(String name, int typeOid, int typmod) {
    }

    /** An Insert: the relation's name and the text of each column (null for SQL NULL). */
    record Insert(String table, List<Column> columns, List<String> texts) {
        String text(String column) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(column)) {
                    return texts.get(i);
                }
            }
            throw new IllegalArgumentException("No column " + column + " in " + table);
        }
    }

    private record Relation(String name, List<Column> columns) {
    }

    private final Map<Integer, Relation> relations = new HashMap<>();
    private final List<Insert> inserts = new ArrayList<>();

    /** Reads one message (the {@code data} column of {@code pg_logical_slot_peek_binary_changes}). */
    void accept(byte[] message) {
        ByteBuffer in = ByteBuffer.wrap(message);
        switch (in.get()) {
            case 'R' -> {
                int oid = in.getInt();
                string(in); // namespace
                String name = string(in);
                in.get(); // replica identity
                int count = in.getShort();
                List<Column> columns = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    in.get(); // flags
                    columns.add(new Column(string(in), in.getInt(), in.getInt()));
                }
                relations.put(oid, new Relation(name, columns));
            }
            case 'I' -> {
                Relation relation = relations.get(in.getInt());
                if (in.get() != 'N') {
                    throw new IllegalStateException("Insert without a new tuple");
                }
                inserts.add(new Insert(relation.name(), relation.columns(), tuple(in)));
            }
            default -> {
                // Begin, Commit, Type, Origin: nothing this test needs
            }
        }
    }

    List<Insert> inserts() {
        return inserts;
    }

    private static List<String> tuple(ByteBuffer in) {
        int count = in.getShort();
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte kind = in.get();
            switch (kind) {
                case 'n' -> texts.add(null);
                case 't' -> {
                    byte[] text = new byte[in.getInt()];
                    in.get(text);
                    texts.add(new String(text, StandardCharsets.UTF_8));
                }
                default -> throw new IllegalStateException("Unexpected tuple column kind " + (char) kind);
            }
        }
        return texts;
    }

    private static String string(ByteBuffer in) {
        int start = in.position();
        while (in.get() != 0) {
            // up to the terminating NUL
        }
        return new String(in.array(), start, in.position() - start - 1, StandardCharsets.UTF_8);
    }
}
