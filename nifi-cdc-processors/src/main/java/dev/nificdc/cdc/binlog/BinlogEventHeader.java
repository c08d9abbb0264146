package dev.nificdc.cdc.binlog;

import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.deserialization.EventHeaderDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;

import java.io.IOException;

/**
 * An event header that keeps the type code the server wrote. The library maps every code it does not know to
 * {@link EventType#UNKNOWN}; capture needs the code to decode MariaDB's compressed events and to name any other event
 * it cannot decode.
 */
final class BinlogEventHeader extends EventHeaderV4 {
    /** The header flag of events a replica may skip when it does not know them (LOG_EVENT_IGNORABLE_F). */
    static final int IGNORABLE_FLAG = 0x80;

    private int typeCode;

    int typeCode() {
        return typeCode;
    }

    boolean ignorable() {
        return (getFlags() & IGNORABLE_FLAG) != 0;
    }

    /** The server's name of the event type and its code, e.g. {@code WRITE_ROWS_COMPRESSED_EVENT_V1 (type code 166)}. */
    String typeName() {
        String name = MariaDbCompressedEvents.isCompressed(typeCode) ? MariaDbCompressedEvents.name(typeCode)
                : typeCode == MariaDbCompressedEvents.START_ENCRYPTION ? "START_ENCRYPTION_EVENT"
                : EventType.byEventNumber(typeCode) != null ? EventType.byEventNumber(typeCode).name() : "an unknown event type";
        return name + " (type code " + typeCode + ")";
    }

    /** Reads the 19-byte v4 header, as the library's {@code EventHeaderV4Deserializer} does, keeping the type code. */
    static final class Deserializer implements EventHeaderDeserializer<BinlogEventHeader> {
        @Override
        public BinlogEventHeader deserialize(ByteArrayInputStream in) throws IOException {
            BinlogEventHeader header = new BinlogEventHeader();
            header.setTimestamp(in.readLong(4) * 1000L);
            header.typeCode = in.readInteger(1);
            EventType type = EventType.byEventNumber(header.typeCode);
            header.setEventType(type == null ? EventType.UNKNOWN : type);
            header.setServerId(in.readLong(4));
            header.setEventLength(in.readLong(4));
            header.setNextPosition(in.readLong(4));
            header.setFlags(in.readInteger(2));
            return header;
        }
    }
}
