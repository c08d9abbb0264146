package dev.nificdc.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Edits to a flow definition (the JSON of NiFi's "Download flow definition") made before it is imported. */
final class FlowDefinitions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FlowDefinitions() {
    }

    /** The replica flows' parameters {@code replica.db.*} (of templates/*-to-database-replica.json) for {@code replica}. */
    static Map<String, String> replicaParameters(DatabaseSink.JdbcTarget replica) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("replica.db.url", replica.url());
        parameters.put("replica.db.driver.class", replica.driverClass());
        parameters.put("replica.db.driver.location", replica.driverJar().toString());
        parameters.put("replica.db.username", replica.user());
        parameters.put("replica.db.password", replica.password());
        return parameters;
    }

    /**
     * The flow definition with its parameter context renamed to {@code contextName}: NiFi 2.3 binds an imported group
     * to an existing parameter context of the same name, so a context of its own needs a name of its own.
     */
    static String withParameterContext(String flowDefinition, String contextName) {
        ObjectNode definition = parse(flowDefinition);
        ObjectNode contexts = (ObjectNode) definition.path("parameterContexts");
        ObjectNode contents = (ObjectNode) definition.path("flowContents");
        String original = contents.path("parameterContextName").asText();
        ObjectNode context = (ObjectNode) contexts.remove(original);
        if (context == null || contexts.size() > 0) {
            throw new IllegalArgumentException("The flow definition does not hold exactly the one parameter context its group uses (" + original + ")");
        }
        context.put("name", contextName);
        contexts.set(contextName, context);
        contents.put("parameterContextName", contextName);
        return definition.toString();
    }

    /** The flow definition with the text of its (only) label, the note on the canvas, replaced by {@code note}. */
    static String withNote(String flowDefinition, String note) {
        ObjectNode definition = parse(flowDefinition);
        var labels = definition.path("flowContents").path("labels");
        if (labels.size() != 1) {
            throw new IllegalArgumentException("The flow definition has " + labels.size() + " labels, not one note");
        }
        ((ObjectNode) labels.get(0)).put("label", note);
        return definition.toString();
    }

    private static ObjectNode parse(String flowDefinition) {
        try {
            return (ObjectNode) JSON.readTree(flowDefinition);
        } catch (IOException e) {
            throw new UncheckedIOException("Not a flow definition: " + e.getMessage(), e);
        }
    }
}
