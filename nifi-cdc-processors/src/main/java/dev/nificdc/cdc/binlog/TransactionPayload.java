package dev.nificdc.cdc.binlog;

import com.github.luben.zstd.ZstdInputStream;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.TransactionPayloadEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;

/**
 * A MySQL 8 compressed transaction (TRANSACTION_PAYLOAD, {@code binlog_transaction_compression=ON}) whose inner events
 * are decoded one at a time, while they are handled, by the same deserializers as plain events ({@link
 * EventDeserializers}): negative TIME, dates before 1582 and every other value come out as they do outside a payload, and
 * the heap holds the compressed payload and one inner event rather than the whole transaction. The library's own
 * payload deserializer decodes all inner events at once with its default deserializers; this one leaves its event list
 * empty.
 */
final class TransactionPayload extends TransactionPayloadEventData {
    /** MySQL's {@code binary_log::transaction::compression::type}. */
    private static final int ZSTD = 0;
    private static final int NONE = 255;
    // payload header fields (MySQL libs/mysql/binlog/event/control_events.h)
    private static final int END_MARK = 0;
    private static final int PAYLOAD_SIZE = 1;
    private static final int COMPRESSION_TYPE = 2;
    private static final int UNCOMPRESSED_SIZE = 3;

    private TransactionPayload() {
        setUncompressedEvents(new ArrayList<>());
    }

    /** Opens the inner events; close it when done, also when handling stops early. */
    Events open() throws IOException {
        InputStream raw = new java.io.ByteArrayInputStream(getPayload());
        InputStream content = switch (getCompressionType()) {
            case ZSTD -> new ZstdInputStream(raw);
            case NONE -> raw;
            default -> throw new IOException("TRANSACTION_PAYLOAD compression type " + getCompressionType()
                    + " is not known to this version (MySQL defines 0, zstd, and 255, none)");
        };
        return new Events(content, EventDeserializers.create());
    }

    /** The inner events of one payload, decoded on demand. */
    static final class Events implements AutoCloseable {
        private final InputStream content;
        private final ByteArrayInputStream in;
        private final EventDeserializer deserializer;

        private Events(InputStream content, EventDeserializer deserializer) {
            this.content = content;
            this.in = new ByteArrayInputStream(content);
            this.deserializer = deserializer;
        }

        /** The next inner event, or null after the last. */
        Event next() throws IOException {
            return deserializer.nextEvent(in);
        }

        @Override
        public void close() throws IOException {
            content.close();
        }
    }

    /** Reads the payload header fields and keeps the payload bytes, undecoded. */
    static final class Deserializer implements EventDataDeserializer<TransactionPayload> {
        @Override
        public TransactionPayload deserialize(ByteArrayInputStream in) throws IOException {
            TransactionPayload data = new TransactionPayload();
            while (in.available() > 0) {
                int field = in.readPackedInteger();
                if (field == END_MARK) {
                    break;
                }
                int length = in.readPackedInteger();
                switch (field) {
                    case PAYLOAD_SIZE -> data.setPayloadSize(in.readPackedInteger());
                    case COMPRESSION_TYPE -> data.setCompressionType(in.readPackedInteger());
                    case UNCOMPRESSED_SIZE -> data.setUncompressedSize(in.readPackedLong());
                    default -> in.skip(length);
                }
            }
            data.setPayload(in.read(data.getPayloadSize()));
            return data;
        }
    }
}
