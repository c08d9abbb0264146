package dev.nificdc.cdc.processors;

import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.RecordSchema;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Writes through the real Avro writer into a stream that only counts bytes. */
final class DiscardingRecordWriter extends AbstractControllerService implements RecordSetWriterFactory {
    private final RecordSetWriterFactory delegate;
    final AtomicLong bytes = new AtomicLong();

    DiscardingRecordWriter(RecordSetWriterFactory delegate) {
        this.delegate = delegate;
    }

    @Override
    public RecordSchema getSchema(Map<String, String> variables, RecordSchema readSchema) throws SchemaNotFoundException, IOException {
        return delegate.getSchema(variables, readSchema);
    }

    @Override
    public RecordSetWriter createWriter(ComponentLog logger, RecordSchema schema, OutputStream out, Map<String, String> variables)
            throws SchemaNotFoundException, IOException {
        return delegate.createWriter(logger, schema, new OutputStream() {
            @Override
            public void write(int b) {
                bytes.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bytes.addAndGet(len);
            }
        }, variables);
    }
}
