package dev.nificdc.registry.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nificdc.registry.SchemaRegistryException;
import dev.nificdc.registry.SchemaRegistryException.Reason;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Talks to a Confluent-compatible Schema Registry over HTTP(S) with {@link HttpClient}.
 *
 * <p>Fail-over: each request goes first to the URL that answered last, then to the others in order. A URL is skipped
 * when the connection fails, times out or answers 5xx; any other answer (2xx, 4xx) is final. When no URL answers the
 * error lists every URL tried and why it failed.</p>
 *
 * <p>Error answers carry {@code {"error_code": n, "message": "..."}}; they become {@link SchemaRegistryException}s
 * whose messages name the subject, id or version concerned and what to do. Registries differ in the codes they use for
 * "not found" (Apicurio answers 40401 for a schema that an existing subject does not hold, where Confluent answers 40403,
 * and 40402 for a version of a missing subject, where Confluent answers 40401), so a not-found answer about a subject is
 * followed by {@code GET /subjects/{subject}/versions}: whether the subject exists decides the message and the reason.</p>
 */
public class RestSchemaRegistryClient implements SchemaRegistryClient {

    /** The registry's media type (Confluent API reference, "Content Types"). */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final String ACCEPT = CONTENT_TYPE + ", application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";

    private final ObjectMapper objectMapper = new ObjectMapper();
    private final List<String> baseUrls;
    private final HttpClient httpClient;
    private final Duration timeout;
    private final String authorization;
    private final FailoverListener failoverListener;
    private volatile int preferred;

    /** Told when a URL fails and the next one is tried, so that the caller can log it. */
    @FunctionalInterface
    public interface FailoverListener {
        void failedOver(String failedUrl, String reason, String nextUrl);
    }

    /**
     * @param baseUrls the registry URLs, tried in order on failure
     * @param timeout  connect and request timeout per URL
     * @param sslContext the TLS context for https URLs, or null for the JVM default
     * @param username Basic authentication user, or null for no authentication
     * @param password Basic authentication password (used only with a username)
     */
    public RestSchemaRegistryClient(final List<String> baseUrls, final Duration timeout, final SSLContext sslContext,
                                    final String username, final String password) {
        this(baseUrls, timeout, sslContext, username, password, (failedUrl, reason, nextUrl) -> { });
    }

    /**
     * As {@link #RestSchemaRegistryClient(List, Duration, SSLContext, String, String)}, with a listener told about
     * each fail-over from one URL to the next.
     */
    public RestSchemaRegistryClient(final List<String> baseUrls, final Duration timeout, final SSLContext sslContext,
                                    final String username, final String password, final FailoverListener failoverListener) {
        if (baseUrls == null || baseUrls.isEmpty()) {
            throw new IllegalArgumentException("At least one Schema Registry URL is required");
        }
        this.baseUrls = baseUrls.stream().map(RestSchemaRegistryClient::stripTrailingSlash).toList();
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.failoverListener = Objects.requireNonNull(failoverListener, "failoverListener");
        // HTTP/1.1 without redirects: small REST calls need nothing more, no h2c upgrade confuses proxies, and
        // credentials are never replayed to another host.
        final HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (sslContext != null) {
            builder.sslContext(sslContext);
        }
        this.httpClient = builder.build();
        this.authorization = username == null || username.isEmpty() ? null
                : "Basic " + Base64.getEncoder().encodeToString((username + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int register(final String subject, final String schemaText) throws SchemaRegistryException {
        final Call call = new Call(Kind.REGISTER, "register a schema under subject '" + subject + "'", subject, null, null);
        final JsonNode response = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schemaText), call);
        return requireInt(response, "id", call);
    }

    @Override
    public SubjectSchema lookup(final String subject, final String schemaText) throws SchemaRegistryException {
        final Call call = new Call(Kind.LOOKUP, "look up a schema under subject '" + subject + "'", subject, null, null);
        final JsonNode response = send("POST", "/subjects/" + encode(subject), schemaBody(schemaText), call);
        return subjectSchema(response, call);
    }

    @Override
    public SubjectSchema schemaById(final int id) throws SchemaRegistryException {
        final Call call = new Call(Kind.BY_ID, "read the schema with id " + id, null, id, null);
        final JsonNode response = send("GET", "/schemas/ids/" + id, null, call);
        return new SubjectSchema(null, id, null, requireText(response, "schema", call), parse(response, call));
    }

    @Override
    public SubjectSchema schemaByVersion(final String subject, final Integer version) throws SchemaRegistryException {
        final String versionText = version == null ? "latest" : String.valueOf(version);
        final Call call = new Call(Kind.BY_VERSION, "read version " + versionText + " of subject '" + subject + "'", subject, null, versionText);
        final JsonNode response = send("GET", "/subjects/" + encode(subject) + "/versions/" + versionText, null, call);
        return subjectSchema(response, call);
    }

    @Override
    public CompatibilityLevel compatibilityLevel() throws SchemaRegistryException {
        final Call call = new Call(Kind.CONFIG, "read the global compatibility level", null, null, null);
        final JsonNode response = send("GET", "/config", null, call);
        return new CompatibilityLevel(requireText(response, "compatibilityLevel", call), baseUrls.get(preferred));
    }

    @Override
    public void close() {
        httpClient.shutdown();
    }

    private ObjectNode schemaBody(final String schemaText) {
        final ObjectNode body = objectMapper.createObjectNode();
        body.put("schema", schemaText);
        return body;
    }

    private SubjectSchema subjectSchema(final JsonNode response, final Call call) throws SchemaRegistryException {
        return new SubjectSchema(requireText(response, "subject", call), requireInt(response, "id", call),
                requireInt(response, "version", call), requireText(response, "schema", call), parse(response, call));
    }

    private Schema parse(final JsonNode response, final Call call) throws SchemaRegistryException {
        final JsonNode type = response.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw new SchemaRegistryException(Reason.UNEXPECTED_RESPONSE, "Schema Registry returned a " + type.asText()
                    + " schema when asked to " + call.action() + "; this service handles Avro schemas only");
        }
        final String text = requireText(response, "schema", call);
        try {
            return new Schema.Parser().parse(text);
        } catch (final SchemaParseException e) {
            throw new SchemaRegistryException(Reason.UNEXPECTED_RESPONSE, "Schema Registry returned a schema that is not valid Avro when asked to "
                    + call.action() + ": " + e.getMessage(), e);
        }
    }

    private JsonNode send(final String method, final String path, final JsonNode body, final Call call) throws SchemaRegistryException {
        final String bodyText;
        try {
            bodyText = body == null ? null : objectMapper.writeValueAsString(body);
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize request body", e);
        }

        final List<String> failures = new ArrayList<>();
        final int start = preferred;
        for (int attempt = 0; attempt < baseUrls.size(); attempt++) {
            final int index = (start + attempt) % baseUrls.size();
            final String baseUrl = baseUrls.get(index);
            final HttpResponse<String> response;
            try {
                response = httpClient.send(request(method, baseUrl + path, bodyText), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(Reason.UNREACHABLE, "Interrupted while trying to " + call.action() + " at " + baseUrl, e);
            } catch (final IOException | IllegalArgumentException e) {
                failed(failures, baseUrl, describe(e), attempt, start);
                continue;
            }

            final int status = response.statusCode();
            if (status >= 500) {
                failed(failures, baseUrl, "HTTP " + status + errorSuffix(response.body()), attempt, start);
                continue;
            }
            preferred = index;
            if (status >= 200 && status < 300) {
                return readJson(response.body(), baseUrl, call);
            }
            throw failure(status, response.body(), baseUrl, call);
        }
        throw new SchemaRegistryException(Reason.UNREACHABLE, "Could not reach the Schema Registry to " + call.action() + "; tried "
                + String.join(", ", failures) + ". Check that the registry is running and that the Schema Registry URLs "
                + "(and the SSL Context Service for https) are correct.");
    }

    private void failed(final List<String> failures, final String baseUrl, final String reason, final int attempt, final int start) {
        failures.add(baseUrl + " (" + reason + ")");
        if (attempt + 1 < baseUrls.size()) {
            failoverListener.failedOver(baseUrl, reason, baseUrls.get((start + attempt + 1) % baseUrls.size()));
        }
    }

    private HttpRequest request(final String method, final String url, final String body) {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .header("Accept", ACCEPT);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", CONTENT_TYPE);
            builder.method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private JsonNode readJson(final String text, final String baseUrl, final Call call) throws SchemaRegistryException {
        try {
            final JsonNode node = objectMapper.readTree(text);
            if (node == null || !node.isObject()) {
                throw new SchemaRegistryException(Reason.UNEXPECTED_RESPONSE, "Schema Registry at " + baseUrl
                        + " answered with something other than a JSON object when asked to " + call.action() + ": " + abbreviate(text));
            }
            return node;
        } catch (final JsonProcessingException e) {
            throw new SchemaRegistryException(Reason.UNEXPECTED_RESPONSE, "Schema Registry at " + baseUrl
                    + " answered with invalid JSON when asked to " + call.action() + " (is this URL a Schema Registry?): " + abbreviate(text), e);
        }
    }

    private SchemaRegistryException failure(final int status, final String body, final String baseUrl, final Call call) {
        final ErrorBody error = errorBody(body);
        final String said = error.message() == null ? "" : " The registry said: " + error.message();
        final String subject = call.subject() == null ? "" : call.subject();
        return switch (status) {
            case 401, 403 -> new SchemaRegistryException(Reason.UNAUTHORIZED, "Schema Registry at " + baseUrl + " refused to " + call.action()
                    + " with HTTP " + status + (status == 401 ? " (not authenticated)" : " (not permitted)") + "." + said
                    + " Check the Authentication Type, Username and Password, and the user's permissions on the registry.");
            case 409 -> new SchemaRegistryException(Reason.INCOMPATIBLE_SCHEMA, "Schema Registry rejected the new schema for subject '" + subject
                    + "' as incompatible (" + codes(status, error) + "): the compatibility setting of the subject, or the registry's"
                    + " global compatibility setting, does not allow this change against the earlier versions of the subject." + said
                    + " Make the schema change compatible, or have the registry's compatibility level for subject '" + subject
                    + "' changed (PUT /config/" + subject + "), or write to a new subject.");
            case 404 -> notFound(error, said, baseUrl, call);
            case 422 -> error.codeOr(0) == 42202
                    ? new SchemaRegistryException(Reason.INVALID_VERSION, "Version " + call.version() + " is not a valid version of subject '" + subject
                    + "' (error code 42202)." + said)
                    : new SchemaRegistryException(Reason.INVALID_SCHEMA, "Schema Registry rejected the schema for subject '" + subject
                    + "' as invalid (" + codes(status, error) + ")." + said + " Fix the schema text.");
            default -> new SchemaRegistryException(Reason.UNEXPECTED_RESPONSE, "Schema Registry at " + baseUrl + " answered HTTP " + status
                    + " when asked to " + call.action() + "." + said);
        };
    }

    /**
     * A not-found answer. About a subject (look-up, version) the answer's code is not trusted, as registries differ:
     * the subject's version list tells whether the subject is missing, or holds other schemas or versions.
     */
    private SchemaRegistryException notFound(final ErrorBody error, final String said, final String baseUrl, final Call call) {
        final int code = error.codeOr(0);
        final String codes = codes(404, error);
        if (code / 100 != 404) {
            return new SchemaRegistryException(Reason.UNEXPECTED_RESPONSE, "Schema Registry at " + baseUrl + " answered HTTP 404 without a"
                    + " registry error code when asked to " + call.action() + "; is " + baseUrl + " the base URL of a Schema Registry?" + said);
        }
        if (call.kind() == Kind.BY_ID) {
            return new SchemaRegistryException(Reason.SCHEMA_NOT_FOUND, "The Schema Registry at " + baseUrl + " has no schema with id " + call.id()
                    + " (" + codes + "): the data was written against another registry, or the schema was deleted." + said);
        }
        final String subject = call.subject();
        final List<Integer> versions = subjectVersions(baseUrl, subject);
        if (versions != null && versions.isEmpty() || versions == null && code == 40401) {
            return new SchemaRegistryException(Reason.SUBJECT_NOT_FOUND, "Subject '" + subject + "' does not exist in the Schema Registry at "
                    + baseUrl + " (" + codes + ")." + said);
        }
        final String holds = versions == null ? "" : " (it holds version" + (versions.size() == 1 ? " " : "s ")
                + versions.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")";
        if (call.kind() == Kind.BY_VERSION) {
            return new SchemaRegistryException(Reason.VERSION_NOT_FOUND, "Subject '" + subject + "' has no version " + call.version()
                    + " in the Schema Registry at " + baseUrl + holds + " (" + codes + ")." + said);
        }
        return new SchemaRegistryException(Reason.SCHEMA_NOT_FOUND, "Subject '" + subject + "' in the Schema Registry at " + baseUrl
                + " does not hold this schema" + holds + " (" + codes + ")." + said);
    }

    /**
     * {@code GET /subjects/{subject}/versions} at {@code baseUrl}: the subject's versions, empty when the subject does not
     * exist (40401), null when the registry does not say (then the caller goes by the error code).
     */
    private List<Integer> subjectVersions(final String baseUrl, final String subject) {
        try {
            final HttpResponse<String> response = httpClient.send(request("GET", baseUrl + "/subjects/" + encode(subject) + "/versions", null),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() == 404) {
                // 40401 says the subject does not exist; a 404 without it is an endpoint this registry lacks
                return errorBody(response.body()).codeOr(0) == 40401 ? List.of() : null;
            }
            final JsonNode versions = response.statusCode() == 200 ? objectMapper.readTree(response.body()) : null;
            if (versions == null || !versions.isArray()) {
                return null;
            }
            final List<Integer> list = new ArrayList<>();
            versions.forEach(v -> list.add(v.asInt()));
            return list;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (final IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** "HTTP 409", or "HTTP 404, error code 40401": the registry's code only when it says more than the status. */
    private static String codes(final int status, final ErrorBody error) {
        final Integer code = error.code();
        return code == null || code == 0 || code == status ? "HTTP " + status : "HTTP " + status + ", error code " + code;
    }

    private ErrorBody errorBody(final String body) {
        try {
            final JsonNode node = body == null || body.isBlank() ? null : objectMapper.readTree(body);
            if (node != null && node.isObject()) {
                final JsonNode code = node.get("error_code");
                final JsonNode message = node.get("message");
                return new ErrorBody(code != null && code.canConvertToInt() ? code.asInt() : null,
                        message != null && !message.isNull() ? message.asText() : null);
            }
        } catch (final JsonProcessingException e) {
            // not a registry error body; fall through and report the text
        }
        return new ErrorBody(null, body == null || body.isBlank() ? null : abbreviate(body));
    }

    private String errorSuffix(final String body) {
        final ErrorBody error = errorBody(body);
        return error.message() == null ? "" : ": " + error.message();
    }

    private static int requireInt(final JsonNode node, final String field, final Call call) throws SchemaRegistryException {
        final JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new SchemaRegistryException(Reason.UNEXPECTED_RESPONSE, "Schema Registry's answer lacks the integer field '" + field
                    + "' when asked to " + call.action());
        }
        return value.asInt();
    }

    private static String requireText(final JsonNode node, final String field, final Call call) throws SchemaRegistryException {
        final JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new SchemaRegistryException(Reason.UNEXPECTED_RESPONSE, "Schema Registry's answer lacks the text field '" + field
                    + "' when asked to " + call.action());
        }
        return value.asText();
    }

    private static String describe(final Exception e) {
        final String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private static String encode(final String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String stripTrailingSlash(final String url) {
        String trimmed = url.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }

    private static String abbreviate(final String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    /** The kinds of request, as far as error messages differ. */
    private enum Kind { REGISTER, LOOKUP, BY_ID, BY_VERSION, CONFIG }

    /** What a request was for, to name it in error messages. */
    private record Call(Kind kind, String action, String subject, Integer id, String version) {
    }

    private record ErrorBody(Integer code, String message) {
        int codeOr(final int fallback) {
            return code == null ? fallback : code;
        }
    }
}
