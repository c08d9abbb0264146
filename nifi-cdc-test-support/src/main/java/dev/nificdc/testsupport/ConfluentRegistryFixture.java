package dev.nificdc.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A contract fixture for the part of the Confluent Schema Registry REST API this bundle calls, on 127.0.0.1 and a free
 * port, with the behaviour documented in Confluent's API reference
 * (https://docs.confluent.io/platform/current/schema-registry/develop/api.html):
 * <ul>
 *   <li>Requests and responses use the content type {@code application/vnd.schemaregistry.v1+json} ("Content Types").</li>
 *   <li>Errors are {@code {"error_code": n, "message": "..."}} with the HTTP status as the first three digits of the
 *       code ("Errors": 40401 subject not found, 40402 version not found, 40403 schema not found, 40901 incompatible
 *       schema, 42201 invalid schema, 42202 invalid version, 401 unauthorized).</li>
 *   <li>{@code POST /subjects/{subject}/versions} registers a schema and returns {@code {"id": n}}; "If the same schema
 *       is registered under a different subject, the same identifier will be returned", and registering a schema the
 *       subject already holds returns its existing id without a new version. A schema must be compatible with the
 *       subject's earlier schemas per the configured compatibility level (default BACKWARD: the new schema can read
 *       data written with the latest one), else 409.</li>
 *   <li>{@code POST /subjects/{subject}} checks whether the subject holds the schema and returns
 *       {@code {subject, id, version, schema}}; 40401 if the subject does not exist, 40403 if it does not hold it.</li>
 *   <li>{@code GET /schemas/ids/{id}} returns {@code {"schema": "..."}}, 40403 for an unknown id.</li>
 *   <li>{@code GET /subjects/{subject}/versions/{version}} with version 1..2^31-1, -1 or "latest" returns
 *       {@code {subject, id, version, schema}}; 40401, 40402, or 42202 for a malformed version.</li>
 *   <li>{@code GET /subjects/{subject}/versions} returns the subject's versions, e.g. {@code [1, 2]}; 40401 if the
 *       subject does not exist.</li>
 *   <li>{@code GET /config} returns {@code {"compatibilityLevel": "BACKWARD"}}.</li>
 * </ul>
 * Schemas are compared as the registry does without normalisation: by the canonical text of the parsed Avro schema.
 * Ids start at 1. The fixture counts requests so tests can prove caching, and can be told to answer 503 or to demand
 * Basic authentication.
 */
public final class ConfluentRegistryFixture implements AutoCloseable {

    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> requestContentTypes = new CopyOnWriteArrayList<>();
    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<String, Integer> idsByCanonical = new HashMap<>();
    private final Map<String, List<Integer>> subjects = new HashMap<>();
    private final Map<String, String> compatibilityBySubject = new HashMap<>();
    private int nextId = 1;
    private volatile String requiredAuthorization;
    private volatile boolean serviceUnavailable;

    private ConfluentRegistryFixture(final HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static ConfluentRegistryFixture start() throws IOException {
        return new ConfluentRegistryFixture(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    }

    public static ConfluentRegistryFixture startHttps(final SSLContext sslContext) throws IOException {
        final HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(sslContext));
        return new ConfluentRegistryFixture(https);
    }

    /** A URL on which nothing listens (the port was free a moment ago). */
    public static String deadUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    public String url() {
        final String scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort();
    }

    public void requireBasicAuth(final String username, final String password) {
        requiredAuthorization = "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public void serviceUnavailable(final boolean unavailable) {
        serviceUnavailable = unavailable;
    }

    public synchronized void setCompatibility(final String subject, final String level) {
        compatibilityBySubject.put(subject, level);
    }

    /** Every request so far as "METHOD /path". */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public int requestCount() {
        return requests.size();
    }

    public List<String> requestContentTypes() {
        return List.copyOf(requestContentTypes);
    }

    /** Registers directly, as another producer would have. */
    public synchronized int registerDirectly(final String subject, final String schemaText) {
        final String canonical = new Schema.Parser().parse(schemaText).toString();
        final int id = idsByCanonical.computeIfAbsent(canonical, c -> nextId++);
        schemasById.put(id, canonical);
        final List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) {
            versions.add(id);
        }
        return id;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(final HttpExchange exchange) throws IOException {
        try (exchange) {
            final String method = exchange.getRequestMethod();
            final String rawPath = exchange.getRequestURI().getRawPath();
            requests.add(method + " " + rawPath);
            final byte[] requestBody;
            try (InputStream in = exchange.getRequestBody()) {
                requestBody = in.readAllBytes();
            }
            if ("POST".equals(method)) {
                requestContentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
            }
            if (serviceUnavailable) {
                respond(exchange, 503, error(50003, "Error while forwarding the request to the primary"));
                return;
            }
            final String authorization = requiredAuthorization;
            if (authorization != null && !authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                respond(exchange, 401, error(401, "Unauthorized"));
                return;
            }
            final Reply reply = route(method, segments(rawPath), requestBody);
            respond(exchange, reply.status(), reply.body());
        }
    }

    private List<String> segments(final String rawPath) {
        final List<String> segments = new ArrayList<>();
        for (final String segment : rawPath.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(URLDecoder.decode(segment, StandardCharsets.UTF_8));
            }
        }
        return segments;
    }

    private synchronized Reply route(final String method, final List<String> path, final byte[] body) throws IOException {
        if ("POST".equals(method) && path.size() == 3 && path.get(0).equals("subjects") && path.get(2).equals("versions")) {
            return registerSchema(path.get(1), body);
        }
        if ("POST".equals(method) && path.size() == 2 && path.get(0).equals("subjects")) {
            return lookUpSchema(path.get(1), body);
        }
        if ("GET".equals(method) && path.size() == 3 && path.get(0).equals("schemas") && path.get(1).equals("ids")) {
            return schemaById(path.get(2));
        }
        if ("GET".equals(method) && path.size() == 4 && path.get(0).equals("subjects") && path.get(2).equals("versions")) {
            return subjectVersion(path.get(1), path.get(3));
        }
        if ("GET".equals(method) && path.size() == 3 && path.get(0).equals("subjects") && path.get(2).equals("versions")) {
            return subjectVersions(path.get(1));
        }
        if ("GET".equals(method) && path.size() == 1 && path.get(0).equals("config")) {
            final ObjectNode config = mapper.createObjectNode();
            config.put("compatibilityLevel", "BACKWARD");
            return new Reply(200, config);
        }
        return new Reply(404, error(404, "HTTP 404 Not Found"));
    }

    private Reply registerSchema(final String subject, final byte[] body) throws IOException {
        final Schema schema;
        try {
            schema = parseBody(body);
        } catch (final SchemaParseException | IllegalArgumentException e) {
            return new Reply(422, error(42201, "Invalid schema: " + e.getMessage()));
        }
        final String canonical = schema.toString();
        final List<Integer> versions = subjects.getOrDefault(subject, List.of());
        for (final Integer id : versions) {
            if (schemasById.get(id).equals(canonical)) {
                return new Reply(200, idNode(id));
            }
        }
        final String level = compatibilityBySubject.getOrDefault(subject, "BACKWARD");
        if (!versions.isEmpty() && "BACKWARD".equals(level)) {
            final Schema latest = new Schema.Parser().parse(schemasById.get(versions.getLast()));
            final SchemaCompatibility.SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(schema, latest);
            if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                return new Reply(409, error(40901, "Schema being registered is incompatible with an earlier schema for subject \""
                        + subject + "\", details: [" + result.getDescription() + "]"));
            }
        }
        return new Reply(200, idNode(registerDirectly(subject, canonical)));
    }

    private Reply lookUpSchema(final String subject, final byte[] body) throws IOException {
        final List<Integer> versions = subjects.get(subject);
        if (versions == null) {
            return new Reply(404, error(40401, "Subject '" + subject + "' not found."));
        }
        final Schema schema;
        try {
            schema = parseBody(body);
        } catch (final SchemaParseException | IllegalArgumentException e) {
            return new Reply(422, error(42201, "Invalid schema: " + e.getMessage()));
        }
        final String canonical = schema.toString();
        for (int i = 0; i < versions.size(); i++) {
            if (schemasById.get(versions.get(i)).equals(canonical)) {
                return new Reply(200, subjectVersionNode(subject, i + 1, versions.get(i)));
            }
        }
        return new Reply(404, error(40403, "Schema not found"));
    }

    private Reply schemaById(final String idText) {
        final Integer id = parseIntOrNull(idText);
        final String schema = id == null ? null : schemasById.get(id);
        if (schema == null) {
            return new Reply(404, error(40403, "Schema " + idText + " not found"));
        }
        final ObjectNode node = mapper.createObjectNode();
        node.put("schema", schema);
        return new Reply(200, node);
    }

    private Reply subjectVersions(final String subject) {
        final List<Integer> versions = subjects.get(subject);
        if (versions == null) {
            return new Reply(404, error(40401, "Subject '" + subject + "' not found."));
        }
        final ArrayNode list = mapper.createArrayNode();
        for (int version = 1; version <= versions.size(); version++) {
            list.add(version);
        }
        return new Reply(200, list);
    }

    private Reply subjectVersion(final String subject, final String versionText) {
        final List<Integer> versions = subjects.get(subject);
        if (versions == null) {
            return new Reply(404, error(40401, "Subject '" + subject + "' not found."));
        }
        final Integer parsed = "latest".equals(versionText) ? Integer.valueOf(-1) : parseIntOrNull(versionText);
        if (parsed == null || parsed == 0 || parsed < -1) {
            return new Reply(422, error(42202, "The specified version '" + versionText + "' is not a valid version id. "
                    + "Allowed values are between [1, 2^31-1] and the string \"latest\""));
        }
        final int version = parsed == -1 ? versions.size() : parsed;
        if (version > versions.size()) {
            return new Reply(404, error(40402, "Version " + versionText + " not found."));
        }
        return new Reply(200, subjectVersionNode(subject, version, versions.get(version - 1)));
    }

    private Schema parseBody(final byte[] body) throws IOException {
        final JsonNode request = mapper.readTree(body);
        final JsonNode schemaType = request.get("schemaType");
        if (schemaType != null && !"AVRO".equals(schemaType.asText())) {
            throw new IllegalArgumentException("this fixture knows AVRO only");
        }
        final JsonNode schema = request.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new IllegalArgumentException("no schema");
        }
        return new Schema.Parser().parse(schema.asText());
    }

    private ObjectNode subjectVersionNode(final String subject, final int version, final int id) {
        final ObjectNode node = mapper.createObjectNode();
        node.put("subject", subject);
        node.put("version", version);
        node.put("id", id);
        node.put("schema", schemasById.get(id));
        return node;
    }

    private ObjectNode idNode(final int id) {
        final ObjectNode node = mapper.createObjectNode();
        node.put("id", id);
        return node;
    }

    private ObjectNode error(final int code, final String message) {
        final ObjectNode node = mapper.createObjectNode();
        node.put("error_code", code);
        node.put("message", message);
        return node;
    }

    private void respond(final HttpExchange exchange, final int status, final JsonNode body) throws IOException {
        final byte[] bytes = mapper.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Integer parseIntOrNull(final String text) {
        try {
            return Integer.valueOf(text);
        } catch (final NumberFormatException e) {
            return null;
        }
    }

    private record Reply(int status, JsonNode body) {
    }
}
