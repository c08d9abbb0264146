package dev.nificdc.cdc.processors;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Wraps a real Record Writer (NiFi's AvroRecordSetWriter in the tests) and can be told to fail after a number of
 * records, like a sink that dies in the middle of a run: the session then rolls back and nothing may be committed.
 */
public class FailingRecordWriter extends AbstractControllerService implements RecordSetWriterFactory {
    private final RecordSetWriterFactory delegate;
    private final AtomicInteger recordsUntilFailure = new AtomicInteger(-1);
    private final AtomicReference<Runnable> beforeNextRecord = new AtomicReference<>();

    FailingRecordWriter(RecordSetWriterFactory delegate) {
        this.delegate = delegate;
    }

    /** Runs {@code action} once, just before the next record is written (in the middle of a processor's run). */
    void beforeNextRecord(Runnable action) {
        beforeNextRecord.set(action);
    }

    /** Whether the action given to {@link #beforeNextRecord} is still waiting for a record. */
    boolean actionPending() {
        return beforeNextRecord.get() != null;
    }

    /** Fail once {@code records} more records were written; -1 never fails. */
    void failAfter(int records) {
        recordsUntilFailure.set(records);
    }

    @Override
    public RecordSchema getSchema(Map<String, String> variables, RecordSchema readSchema) throws SchemaNotFoundException, IOException {
        return delegate.getSchema(variables, readSchema);
    }

    @Override
    public RecordSetWriter createWriter(ComponentLog logger, RecordSchema schema, OutputStream out, Map<String, String> variables)
            throws SchemaNotFoundException, IOException {
        RecordSetWriter writer = delegate.createWriter(logger, schema, out, variables);
        return new RecordSetWriter() {
            @Override
            public WriteResult write(RecordSet recordSet) throws IOException {
                return writer.write(recordSet);
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
            public WriteResult write(Record record) throws IOException {
                Runnable action = beforeNextRecord.getAndSet(null);
                if (action != null) {
                    action.run();
                }
                if (recordsUntilFailure.getAndUpdate(n -> n > 0 ? n - 1 : n) == 0) {
                    throw new IOException("Simulated failure of the sink");
                }
                return writer.write(record);
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
        };
    }
}
