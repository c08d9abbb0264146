package dev.nificdc.e2e;

import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Keeps a copy of every FlowFile a processor commits to a relationship, attributes and content, on disk: the
 * relationship also feeds PackageFlowFile, which packs each FlowFile (FlowFile package v3: attributes, then content)
 * into a new one that PutFile writes to {@code <dir>/<uuid of the package>/}. Read back, the packages are told apart by
 * the original FlowFile's uuid, so a package written twice (PutFile or PackageFlowFile repeating after a crash) counts
 * once, while a FlowFile the tapped processor committed twice (with a new uuid each time) counts twice.
 */
final class FlowFileTap {
    /** Attributes every FlowFile has and that differ between any two FlowFiles. */
    static final Set<String> IDENTITY_ATTRIBUTES = Set.of("uuid", "filename", "path");

    private final Path dir;

    /** A FlowFile as the tapped processor committed it. */
    record TappedFlowFile(Map<String, String> attributes, byte[] content) {
        String attribute(String name) {
            return attributes.get(name);
        }

        long sequenceId() {
            return Long.parseLong(attributes.get("cdc.sequence.id"));
        }

        /** The attributes but those that tell two FlowFiles apart anyway (uuid, filename, path). */
        Map<String, String> comparableAttributes() {
            Map<String, String> comparable = new TreeMap<>(attributes);
            comparable.keySet().removeAll(IDENTITY_ATTRIBUTES);
            return comparable;
        }

        /** The records of an Avro container file with an embedded schema. */
        List<GenericRecord> avroRecords() {
            List<GenericRecord> records = new ArrayList<>();
            try (DataFileStream<GenericRecord> stream = new DataFileStream<>(new ByteArrayInputStream(content), new GenericDatumReader<>())) {
                stream.forEach(records::add);
            } catch (IOException e) {
                throw new UncheckedIOException("Not an Avro container file: FlowFile " + attributes.get("uuid"), e);
            }
            return records;
        }
    }

    private FlowFileTap(Path dir) {
        this.dir = dir;
    }

    /**
     * Adds PackageFlowFile and PutFile to {@code groupId} and connects {@code sourceProcessorId}'s {@code relationship}
     * to them; nothing is started.
     */
    static FlowFileTap attach(NiFiRestClient client, String groupId, String sourceProcessorId, String relationship, Path dir) {
        String pack = client.createProcessor(groupId, "org.apache.nifi.processors.standard.PackageFlowFile", "Tap: package", Map.of());
        client.autoTerminate(pack, "original");
        String put = client.createProcessor(groupId, "org.apache.nifi.processors.standard.PutFile", "Tap: write",
                Map.of("Directory", dir.toAbsolutePath() + "/${uuid}", "Conflict Resolution Strategy", "replace"));
        client.autoTerminate(put, "success", "failure");
        client.connect(groupId, sourceProcessorId, pack, relationship);
        client.connect(groupId, pack, put, "success");
        return new FlowFileTap(dir);
    }

    /** Every FlowFile tapped so far, once each, ordered by {@code cdc.sequence.id} (copies in the order read). */
    List<TappedFlowFile> flowFiles() {
        Map<String, TappedFlowFile> byUuid = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                for (TappedFlowFile flowFile : unpackage(Files.readAllBytes(file))) {
                    byUuid.putIfAbsent(flowFile.attribute("uuid"), flowFile);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the tapped FlowFiles in " + dir, e);
        }
        List<TappedFlowFile> all = new ArrayList<>(byUuid.values());
        all.sort((a, b) -> Long.compare(a.sequenceId(), b.sequenceId()));
        return all;
    }

    /** The FlowFiles of a FlowFile package v3 stream ({@code NiFiFF3}, attributes, content length, content; repeated). */
    static List<TappedFlowFile> unpackage(byte[] packaged) throws IOException {
        List<TappedFlowFile> flowFiles = new ArrayList<>();
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(packaged));
        byte[] magic = new byte[7];
        while (in.read(magic, 0, 1) == 1) {
            in.readFully(magic, 1, 6);
            if (!"NiFiFF3".equals(new String(magic, StandardCharsets.US_ASCII))) {
                throw new IOException("Not a FlowFile package v3");
            }
            int count = fieldLength(in);
            Map<String, String> attributes = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String key = string(in);
                attributes.put(key, string(in));
            }
            long length = in.readLong();
            flowFiles.add(new TappedFlowFile(attributes, in.readNBytes(Math.toIntExact(length))));
        }
        return flowFiles;
    }

    private static int fieldLength(DataInputStream in) throws IOException {
        int length = in.readUnsignedShort();
        return length < 0xFFFF ? length : in.readInt();
    }

    private static String string(DataInputStream in) throws IOException {
        byte[] bytes = in.readNBytes(fieldLength(in));
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** FlowFiles grouped by sequence id: the groups with more than one member are repeats. */
    static Map<Long, List<TappedFlowFile>> bySequenceId(Collection<TappedFlowFile> flowFiles) {
        Map<Long, List<TappedFlowFile>> groups = new TreeMap<>();
        flowFiles.forEach(f -> groups.computeIfAbsent(f.sequenceId(), id -> new ArrayList<>()).add(f));
        return groups;
    }
}
