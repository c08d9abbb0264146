package dev.nificdc.cdc.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * What a Confluent Avro deserializer does, with nothing of this bundle: reads the 5-byte header (magic byte 0x00,
 * big-endian schema id), fetches the writer schema by id from the registry's REST API ({@code GET /schemas/ids/{id}})
 * and decodes the rest of the message as exactly one Avro binary datum with Avro's {@link GenericDatumReader}
 * (decimals as {@link java.math.BigDecimal}).
 */
final class ConfluentAvroDecoder implements AutoCloseable {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final String registryUrl;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final GenericData data = new GenericData();

    ConfluentAvroDecoder(String registryUrl) {
        this.registryUrl = registryUrl;
        data.addLogicalTypeConversion(new Conversions.DecimalConversion());
    }

    /** One decoded message: the schema id of its header, the writer schema fetched for it, and the datum. */
    record Decoded(int schemaId, Schema schema, GenericRecord datum) {
    }

    Decoded decode(byte[] message) throws IOException, InterruptedException {
        return decode(message, null);
    }

    /**
     * Decodes with the writer schema of the message's id, resolved to {@code readerSchema} when given (Avro schema
     * resolution, as a consumer with its own reader schema does).
     */
    Decoded decode(byte[] message, Schema readerSchema) throws IOException, InterruptedException {
        if (message == null || message.length < 5) {
            throw new IOException("Message of " + (message == null ? "null" : message.length + " bytes") + " has no Confluent header");
        }
        if (message[0] != 0) {
            throw new IOException(String.format("Message starts with 0x%02x, not the Confluent magic byte 0x00", message[0]));
        }
        int id = ByteBuffer.wrap(message, 1, 4).getInt();
        Schema schema = schema(id);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(message, 5, message.length - 5, null);
        GenericRecord datum = new GenericDatumReader<GenericRecord>(schema, readerSchema == null ? schema : readerSchema, data).read(null, decoder);
        if (!decoder.isEnd()) {
            throw new IOException("Bytes left after the Avro datum of a message with schema id " + id + ": one message must hold one record");
        }
        return new Decoded(id, schema, datum);
    }

    /** The schema of a registry id, fetched once over HTTP. */
    Schema schema(int id) throws IOException, InterruptedException {
        Schema cached = schemasById.get(id);
        if (cached == null) {
            cached = new Schema.Parser().parse(get("/schemas/ids/" + id).get("schema").asText());
            schemasById.put(id, cached);
        }
        return cached;
    }

    /** {@code GET /subjects/{subject}/versions/{version}}: the subject's version as {@code {subject, id, version, schema}}. */
    JsonNode subjectVersion(String subject, String version) throws IOException, InterruptedException {
        return get("/subjects/" + subject + "/versions/" + version);
    }

    @Override
    public void close() {
        http.close();
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(registryUrl + path)).header("Accept", CONTENT_TYPE).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return mapper.readTree(response.body());
    }
}
