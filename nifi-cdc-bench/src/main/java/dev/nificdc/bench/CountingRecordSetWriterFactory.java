package dev.nificdc.bench;

import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.WriteResult;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.RecordSet;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Record Writer for the memory benchmark: every record is serialised by the real writer it wraps (NiFi's
 * AvroRecordSetWriter) into a stream that only counts the bytes, and counted by its change operation ({@code op} of
 * the envelope, {@code __op} of the flattened shape). NiFi's mock framework keeps FlowFile content in heap, where a
 * real NiFi streams it to its content repository on disk; discarding the bytes keeps the measured heap the
 * processor's own.
 */
final class CountingRecordSetWriterFactory extends AbstractControllerService implements RecordSetWriterFactory {
    private final RecordSetWriterFactory delegate;
    private final DiscardingOutputStream discarded = new DiscardingOutputStream();
    private final Map<String, LongAdder> recordsByOp = new ConcurrentHashMap<>();

    CountingRecordSetWriterFactory(RecordSetWriterFactory delegate) {
        this.delegate = delegate;
    }

    /** Bytes the wrapped writer has written so far. */
    long bytes() {
        return discarded.bytes();
    }

    /** Records written so far, by change operation (e.g. {@code u=1000000}); records without an op count under "?". */
    Map<String, Long> recordsByOp() {
        Map<String, Long> counts = new TreeMap<>();
        recordsByOp.forEach((op, n) -> counts.put(op, n.sum()));
        return counts;
    }

    long records() {
        return recordsByOp.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override
    public RecordSchema getSchema(Map<String, String> variables, RecordSchema readSchema) throws SchemaNotFoundException, IOException {
        return delegate.getSchema(variables, readSchema);
    }

    @Override
    public RecordSetWriter createWriter(ComponentLog logger, RecordSchema schema, OutputStream out, Map<String, String> variables)
            throws SchemaNotFoundException, IOException {
        return new CountingWriter(delegate.createWriter(logger, schema, discarded, variables));
    }

    private final class CountingWriter implements RecordSetWriter {
        private final RecordSetWriter writer;

        CountingWriter(RecordSetWriter writer) {
            this.writer = writer;
        }

        @Override
        public WriteResult write(Record record) throws IOException {
            WriteResult result = writer.write(record);
            Object op = record.getValue("op");
            if (op == null) {
                op = record.getValue("__op");
            }
            recordsByOp.computeIfAbsent(op == null ? "?" : op.toString(), k -> new LongAdder()).increment();
            return result;
        }

        @Override
        public WriteResult write(RecordSet recordSet) throws IOException {
            int count = 0;
            for (Record record = recordSet.next(); record != null; record = recordSet.next()) {
                write(record);
                count++;
            }
            return WriteResult.of(count, Map.of());
        }

        @Override
        public void beginRecordSet() throws IOException {
            writer.beginRecordSet();
        }

        @Override
        public WriteResult finishRecordSet() throws IOException {
            return writer.finishRecordSet();
        }

        @Override
        public String getMimeType() {
            return writer.getMimeType();
        }

        @Override
        public void flush() throws IOException {
            writer.flush();
        }

        @Override
        public void close() throws IOException {
            writer.close();
        }
    }
}
