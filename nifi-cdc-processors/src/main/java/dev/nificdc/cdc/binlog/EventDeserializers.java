package dev.nificdc.cdc.binlog;

import com.github.shyiko.mysql.binlog.event.ByteArrayEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.ByteArrayEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.DeleteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDataDeserializationException;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.FormatDescriptionEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.GtidEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.GtidTaggedEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.MariadbGtidEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.MariadbGtidListEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.NullEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.PreviousGtidSetDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.QueryEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.RotateEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.TableMapEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.UpdateRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.WriteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.XAPrepareEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.XidEventDataDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;
import dev.nificdc.cdc.binlog.convert.MySqlTemporals;

import java.io.IOException;
import java.io.Serializable;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY;
import static com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer.CompatibilityMode.DATE_AND_TIME_AS_LONG_MICRO;

/**
 * Builds the library's {@link EventDeserializer} so that row values stay raw: temporals as microsecond numbers
 * ({@code DATE_AND_TIME_AS_LONG_MICRO}), CHAR/VARCHAR as bytes ({@code CHAR_AND_BINARY_AS_BYTE_ARRAY}), and two fixes
 * the library lacks: TIME keeps its sign (TIME spans -838:59:59..838:59:59) and dates before 1582-10-15 use the
 * proleptic Gregorian calendar as MySQL does. Only the events the capture uses are decoded; the others carry no data
 * ({@link BinlogEventProcessor} decides which of them may be passed over).
 *
 * <p>Headers keep the server's type code ({@link BinlogEventHeader}) and events of a type the library does not know keep
 * their bytes. MariaDB's compressed events ({@code log_bin_compress}) are inflated and decoded by the same deserializers
 * as their uncompressed counterparts ({@link MariaDbCompressedEvents}); so are the inner events of a MySQL 8 compressed
 * transaction, one at a time ({@link TransactionPayload}).
 */
final class EventDeserializers {
    private EventDeserializers() {
    }

    static EventDeserializer create() {
        Map<Long, TableMapEventData> tableMaps = new LinkedHashMap<>(128, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, TableMapEventData> eldest) {
                return size() > 10_000;
            }
        };
        Map<EventType, EventDataDeserializer> deserializers = new IdentityHashMap<>();
        deserializers.put(EventType.FORMAT_DESCRIPTION, new FormatDescriptionEventDataDeserializer());
        deserializers.put(EventType.ROTATE, new RotateEventDataDeserializer());
        deserializers.put(EventType.QUERY, new QueryEventDataDeserializer());
        deserializers.put(EventType.TABLE_MAP, new TableMapEventDataDeserializer());
        deserializers.put(EventType.XID, new XidEventDataDeserializer());
        deserializers.put(EventType.XA_PREPARE, new XAPrepareEventDataDeserializer());
        deserializers.put(EventType.GTID, new GtidEventDataDeserializer());
        deserializers.put(EventType.GTID_TAGGED, new GtidTaggedEventDataDeserializer());
        deserializers.put(EventType.PREVIOUS_GTIDS, new PreviousGtidSetDeserializer());
        deserializers.put(EventType.MARIADB_GTID, new MariadbGtidEventDataDeserializer());
        deserializers.put(EventType.MARIADB_GTID_LIST, new MariadbGtidListEventDataDeserializer());
        deserializers.put(EventType.TRANSACTION_PAYLOAD, new TransactionPayload.Deserializer());
        deserializers.put(EventType.UNKNOWN, new ByteArrayEventDataDeserializer());
        deserializers.put(EventType.WRITE_ROWS, new Write(tableMaps));
        deserializers.put(EventType.EXT_WRITE_ROWS, new Write(tableMaps).setMayContainExtraInformation(true));
        deserializers.put(EventType.UPDATE_ROWS, new Update(tableMaps));
        deserializers.put(EventType.EXT_UPDATE_ROWS, new Update(tableMaps).setMayContainExtraInformation(true));
        deserializers.put(EventType.DELETE_ROWS, new Delete(tableMaps));
        deserializers.put(EventType.EXT_DELETE_ROWS, new Delete(tableMaps).setMayContainExtraInformation(true));
        EventDeserializer deserializer = new Decompressing(new BinlogEventHeader.Deserializer(),
                new NullEventDataDeserializer(), deserializers, tableMaps);
        deserializer.setCompatibilityMode(DATE_AND_TIME_AS_LONG_MICRO, CHAR_AND_BINARY_AS_BYTE_ARRAY);
        return deserializer;
    }

    /**
     * The error for an event the deserializer could not decode: names the event as the server wrote it and where it
     * starts, and says that capture stopped before it.
     */
    static BinlogCaptureException notDecodable(String file, Exception failure) {
        String event = "A binlog event";
        Throwable cause = failure;
        if (failure instanceof EventDataDeserializationException e && e.getEventHeader() instanceof BinlogEventHeader header) {
            event = "Binlog event " + header.typeName() + " at " + file + ":" + header.getPosition();
            cause = e.getCause() == null ? e : e.getCause();
        }
        return new BinlogCaptureException(BinlogCaptureException.Reason.DECODING, event + " could not be decoded: "
                + cause.getMessage() + ". Capture stopped before it: nothing from this event on was emitted, and the"
                + " stored position stays before it.", failure);
    }

    /**
     * Replaces each MariaDB compressed event by its uncompressed counterpart, decoded by the counterpart's deserializer;
     * the header keeps the compressed type code, so messages name the event as the server wrote it.
     */
    private static final class Decompressing extends EventDeserializer {
        private final Map<EventType, EventDataDeserializer> deserializers;

        Decompressing(BinlogEventHeader.Deserializer headers, EventDataDeserializer fallback,
                      Map<EventType, EventDataDeserializer> deserializers, Map<Long, TableMapEventData> tableMaps) {
            super(headers, fallback, deserializers, tableMaps);
            // a copy: the client may later wrap entries of the shared map for its own GTID tracking
            this.deserializers = Map.copyOf(deserializers);
        }

        @Override
        public Event nextEvent(ByteArrayInputStream in) throws IOException {
            Event event = super.nextEvent(in);
            if (event == null || !(event.getHeader() instanceof BinlogEventHeader header)
                    || !MariaDbCompressedEvents.isCompressed(header.typeCode())) {
                return event;
            }
            EventType counterpart = MariaDbCompressedEvents.counterpart(header.typeCode());
            EventData data;
            try {
                byte[] body = MariaDbCompressedEvents.uncompressedBody(header.typeCode(), ((ByteArrayEventData) event.getData()).getData());
                data = deserializers.get(counterpart).deserialize(new ByteArrayInputStream(body));
            } catch (IOException | RuntimeException e) {
                throw new EventDataDeserializationException(header, new IOException(header.typeName()
                        + " could not be uncompressed: " + e.getMessage(), e));
            }
            header.setEventType(counterpart);
            return new Event(header, data);
        }
    }

    private static Serializable time2(int meta, ByteArrayInputStream in) throws IOException {
        long intPart = bigEndian(in.read(3));
        int fracBytes = (meta + 1) / 2;
        long frac = fracBytes == 0 ? 0 : bigEndian(in.read(fracBytes));
        return MySqlTemporals.time2Micros(intPart, frac, meta);
    }

    private static Serializable oldTime(ByteArrayInputStream in) throws IOException {
        int value = in.readInteger(3);
        return MySqlTemporals.oldTimeMicros((value << 8) >> 8);
    }

    private static long bigEndian(byte[] bytes) {
        long result = 0;
        for (byte b : bytes) {
            result = (result << 8) | (b & 0xFF);
        }
        return result;
    }

    private static final class Write extends WriteRowsEventDataDeserializer {
        Write(Map<Long, TableMapEventData> tableMaps) {
            super(tableMaps);
        }

        @Override
        protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
            return time2(meta, in);
        }

        @Override
        protected Serializable deserializeTime(ByteArrayInputStream in) throws IOException {
            return oldTime(in);
        }

        @Override
        protected Long asUnixTime(int year, int month, int day, int hour, int minute, int second, int millis) {
            return MySqlTemporals.wallClockMillis(year, month, day, hour, minute, second, millis);
        }
    }

    private static final class Update extends UpdateRowsEventDataDeserializer {
        Update(Map<Long, TableMapEventData> tableMaps) {
            super(tableMaps);
        }

        @Override
        protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
            return time2(meta, in);
        }

        @Override
        protected Serializable deserializeTime(ByteArrayInputStream in) throws IOException {
            return oldTime(in);
        }

        @Override
        protected Long asUnixTime(int year, int month, int day, int hour, int minute, int second, int millis) {
            return MySqlTemporals.wallClockMillis(year, month, day, hour, minute, second, millis);
        }
    }

    private static final class Delete extends DeleteRowsEventDataDeserializer {
        Delete(Map<Long, TableMapEventData> tableMaps) {
            super(tableMaps);
        }

        @Override
        protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
            return time2(meta, in);
        }

        @Override
        protected Serializable deserializeTime(ByteArrayInputStream in) throws IOException {
            return oldTime(in);
        }

        @Override
        protected Long asUnixTime(int year, int month, int day, int hour, int minute, int second, int millis) {
            return MySqlTemporals.wallClockMillis(year, month, day, hour, minute, second, millis);
        }
    }
}
