package dev.nificdc.cdc.processors;

import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.util.MockFlowFile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reads the Avro container content of FlowFiles back with Avro's own library. */
final class AvroFlowFiles {
    private AvroFlowFiles() {
    }

    static List<GenericRecord> records(MockFlowFile flowFile) {
        List<GenericRecord> records = new ArrayList<>();
        try (DataFileStream<GenericRecord> in = new DataFileStream<>(new ByteArrayInputStream(flowFile.toByteArray()), new GenericDatumReader<>())) {
            in.forEach(records::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return records;
    }

    static List<GenericRecord> records(List<MockFlowFile> flowFiles) {
        List<GenericRecord> all = new ArrayList<>();
        flowFiles.forEach(f -> all.addAll(records(f)));
        return all;
    }
}
