package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A small client for the parts of NiFi's REST API ({@code /nifi-api}) the end-to-end tests and the demo use:
 * component types, processors, controller services, connections, process groups, flow-definition upload,
 * parameter contexts, validation, queues and bulletins. Bodies are plain Jackson trees, shaped as NiFi's
 * entities ({@code {"revision": ..., "component": ...}}).
 *
 * <p>Property keys may be given as a property's name or its display name: NiFi 2.x keeps old machine names
 * (e.g. {@code put-db-record-table-name}) next to human-readable ones, and the client maps a display name to
 * the name NiFi expects. Unknown keys are passed through (dynamic properties).
 */
public final class NiFiRestClient {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration WAIT_TIMEOUT = Duration.ofSeconds(60);

    /** A component type NiFi can create, with the bundle (NAR) that provides it. */
    public record ComponentType(String type, String group, String artifact, String version) {
        public String bundleCoordinates() {
            return group + ":" + artifact + ":" + version;
        }
    }

    /** The rows of the bulletin board that matter when reading a failure. */
    public record Bulletin(String level, String sourceId, String sourceName, String message) {
        @Override
        public String toString() {
            return level + " " + sourceName + ": " + message;
        }
    }

    private final String baseUrl;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final String clientId = UUID.randomUUID().toString();

    public NiFiRestClient(String baseUrl) {
        this.baseUrl = baseUrl;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    // ---- server -------------------------------------------------------------------------------------------------

    /** Whether {@code /flow/about} answers 200 (NiFi is up). */
    public boolean isAnswering() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/flow/about"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** NiFi's version as reported by {@code /flow/about}. */
    public String version() {
        return get("/flow/about").path("about").path("version").asText();
    }

    public String rootGroupId() {
        return get("/flow/process-groups/root").path("processGroupFlow").path("id").asText();
    }

    public List<ComponentType> processorTypes() {
        return types(get("/flow/processor-types").path("processorTypes"));
    }

    public List<ComponentType> controllerServiceTypes() {
        return types(get("/flow/controller-service-types").path("controllerServiceTypes"));
    }

    public List<Bulletin> bulletins() {
        List<Bulletin> bulletins = new ArrayList<>();
        for (JsonNode entity : get("/flow/bulletin-board").path("bulletinBoard").path("bulletins")) {
            JsonNode b = entity.path("bulletin");
            bulletins.add(new Bulletin(b.path("level").asText(), b.path("sourceId").asText(), b.path("sourceName").asText(), b.path("message").asText()));
        }
        return bulletins;
    }

    // ---- process groups -----------------------------------------------------------------------------------------

    public String createProcessGroup(String parentGroupId, String name) {
        ObjectNode component = json.createObjectNode().put("name", name);
        component.set("position", position());
        return post("/process-groups/" + parentGroupId + "/process-groups", entity(0, component)).path("id").asText();
    }

    /**
     * Imports a flow definition (the JSON of NiFi's "Download flow definition") as a new process group, the way
     * NiFi's UI does "Import from file": a multipart upload. Returns the new group's id.
     */
    public String uploadFlowDefinition(String parentGroupId, String groupName, String flowDefinitionJson) {
        String boundary = "nifi-e2e-" + UUID.randomUUID();
        StringBuilder body = new StringBuilder();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("groupName", groupName);
        fields.put("positionX", "0");
        fields.put("positionY", "0");
        fields.put("clientId", clientId);
        fields.put("disconnectedNodeAcknowledged", "false");
        fields.forEach((name, value) -> body.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n")
                .append(value).append("\r\n"));
        body.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"file\"; filename=\"flow.json\"\r\n")
                .append("Content-Type: application/json\r\n\r\n")
                .append(flowDefinitionJson).append("\r\n")
                .append("--").append(boundary).append("--\r\n");
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/process-groups/" + parentGroupId + "/process-groups/upload"))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .build();
        return send(request, "POST", "/process-groups/" + parentGroupId + "/process-groups/upload").path("id").asText();
    }

    /** The group as a flow definition (what NiFi's "Download flow definition" saves), as JSON text. */
    public String downloadFlowDefinition(String groupId) {
        return get("/process-groups/" + groupId + "/download").toString();
    }

    /** The group's flow: {@code processors}, {@code connections}, {@code processGroups}, ... as NiFi returns them. */
    public JsonNode groupFlow(String groupId) {
        return get("/flow/process-groups/" + groupId).path("processGroupFlow").path("flow");
    }

    /** Ids of the processors directly in the group, by name. */
    public Map<String, String> processorIdsByName(String groupId) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (JsonNode p : groupFlow(groupId).path("processors")) {
            ids.put(p.path("component").path("name").asText(), p.path("id").asText());
        }
        return ids;
    }

    /** Ids of the processors in the group and in its child groups (at any depth), by name. */
    public Map<String, String> processorIdsByNameInTree(String groupId) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (JsonNode p : processorsInTree(groupId)) {
            ids.put(p.path("component").path("name").asText(), p.path("id").asText());
        }
        return ids;
    }

    /** The processor entities of the group and of its child groups, at any depth. */
    public java.util.List<JsonNode> processorsInTree(String groupId) {
        java.util.List<JsonNode> processors = new java.util.ArrayList<>();
        JsonNode flow = groupFlow(groupId);
        flow.path("processors").forEach(processors::add);
        for (JsonNode child : flow.path("processGroups")) {
            processors.addAll(processorsInTree(child.path("id").asText()));
        }
        return processors;
    }

    /** Enables every controller service in the group (and below), then starts every component in it. */
    public void startGroup(String groupId) {
        ObjectNode services = json.createObjectNode().put("id", groupId).put("state", "ENABLED");
        put("/flow/process-groups/" + groupId + "/controller-services", services);
        ObjectNode run = json.createObjectNode().put("id", groupId).put("state", "RUNNING");
        put("/flow/process-groups/" + groupId, run);
    }

    /** Stops every component in the group. */
    public void stopGroup(String groupId) {
        put("/flow/process-groups/" + groupId, json.createObjectNode().put("id", groupId).put("state", "STOPPED"));
    }

    /** FlowFiles queued anywhere in the group (and below). */
    public long queuedInGroup(String groupId) {
        return get("/flow/process-groups/" + groupId + "/status").path("processGroupStatus").path("aggregateSnapshot").path("flowFilesQueued").asLong();
    }

    // ---- processors ---------------------------------------------------------------------------------------------

    /** Creates a processor of {@code type} (bundle looked up from NiFi's types) and sets its properties. */
    public String createProcessor(String groupId, String type, String name, Map<String, String> properties) {
        ObjectNode component = json.createObjectNode().put("type", type).put("name", name);
        component.set("bundle", bundle(findType(processorTypes(), type)));
        component.set("position", position());
        String id = post("/process-groups/" + groupId + "/processors", entity(0, component)).path("id").asText();
        if (!properties.isEmpty()) {
            updateProcessorProperties(id, properties);
        }
        return id;
    }

    public JsonNode processor(String id) {
        return get("/processors/" + id);
    }

    public void updateProcessorProperties(String id, Map<String, String> properties) {
        JsonNode current = processor(id);
        ObjectNode config = json.createObjectNode();
        config.set("properties", resolveNames(current.path("component").path("config").path("descriptors"), properties));
        updateProcessorConfig(id, config);
    }

    /**
     * Changes a processor's settings: {@code config} is a partial ProcessorConfigDTO, e.g.
     * {@code {"schedulingPeriod": "1 sec", "autoTerminatedRelationships": ["failure"]}}.
     */
    public void updateProcessorConfig(String id, ObjectNode config) {
        JsonNode current = processor(id);
        ObjectNode component = json.createObjectNode().put("id", id);
        component.set("config", config);
        put("/processors/" + id, entity(current.path("revision"), component));
    }

    public void autoTerminate(String processorId, String... relationships) {
        ObjectNode config = json.createObjectNode();
        ArrayNode names = config.putArray("autoTerminatedRelationships");
        for (String r : relationships) {
            names.add(r);
        }
        updateProcessorConfig(processorId, config);
    }

    public void startProcessor(String id) {
        setProcessorState(id, "RUNNING");
    }

    public void stopProcessor(String id) {
        setProcessorState(id, "STOPPED");
        await("processor " + id + " to stop", () -> processor(id), p -> p.path("status").path("aggregateSnapshot").path("activeThreadCount").asInt() == 0
                && "Stopped".equals(p.path("status").path("runStatus").asText()));
    }

    /** The processor's stored state (cluster and local scope together; a standalone NiFi keeps cluster state locally). */
    public Map<String, String> processorState(String id) {
        JsonNode state = get("/processors/" + id + "/state").path("componentState");
        Map<String, String> values = new LinkedHashMap<>();
        for (String scope : List.of("clusterState", "localState")) {
            for (JsonNode entry : state.path(scope).path("state")) {
                values.put(entry.path("key").asText(), entry.path("value").asText());
            }
        }
        return values;
    }

    /** Triggers the processor once (NiFi's "Run Once") and waits until that run has finished. */
    public void runProcessorOnce(String id) {
        setProcessorState(id, "RUN_ONCE");
        await("processor " + id + " to finish its run", () -> processor(id),
                p -> p.path("status").path("aggregateSnapshot").path("activeThreadCount").asInt() == 0);
    }

    /** The processor's validation errors (empty when valid); waits while NiFi is still validating. */
    public List<String> processorValidationErrors(String id) {
        JsonNode p = await("processor " + id + " to be validated", () -> processor(id),
                n -> !"VALIDATING".equals(n.path("component").path("validationStatus").asText()));
        return texts(p.path("component").path("validationErrors"));
    }

    private void setProcessorState(String id, String state) {
        if (!"STOPPED".equals(state)) {
            requireValid("processor", id, processorValidationErrors(id));
        }
        Instant deadline = Instant.now().plus(WAIT_TIMEOUT);
        while (true) {
            JsonNode current = processor(id);
            ObjectNode body = json.createObjectNode().put("state", state).put("disconnectedNodeAcknowledged", false);
            body.set("revision", current.path("revision"));
            try {
                put("/processors/" + id + "/run-status", body);
                return;
            } catch (IllegalStateException e) {
                // A processor whose last run is still finishing is STOPPING (reported as stopped): NiFi answers 409.
                boolean stillStopping = e.getMessage().contains("answered 409") && e.getMessage().contains("STOPPING");
                if (!stillStopping || Instant.now().isAfter(deadline)) {
                    throw e;
                }
                NiFiInstance.sleep(250);
            }
        }
    }

    // ---- controller services ------------------------------------------------------------------------------------

    /** Creates a controller service in the group (bundle looked up from NiFi's types) and sets its properties. */
    public String createControllerService(String groupId, String type, String name, Map<String, String> properties) {
        ObjectNode component = json.createObjectNode().put("type", type).put("name", name);
        component.set("bundle", bundle(findType(controllerServiceTypes(), type)));
        String id = post("/process-groups/" + groupId + "/controller-services", entity(0, component)).path("id").asText();
        if (!properties.isEmpty()) {
            updateControllerServiceProperties(id, properties);
        }
        return id;
    }

    public JsonNode controllerService(String id) {
        return get("/controller-services/" + id);
    }

    public void updateControllerServiceProperties(String id, Map<String, String> properties) {
        JsonNode current = controllerService(id);
        ObjectNode component = json.createObjectNode().put("id", id);
        component.set("properties", resolveNames(current.path("component").path("descriptors"), properties));
        put("/controller-services/" + id, entity(current.path("revision"), component));
    }

    /** The service's validation errors (empty when valid); waits while NiFi is still validating. */
    public List<String> controllerServiceValidationErrors(String id) {
        JsonNode s = await("controller service " + id + " to be validated", () -> controllerService(id),
                n -> !"VALIDATING".equals(n.path("component").path("validationStatus").asText()));
        return texts(s.path("component").path("validationErrors"));
    }

    /** Enables the service and waits until NiFi reports it ENABLED. */
    public void enableControllerService(String id) {
        requireValid("controller service", id, controllerServiceValidationErrors(id));
        setControllerServiceState(id, "ENABLED");
    }

    public void disableControllerService(String id) {
        setControllerServiceState(id, "DISABLED");
    }

    /** Asks NiFi to enable the service, as the UI's Enable does, without waiting; an invalid service then stays ENABLING. */
    public void requestEnable(String id) {
        requestControllerServiceState(id, "ENABLED");
    }

    /** The service's state: DISABLED, ENABLING, ENABLED or DISABLING. */
    public String controllerServiceState(String id) {
        return controllerService(id).path("component").path("state").asText();
    }

    private void setControllerServiceState(String id, String state) {
        requestControllerServiceState(id, state);
        await("controller service " + id + " to be " + state, () -> controllerService(id), s -> state.equals(s.path("component").path("state").asText()));
    }

    private void requestControllerServiceState(String id, String state) {
        JsonNode current = controllerService(id);
        ObjectNode body = json.createObjectNode().put("state", state).put("disconnectedNodeAcknowledged", false);
        body.set("revision", current.path("revision"));
        put("/controller-services/" + id + "/run-status", body);
    }

    // ---- connections --------------------------------------------------------------------------------------------

    /** Connects two processors of the same group on the given relationships; returns the connection id. */
    public String connect(String groupId, String sourceProcessorId, String destinationProcessorId, String... relationships) {
        ObjectNode component = json.createObjectNode();
        component.set("source", json.createObjectNode().put("id", sourceProcessorId).put("groupId", groupId).put("type", "PROCESSOR"));
        component.set("destination", json.createObjectNode().put("id", destinationProcessorId).put("groupId", groupId).put("type", "PROCESSOR"));
        ArrayNode selected = component.putArray("selectedRelationships");
        for (String r : relationships) {
            selected.add(r);
        }
        return post("/process-groups/" + groupId + "/connections", entity(0, component)).path("id").asText();
    }

    /** FlowFiles waiting in the connection's queue. */
    public long queued(String connectionId) {
        return get("/flow/connections/" + connectionId + "/status").path("connectionStatus").path("aggregateSnapshot").path("flowFilesQueued").asLong();
    }

    // ---- parameter contexts -------------------------------------------------------------------------------------

    /** Creates a parameter context; sensitive parameters are those whose names are in {@code sensitiveNames}. */
    public String createParameterContext(String name, Map<String, String> parameters, List<String> sensitiveNames) {
        ObjectNode component = json.createObjectNode().put("name", name);
        component.set("parameters", parameterList(parameters, sensitiveNames));
        return post("/parameter-contexts", entity(0, component)).path("id").asText();
    }

    /**
     * Sets parameters of an existing context (adding or changing them). NiFi applies this asynchronously, stopping
     * and restarting the components that reference them; this waits for the update request to complete.
     */
    public void setParameters(String contextId, Map<String, String> parameters, List<String> sensitiveNames) {
        ObjectNode component = json.createObjectNode().put("id", contextId);
        component.set("parameters", parameterList(parameters, sensitiveNames));
        updateParameterContext(contextId, component);
    }

    /** Renames a parameter context (its parameters stay as they are). */
    public void renameParameterContext(String contextId, String name) {
        ObjectNode component = json.createObjectNode().put("id", contextId).put("name", name);
        component.putArray("parameters"); // no parameter changes
        updateParameterContext(contextId, component);
    }

    /** The context's name and its non-sensitive parameter values (sensitive ones read as NiFi masks them). */
    public Map<String, String> parameterValues(String contextId) {
        Map<String, String> values = new LinkedHashMap<>();
        for (JsonNode p : get("/parameter-contexts/" + contextId).path("component").path("parameters")) {
            JsonNode parameter = p.path("parameter");
            values.put(parameter.path("name").asText(), parameter.path("value").isNull() ? null : parameter.path("value").asText());
        }
        return values;
    }

    public String parameterContextName(String contextId) {
        return get("/parameter-contexts/" + contextId).path("component").path("name").asText();
    }

    private void updateParameterContext(String contextId, ObjectNode component) {
        JsonNode current = get("/parameter-contexts/" + contextId);
        ObjectNode body = entity(current.path("revision"), component);
        body.put("id", contextId);
        JsonNode request = post("/parameter-contexts/" + contextId + "/update-requests", body).path("request");
        String path = "/parameter-contexts/" + contextId + "/update-requests/" + request.path("requestId").asText();
        JsonNode done = await("parameter context update " + path, () -> get(path).path("request"), r -> r.path("complete").asBoolean());
        delete(path);
        if (!done.path("failureReason").isMissingNode() && !done.path("failureReason").isNull()) {
            throw new IllegalStateException("NiFi could not update parameter context " + contextId + ": " + done.path("failureReason").asText());
        }
    }

    /** Makes the group use the parameter context. */
    public void bindParameterContext(String groupId, String contextId) {
        JsonNode current = get("/process-groups/" + groupId);
        ObjectNode component = json.createObjectNode().put("id", groupId);
        component.set("parameterContext", json.createObjectNode().put("id", contextId));
        put("/process-groups/" + groupId, entity(current.path("revision"), component));
    }

    private ArrayNode parameterList(Map<String, String> parameters, List<String> sensitiveNames) {
        ArrayNode list = json.createArrayNode();
        parameters.forEach((name, value) -> {
            ObjectNode parameter = json.createObjectNode().put("name", name).put("value", value).put("sensitive", sensitiveNames.contains(name));
            list.addObject().set("parameter", parameter);
        });
        return list;
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** Polls {@code read} until {@code done} holds, for up to a minute; returns the last value read. */
    public <T> T await(String what, Supplier<T> read, Predicate<T> done) {
        return await(what, WAIT_TIMEOUT, read, done);
    }

    /** Polls {@code read} until {@code done} holds, for up to {@code timeout}; returns the last value read. */
    public <T> T await(String what, Duration timeout, Supplier<T> read, Predicate<T> done) {
        Instant deadline = Instant.now().plus(timeout);
        T value = read.get();
        while (!done.test(value)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Timed out after " + timeout.toSeconds() + " s waiting for " + what + "; last seen: " + value);
            }
            NiFiInstance.sleep(250);
            value = read.get();
        }
        return value;
    }

    private static void requireValid(String kind, String id, List<String> errors) {
        if (!errors.isEmpty()) {
            throw new IllegalStateException("NiFi reports the " + kind + " " + id + " invalid: " + errors);
        }
    }

    private ObjectNode resolveNames(JsonNode descriptors, Map<String, String> properties) {
        ObjectNode resolved = json.createObjectNode();
        properties.forEach((key, value) -> resolved.put(propertyName(descriptors, key), value));
        return resolved;
    }

    private static String propertyName(JsonNode descriptors, String key) {
        if (descriptors.has(key)) {
            return key;
        }
        for (Iterator<JsonNode> it = descriptors.elements(); it.hasNext(); ) {
            JsonNode d = it.next();
            if (key.equals(d.path("displayName").asText())) {
                return d.path("name").asText();
            }
        }
        return key;
    }

    private static List<ComponentType> types(JsonNode array) {
        List<ComponentType> types = new ArrayList<>();
        for (JsonNode t : array) {
            JsonNode b = t.path("bundle");
            types.add(new ComponentType(t.path("type").asText(), b.path("group").asText(), b.path("artifact").asText(), b.path("version").asText()));
        }
        return types;
    }

    private static ComponentType findType(List<ComponentType> types, String type) {
        List<ComponentType> matches = types.stream().filter(t -> t.type().equals(type)).toList();
        if (matches.size() != 1) {
            throw new IllegalStateException(matches.isEmpty()
                    ? "NiFi has no component type " + type + "; is its NAR in the NiFi home?"
                    : "NiFi has " + type + " in several bundles " + matches + "; pick one explicitly");
        }
        return matches.get(0);
    }

    private ObjectNode bundle(ComponentType type) {
        return json.createObjectNode().put("group", type.group()).put("artifact", type.artifact()).put("version", type.version());
    }

    private ObjectNode position() {
        return json.createObjectNode().put("x", 0.0).put("y", 0.0);
    }

    private ObjectNode entity(long version, ObjectNode component) {
        return entity(json.createObjectNode().put("version", version), component);
    }

    private ObjectNode entity(JsonNode revision, ObjectNode component) {
        ObjectNode body = json.createObjectNode();
        ObjectNode rev = json.createObjectNode().put("version", revision.path("version").asLong()).put("clientId", clientId);
        body.set("revision", rev);
        body.set("component", component);
        body.put("disconnectedNodeAcknowledged", false);
        return body;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    public JsonNode get(String path) {
        return send(request(path).GET().build(), "GET", path);
    }

    public JsonNode post(String path, JsonNode body) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), "POST", path);
    }

    public JsonNode put(String path, JsonNode body) {
        return send(request(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body.toString())).build(), "PUT", path);
    }

    public JsonNode delete(String path) {
        return send(request(path).DELETE().build(), "DELETE", path);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
    }

    private JsonNode send(HttpRequest request, String method, String path) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("NiFi answered " + response.statusCode() + " to " + method + " " + path + ": " + response.body());
            }
            String body = response.body();
            return body == null || body.isBlank() ? json.createObjectNode() : json.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + baseUrl + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during " + method + " " + path, e);
        }
    }
}
