package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.postgres.PgoutputMessage.Begin;
import dev.nificdc.cdc.postgres.PgoutputMessage.Column;
import dev.nificdc.cdc.postgres.PgoutputMessage.Commit;
import dev.nificdc.cdc.postgres.PgoutputMessage.Delete;
import dev.nificdc.cdc.postgres.PgoutputMessage.Insert;
import dev.nificdc.cdc.postgres.PgoutputMessage.Origin;
import dev.nificdc.cdc.postgres.PgoutputMessage.Other;
import dev.nificdc.cdc.postgres.PgoutputMessage.Relation;
import dev.nificdc.cdc.postgres.PgoutputMessage.Truncate;
import dev.nificdc.cdc.postgres.PgoutputMessage.TupleData;
import dev.nificdc.cdc.postgres.PgoutputMessage.Type;
import dev.nificdc.cdc.postgres.PgoutputMessage.Update;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses one {@code pgoutput} message (protocol version 1) from the bytes of an XLogData payload. Text values are
 * decoded as UTF-8, the client encoding of the replication connection. No state: what a message means is the
 * {@link PgChangeDecoder}'s business.
 */
public final class PgoutputDecoder {
    private PgoutputDecoder() {
    }

    public static PgoutputMessage decode(ByteBuffer buffer) {
        char type = (char) buffer.get();
        try {
            return switch (type) {
                case 'B' -> new Begin(buffer.getLong(), buffer.getLong(), Integer.toUnsignedLong(buffer.getInt()));
                case 'C' -> {
                    buffer.get(); // flags, unused
                    yield new Commit(buffer.getLong(), buffer.getLong(), buffer.getLong());
                }
                case 'O' -> new Origin(buffer.getLong(), string(buffer));
                case 'R' -> relation(buffer);
                case 'Y' -> new Type(buffer.getInt(), string(buffer), string(buffer));
                case 'I' -> {
                    int relation = buffer.getInt();
                    expect(buffer, 'N');
                    yield new Insert(relation, tuple(buffer));
                }
                case 'U' -> update(buffer);
                case 'D' -> {
                    int relation = buffer.getInt();
                    char kind = (char) buffer.get();
                    yield new Delete(relation, tuple(buffer), kind == 'O');
                }
                case 'T' -> {
                    int count = buffer.getInt();
                    int options = buffer.get();
                    List<Integer> relations = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        relations.add(buffer.getInt());
                    }
                    yield new Truncate(relations, (options & 1) != 0, (options & 2) != 0);
                }
                default -> new Other(type);
            };
        } catch (RuntimeException e) {
            throw new CaptureException(CaptureException.Reason.DECODING, "A pgoutput message of type '" + type
                    + "' could not be decoded: " + e, e);
        }
    }

    private static Relation relation(ByteBuffer buffer) {
        int oid = buffer.getInt();
        String namespace = string(buffer);
        String name = string(buffer);
        char identity = (char) buffer.get();
        int count = buffer.getShort();
        List<Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean key = (buffer.get() & 1) != 0;
            columns.add(new Column(key, string(buffer), buffer.getInt(), buffer.getInt()));
        }
        // the protocol writes an empty namespace for pg_catalog
        return new Relation(oid, namespace.isEmpty() ? "pg_catalog" : namespace, name, identity, columns);
    }

    private static Update update(ByteBuffer buffer) {
        int relation = buffer.getInt();
        char kind = (char) buffer.get();
        TupleData old = null;
        boolean full = false;
        if (kind == 'K' || kind == 'O') {
            full = kind == 'O';
            old = tuple(buffer);
            kind = (char) buffer.get();
        }
        if (kind != 'N') {
            throw new IllegalStateException("expected the new tuple ('N') of an update, found '" + kind + "'");
        }
        return new Update(relation, old, full, tuple(buffer));
    }

    private static TupleData tuple(ByteBuffer buffer) {
        int count = buffer.getShort();
        String[] values = new String[count];
        for (int i = 0; i < count; i++) {
            char kind = (char) buffer.get();
            values[i] = switch (kind) {
                case 'n' -> null;
                case 'u' -> TupleData.UNCHANGED;
                case 't' -> {
                    int length = buffer.getInt();
                    String text = new String(buffer.array(), buffer.arrayOffset() + buffer.position(), length, StandardCharsets.UTF_8);
                    buffer.position(buffer.position() + length);
                    yield text;
                }
                default -> throw new IllegalStateException("column " + (i + 1) + " has the value kind '" + kind
                        + "' (only text values are negotiated)");
            };
        }
        return new TupleData(values);
    }

    private static void expect(ByteBuffer buffer, char expected) {
        char found = (char) buffer.get();
        if (found != expected) {
            throw new IllegalStateException("expected '" + expected + "', found '" + found + "'");
        }
    }

    private static String string(ByteBuffer buffer) {
        int start = buffer.position();
        int end = start;
        while (buffer.get(end) != 0) {
            end++;
        }
        String text = new String(buffer.array(), buffer.arrayOffset() + start, end - start, StandardCharsets.UTF_8);
        buffer.position(end + 1);
        return text;
    }
}
