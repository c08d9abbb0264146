package dev.nificdc.nar.templates;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.ConfigurableComponent;
import org.apache.nifi.components.PropertyDependency;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.flow.Bundle;
import org.apache.nifi.flow.ControllerServiceAPI;
import org.apache.nifi.flow.Position;
import org.apache.nifi.flow.VersionedConfigurableExtension;
import org.apache.nifi.flow.VersionedConnection;
import org.apache.nifi.flow.VersionedControllerService;
import org.apache.nifi.flow.VersionedLabel;
import org.apache.nifi.flow.VersionedParameter;
import org.apache.nifi.flow.VersionedParameterContext;
import org.apache.nifi.flow.VersionedProcessGroup;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.flow.VersionedPropertyDescriptor;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.apache.nifi.util.MockProcessContext;
import org.apache.nifi.util.MockValidationContext;
import org.apache.nifi.util.NoOpProcessor;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks the flow definitions in {@code templates/} against NiFi's own flow model and against the components they
 * configure: every problem found in a file is collected and reported together, naming the component and property.
 */
class FlowDefinitionTemplatesTest {
    static final Path TEMPLATES = Path.of(System.getProperty("templates.dir", "../templates")).toAbsolutePath().normalize();
    static final String PROJECT_VERSION = System.getProperty("project.version");
    static final String NIFI_VERSION = "2.6.0";
    static final Set<String> EXPECTED_FILES = Set.of("binlog-to-kafka.json", "timestamp-to-kafka.json", "binlog-to-database-replica.json",
            "postgres-to-kafka.json", "postgres-to-database-replica.json");
    private static final Pattern PARAMETER_REFERENCE = Pattern.compile("#\\{([^}]+)}");
    private static final Pattern ONLY_PARAMETER_REFERENCE = Pattern.compile("#\\{([^}]+)}");
    /** NiFi 2 canvas size of a processor box; processors and labels must not overlap so the canvas reads clearly. */
    private static final double PROCESSOR_WIDTH = 352;
    private static final double PROCESSOR_HEIGHT = 128;

    /** The NAR that ships each NiFi component the templates use (from NiFi 2.6.0's source tree). */
    static final Map<String, String> NIFI_COMPONENT_NARS = Map.of(
            "org.apache.nifi.kafka.processors.PublishKafka", "nifi-kafka-nar",
            "org.apache.nifi.kafka.service.Kafka3ConnectionService", "nifi-kafka-3-service-nar",
            "org.apache.nifi.avro.AvroRecordSetWriter", "nifi-record-serialization-services-nar",
            "org.apache.nifi.avro.AvroReader", "nifi-record-serialization-services-nar",
            "org.apache.nifi.json.JsonRecordSetWriter", "nifi-record-serialization-services-nar",
            "org.apache.nifi.dbcp.DBCPConnectionPool", "nifi-dbcp-service-nar",
            "org.apache.nifi.processors.standard.PutDatabaseRecord", "nifi-standard-nar",
            "org.apache.nifi.processors.standard.PutSQL", "nifi-standard-nar",
            "org.apache.nifi.processors.standard.RouteOnAttribute", "nifi-standard-nar");

    /**
     * Relationships of the NiFi 2.6.0 processors whose classes are not on this test's classpath (read from their source);
     * RouteOnAttribute also has one per dynamic property.
     */
    static final Map<String, Set<String>> NIFI_PROCESSOR_RELATIONSHIPS = Map.of(
            "org.apache.nifi.kafka.processors.PublishKafka", Set.of("success", "failure"),
            "org.apache.nifi.processors.standard.PutDatabaseRecord", Set.of("success", "failure", "retry"),
            "org.apache.nifi.processors.standard.PutSQL", Set.of("success", "failure", "retry"),
            "org.apache.nifi.processors.standard.RouteOnAttribute", Set.of("unmatched"));
    /** NiFi processors whose dynamic properties are routes (each one a relationship of the same name). */
    static final Set<String> ROUTING_BY_DYNAMIC_PROPERTY = Set.of("org.apache.nifi.processors.standard.RouteOnAttribute");

    /**
     * Property names ({@code .name(...)}) of the NiFi 2.6.0 components whose classes are not on this test's classpath,
     * read from the rel/nifi-2.6.0 source (PublishKafka, KafkaClientComponent/Kafka3ConnectionService, DBCPProperties/
     * DBCPConnectionPool, PutDatabaseRecord). Many are still old machine names: they are what the flow JSON must use.
     */
    static final Map<String, Set<String>> NIFI_PROPERTY_NAMES = Map.of(
            "org.apache.nifi.kafka.processors.PublishKafka", Set.of("Kafka Connection Service", "Topic Name", "Failure Strategy",
                    "acks", "compression.type", "max.request.size", "Transactions Enabled", "Transactional ID Prefix",
                    "partitioner.class", "partition", "Message Demarcator", "Record Reader", "Record Writer", "Publish Strategy",
                    "Message Key Field", "FlowFile Attribute Header Pattern", "Header Encoding", "Kafka Key",
                    "Kafka Key Attribute Encoding", "Record Key Writer", "Record Metadata Strategy"),
            "org.apache.nifi.kafka.service.Kafka3ConnectionService", Set.of("bootstrap.servers", "security.protocol", "sasl.mechanism",
                    "sasl.username", "sasl.password", "oauth2-access-token-provider-service", "kerberos-user-service",
                    "sasl.kerberos.service.name", "SSL Context Service", "isolation.level", "max.poll.records",
                    "default.api.timeout.ms", "max.block.ms", "ack.wait.time"),
            "org.apache.nifi.dbcp.DBCPConnectionPool", Set.of("Database Connection URL", "Database Driver Class Name",
                    "database-driver-locations", "kerberos-user-service", "Database User", "Password", "Max Wait Time",
                    "Max Total Connections", "Validation-query", "dbcp-min-idle-conns", "dbcp-max-idle-conns",
                    "dbcp-max-conn-lifetime", "dbcp-time-between-eviction-runs", "dbcp-min-evictable-idle-time",
                    "dbcp-soft-min-evictable-idle-time"),
            "org.apache.nifi.processors.standard.PutDatabaseRecord", Set.of("put-db-record-record-reader", "db-type",
                    "Database Dialect Service", "put-db-record-statement-type", "Statement Type Record Path", "Data Record Path",
                    "put-db-record-dcbp-service", "put-db-record-catalog-name", "put-db-record-schema-name",
                    "put-db-record-table-name", "put-db-record-binary-format", "put-db-record-translate-field-names",
                    "Column Name Translation Strategy", "Column Name Translation Pattern", "put-db-record-unmatched-field-behavior",
                    "put-db-record-unmatched-column-behavior", "put-db-record-update-keys", "Delete Keys",
                    "put-db-record-field-containing-sql", "put-db-record-allow-multiple-statements",
                    "put-db-record-quoted-identifiers", "put-db-record-quoted-table-identifiers", "put-db-record-query-timeout",
                    "rollback-on-failure", "table-schema-cache-size", "put-db-record-max-batch-size", "database-session-autocommit"),
            "org.apache.nifi.processors.standard.PutSQL", Set.of("JDBC Connection Pool", "putsql-sql-statement",
                    "database-session-autocommit", "Support Fragmented Transactions", "Transaction Timeout", "Batch Size",
                    "Obtain Generated Keys", "rollback-on-failure"),
            "org.apache.nifi.processors.standard.RouteOnAttribute", Set.of("Routing Strategy"));

    /** Allowable values of the properties the templates set on those components, from the same 2.6.0 source. */
    static final Map<String, Set<String>> NIFI_ALLOWABLE_VALUES = Map.ofEntries(
            Map.entry("PublishKafka/Failure Strategy", Set.of("Route to Failure", "Rollback")),
            Map.entry("PublishKafka/acks", Set.of("all", "1", "0")),
            Map.entry("PublishKafka/Transactions Enabled", Set.of("true", "false")),
            Map.entry("PublishKafka/Publish Strategy", Set.of("USE_VALUE", "USE_WRAPPER")),
            Map.entry("PublishKafka/Record Metadata Strategy", Set.of("FROM_RECORD", "FROM_PROPERTIES")),
            Map.entry("Kafka3ConnectionService/security.protocol", Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")),
            Map.entry("PutDatabaseRecord/db-type", Set.of("Generic", "Oracle", "Oracle 12+", "MS SQL 2012+", "MS SQL 2008",
                    "MySQL", "PostgreSQL", "Phoenix", "Database Dialect Service")),
            Map.entry("PutDatabaseRecord/put-db-record-statement-type", Set.of("UPDATE", "INSERT", "UPSERT", "INSERT_IGNORE", "DELETE",
                    "Use statement.type Attribute", "Use Record Path")),
            Map.entry("PutDatabaseRecord/put-db-record-translate-field-names", Set.of("true", "false")),
            Map.entry("PutDatabaseRecord/put-db-record-unmatched-field-behavior", Set.of("Ignore Unmatched Fields", "Fail on Unmatched Fields")),
            Map.entry("PutDatabaseRecord/put-db-record-unmatched-column-behavior", Set.of("Ignore Unmatched Columns",
                    "Warn on Unmatched Columns", "Fail on Unmatched Columns")),
            Map.entry("PutDatabaseRecord/put-db-record-quoted-identifiers", Set.of("true", "false")),
            Map.entry("PutDatabaseRecord/put-db-record-quoted-table-identifiers", Set.of("true", "false")),
            Map.entry("PutDatabaseRecord/rollback-on-failure", Set.of("true", "false")),
            Map.entry("PutDatabaseRecord/database-session-autocommit", Set.of("true", "false")),
            Map.entry("PutSQL/rollback-on-failure", Set.of("true", "false")),
            Map.entry("PutSQL/database-session-autocommit", Set.of("true", "false")),
            Map.entry("RouteOnAttribute/Routing Strategy", Set.of("Route to Property name", "Route to 'match' if all match",
                    "Route to 'match' if any matches")));

    static Stream<Path> templates() throws IOException {
        try (Stream<Path> files = Files.list(TEMPLATES)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList().stream();
        }
    }

    static RegisteredFlowSnapshot read(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        return mapper.readValue(file.toFile(), RegisteredFlowSnapshot.class);
    }

    @Test
    void everyShippedFlowDefinitionIsThere() throws IOException {
        Set<String> names = templates().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        assertTrue(names.containsAll(EXPECTED_FILES), "templates/ must hold " + EXPECTED_FILES + " but holds " + names);
        assertNotNull(PROJECT_VERSION, "Run through Maven: the pom passes project.version to the tests");
    }

    @Test
    void everyFlowDefinitionHasAParameterContextNameOfItsOwn() throws IOException {
        List<String> names = new ArrayList<>();
        for (Path file : templates().toList()) {
            names.add(read(file).getFlowContents().getParameterContextName());
        }
        assertEquals(names.size(), new HashSet<>(names).size(), "parameter context names: " + names);
    }

    @ParameterizedTest
    @MethodSource("templates")
    void parsesIntoNiFiFlowModelAndIsConsistent(Path file) throws Exception {
        RegisteredFlowSnapshot snapshot = read(file);
        Problems problems = new Problems(file.getFileName().toString());
        String context = snapshot.getFlowContents().getParameterContextName();
        String suffix = "(" + file.getFileName() + ", nifi-cdc " + PROJECT_VERSION + ")";
        // NiFi binds an imported group to an existing parameter context of the same name: a name of its own per file and
        // version keeps an import away from the contexts of other flows (TemplatesImportIT shows NiFi's behaviour).
        problems.check(context != null && context.endsWith(" " + suffix), "parameter context " + context + " must be named '<title> " + suffix + "'");
        new FlowChecker(snapshot, problems).check();
        problems.assertNone();
    }

    /** Collects the problems of one file so one run reports all of them. */
    static final class Problems {
        private final String file;
        private final List<String> messages = new ArrayList<>();

        Problems(String file) {
            this.file = file;
        }

        void add(String message) {
            messages.add(message);
        }

        void check(boolean ok, String message) {
            if (!ok) {
                add(message);
            }
        }

        void assertNone() {
            if (!messages.isEmpty()) {
                fail(file + " has " + messages.size() + " problem(s):\n  - " + String.join("\n  - ", messages));
            }
        }
    }

    static final class FlowChecker {
        private final RegisteredFlowSnapshot snapshot;
        private final Problems problems;
        private final Map<String, VersionedParameter> parameters = new HashMap<>();
        private final Map<String, VersionedControllerService> services = new HashMap<>();

        FlowChecker(RegisteredFlowSnapshot snapshot, Problems problems) {
            this.snapshot = snapshot;
            this.problems = problems;
        }

        void check() {
            VersionedProcessGroup root = snapshot.getFlowContents();
            if (root == null) {
                problems.add("flowContents is missing");
                return;
            }
            problems.check("1.0".equals(snapshot.getFlowEncodingVersion()), "flowEncodingVersion must be 1.0, is " + snapshot.getFlowEncodingVersion());
            checkParameterContext(root);
            collectServices(root);
            checkGroup(root);
        }

        private void checkParameterContext(VersionedProcessGroup root) {
            String contextName = root.getParameterContextName();
            Map<String, VersionedParameterContext> contexts = snapshot.getParameterContexts() == null ? Map.of() : snapshot.getParameterContexts();
            if (contextName == null || !contexts.containsKey(contextName)) {
                problems.add("the process group's parameterContextName " + contextName + " is not in parameterContexts " + contexts.keySet());
                return;
            }
            VersionedParameterContext context = contexts.get(contextName);
            problems.check(contextName.equals(context.getName()), "parameter context key " + contextName + " differs from its name " + context.getName());
            for (VersionedParameter parameter : context.getParameters()) {
                parameters.put(parameter.getName(), parameter);
                if (parameter.isSensitive()) {
                    problems.check(parameter.getValue() == null, "sensitive parameter " + parameter.getName() + " carries a value: secrets must not be in the file");
                }
                problems.check(parameter.getDescription() != null && !parameter.getDescription().isBlank(),
                        "parameter " + parameter.getName() + " has no description");
                if (parameter.getName().toLowerCase().contains("password")) {
                    problems.check(parameter.isSensitive(), "parameter " + parameter.getName() + " looks like a secret but is not sensitive");
                }
            }
            Set<String> referenced = new HashSet<>();
            allConfigurables(root).forEach(c -> c.getProperties().values().forEach(v -> referenced.addAll(references(v))));
            for (String name : parameters.keySet()) {
                problems.check(referenced.contains(name), "parameter " + name + " is never referenced");
            }
        }

        private void collectServices(VersionedProcessGroup group) {
            group.getControllerServices().forEach(s -> services.put(s.getIdentifier(), s));
            group.getProcessGroups().forEach(this::collectServices);
        }

        private static List<VersionedConfigurableExtension> allConfigurables(VersionedProcessGroup group) {
            List<VersionedConfigurableExtension> all = new ArrayList<>(group.getProcessors());
            all.addAll(group.getControllerServices());
            group.getProcessGroups().forEach(g -> all.addAll(allConfigurables(g)));
            return all;
        }

        private void checkGroup(VersionedProcessGroup group) {
            checkGroup(group, new HashSet<>());
        }

        /** Checks {@code group} and its child groups; services count as used when a component of the group or below uses them. */
        private void checkGroup(VersionedProcessGroup group, Set<String> usedServices) {
            for (VersionedControllerService service : group.getControllerServices()) {
                problems.check(group.getIdentifier().equals(service.getGroupIdentifier()), service.getName() + ": groupIdentifier is not its group");
                checkComponent(service, service.getName(), usedServices);
                checkServiceApis(service);
            }
            Map<String, VersionedProcessor> processors = new HashMap<>();
            for (VersionedProcessor processor : group.getProcessors()) {
                processors.put(processor.getIdentifier(), processor);
                problems.check(group.getIdentifier().equals(processor.getGroupIdentifier()), processor.getName() + ": groupIdentifier is not its group");
                checkComponent(processor, processor.getName(), usedServices);
            }
            group.getProcessGroups().forEach(child -> checkGroup(child, usedServices));
            for (VersionedControllerService service : group.getControllerServices()) {
                problems.check(usedServices.contains(service.getIdentifier()), "controller service " + service.getName() + " is not used by any component");
            }
            checkConnections(group, processors);
            checkLayout(group);
        }

        private void checkComponent(VersionedConfigurableExtension component, String name, Set<String> usedServices) {
            checkBundle(component, name);
            Map<String, String> properties = component.getProperties();
            Map<String, VersionedPropertyDescriptor> fileDescriptors = component.getPropertyDescriptors() == null ? Map.of() : component.getPropertyDescriptors();
            Optional<ConfigurableComponent> instance = instantiate(component.getType());
            Map<String, PropertyDescriptor> declared = instance.map(FlowChecker::descriptors).orElse(null);
            if (isOurs(component.getType()) && declared == null) {
                problems.add(name + ": our component class " + component.getType() + " cannot be loaded");
            }
            for (Map.Entry<String, String> property : properties.entrySet()) {
                String propertyName = property.getKey();
                String value = property.getValue();
                String where = name + " / " + propertyName;
                VersionedPropertyDescriptor fileDescriptor = fileDescriptors.get(propertyName);
                problems.check(fileDescriptor != null, where + ": no propertyDescriptors entry (NiFi exports one per property)");
                boolean sensitive = fileDescriptor != null && fileDescriptor.isSensitive();
                boolean identifiesService = fileDescriptor != null && fileDescriptor.getIdentifiesControllerService();
                if (declared != null) {
                    PropertyDescriptor descriptor = declared.get(propertyName);
                    if (descriptor == null) {
                        problems.add(where + ": " + component.getType() + " declares no such property; it declares " + declared.keySet());
                        continue;
                    }
                    sensitive = descriptor.isSensitive();
                    identifiesService = descriptor.getControllerServiceDefinition() != null;
                    if (fileDescriptor != null) {
                        problems.check(fileDescriptor.isSensitive() == sensitive, where + ": propertyDescriptors says sensitive=" + fileDescriptor.isSensitive());
                        problems.check(fileDescriptor.getIdentifiesControllerService() == identifiesService,
                                where + ": propertyDescriptors says identifiesControllerService=" + fileDescriptor.getIdentifiesControllerService());
                    }
                    checkValue(where, descriptor, value, instance.get());
                    checkDependenciesSatisfied(where, descriptor, properties, declared);
                } else if (NIFI_PROPERTY_NAMES.containsKey(component.getType())) {
                    Set<String> known = NIFI_PROPERTY_NAMES.get(component.getType());
                    boolean route = ROUTING_BY_DYNAMIC_PROPERTY.contains(component.getType()) && fileDescriptor != null && fileDescriptor.isDynamic();
                    problems.check(known.contains(propertyName) || route, where + ": " + component.getType() + " 2.6.0 declares no such property; it declares " + new TreeSet<>(known));
                    String simpleName = component.getType().substring(component.getType().lastIndexOf('.') + 1);
                    Set<String> allowed = NIFI_ALLOWABLE_VALUES.get(simpleName + "/" + propertyName);
                    if (allowed != null && value != null && !ONLY_PARAMETER_REFERENCE.matcher(value).matches()) {
                        problems.check(allowed.contains(value), where + ": value '" + value + "' is not one of " + new TreeSet<>(allowed));
                    }
                }
                checkReferences(where, value, sensitive);
                if (identifiesService) {
                    usedServices.add(value);
                    VersionedControllerService target = services.get(value);
                    if (target == null) {
                        problems.add(where + ": references controller service " + value + ", which is not in the flow");
                    } else if (declared != null) {
                        Class<?> api = declared.get(propertyName).getControllerServiceDefinition();
                        boolean implementsApi = target.getControllerServiceApis().stream().anyMatch(a -> a.getType().equals(api.getName()))
                                || instantiate(target.getType()).map(api::isInstance).orElse(false);
                        problems.check(implementsApi, where + ": service " + target.getName() + " does not provide " + api.getName());
                    }
                }
            }
            if (declared != null) {
                for (PropertyDescriptor descriptor : declared.values()) {
                    if (descriptor.isRequired() && descriptor.getDefaultValue() == null && !properties.containsKey(descriptor.getName())
                            && dependenciesSatisfied(descriptor, properties, declared)) {
                        problems.add(name + ": required property " + descriptor.getName() + " is not set");
                    }
                }
            }
        }

        private void checkBundle(VersionedConfigurableExtension component, String name) {
            Bundle bundle = component.getBundle();
            if (bundle == null) {
                problems.add(name + ": no bundle");
                return;
            }
            String coordinates = bundle.getGroup() + ":" + bundle.getArtifact() + ":" + bundle.getVersion();
            if (isOurs(component.getType())) {
                problems.check("dev.nificdc:nifi-cdc-nar:".concat(PROJECT_VERSION).equals(coordinates),
                        name + ": bundle " + coordinates + " must be dev.nificdc:nifi-cdc-nar:" + PROJECT_VERSION);
            } else {
                problems.check(NIFI_PROPERTY_NAMES.containsKey(component.getType()) || instantiate(component.getType()).isPresent(),
                        name + ": neither the class nor the property names of " + component.getType() + " are known to this test");
                String nar = NIFI_COMPONENT_NARS.get(component.getType());
                if (nar == null) {
                    problems.add(name + ": " + component.getType() + " is not a component this test knows the NAR of; add it to NIFI_COMPONENT_NARS");
                } else {
                    problems.check(("org.apache.nifi:" + nar + ":" + NIFI_VERSION).equals(coordinates),
                            name + ": bundle " + coordinates + " must be org.apache.nifi:" + nar + ":" + NIFI_VERSION);
                }
            }
        }

        private void checkServiceApis(VersionedControllerService service) {
            problems.check(!service.getControllerServiceApis().isEmpty(), service.getName() + ": no controllerServiceApis");
            Optional<ConfigurableComponent> instance = instantiate(service.getType());
            for (ControllerServiceAPI api : service.getControllerServiceApis()) {
                Bundle bundle = api.getBundle();
                instance.ifPresent(i -> {
                    try {
                        problems.check(Class.forName(api.getType()).isInstance(i), service.getName() + ": does not implement the API " + api.getType());
                    } catch (ClassNotFoundException e) {
                        problems.add(service.getName() + ": API " + api.getType() + " is not a class on the classpath");
                    }
                });
                boolean oursApi = api.getType().startsWith("dev.nificdc.");
                String expectedGroup = oursApi ? "dev.nificdc" : "org.apache.nifi";
                String expectedVersion = oursApi ? PROJECT_VERSION : NIFI_VERSION;
                problems.check(bundle != null && expectedGroup.equals(bundle.getGroup()) && expectedVersion.equals(bundle.getVersion()),
                        service.getName() + ": API " + api.getType() + " bundle must be " + expectedGroup + ":*:" + expectedVersion);
            }
        }

        private void checkValue(String where, PropertyDescriptor descriptor, String value, ConfigurableComponent component) {
            if (value == null) {
                return;
            }
            // Run the property's own validators on the value NiFi would see: parameter references replaced by the
            // parameter's (example) value. Sensitive parameters have no value here, and service ids are checked apart.
            if (descriptor.getControllerServiceDefinition() == null && references(value).stream().noneMatch(n -> parameters.get(n) == null
                    || parameters.get(n).isSensitive())) {
                String resolved = PARAMETER_REFERENCE.matcher(value).replaceAll(m -> Matcher.quoteReplacement(parameters.get(m.group(1)).getValue()));
                ValidationResult result = descriptor.validate(resolved, new MockValidationContext(new MockProcessContext(component)));
                problems.check(result.isValid(), where + ": value '" + resolved + "' is invalid: " + result.getExplanation());
            }
            if (descriptor.getAllowableValues() != null && !ONLY_PARAMETER_REFERENCE.matcher(value).matches()) {
                Set<String> allowed = descriptor.getAllowableValues().stream().map(AllowableValue::getValue).collect(Collectors.toCollection(TreeSet::new));
                problems.check(allowed.contains(value), where + ": value '" + value + "' is not one of " + allowed);
            }
            if (value.contains("${") && !value.contains("#{")) {
                problems.check(descriptor.isExpressionLanguageSupported(), where + ": uses Expression Language, which the property does not support");
            }
        }

        private void checkDependenciesSatisfied(String where, PropertyDescriptor descriptor, Map<String, String> properties,
                                                Map<String, PropertyDescriptor> declared) {
            problems.check(dependenciesSatisfied(descriptor, properties, declared),
                    where + ": is set but its dependencies " + descriptor.getDependencies().stream()
                            .map(d -> d.getPropertyName() + "=" + d.getDependentValues()).toList() + " are not met, so NiFi ignores it");
        }

        private static boolean dependenciesSatisfied(PropertyDescriptor descriptor, Map<String, String> properties,
                                                     Map<String, PropertyDescriptor> declared) {
            for (PropertyDependency dependency : descriptor.getDependencies()) {
                PropertyDescriptor on = declared.get(dependency.getPropertyName());
                String value = properties.getOrDefault(dependency.getPropertyName(), on == null ? null : on.getDefaultValue());
                if (value == null) {
                    return false;
                }
                Set<String> values = dependency.getDependentValues();
                if (values != null && !values.isEmpty() && !values.contains(value)) {
                    return false;
                }
                if (on != null && !dependenciesSatisfied(on, properties, declared)) {
                    return false;
                }
            }
            return true;
        }

        private void checkReferences(String where, String value, boolean sensitiveProperty) {
            if (value == null) {
                return;
            }
            List<String> names = references(value);
            for (String name : names) {
                VersionedParameter parameter = parameters.get(name);
                if (parameter == null) {
                    problems.add(where + ": references parameter #{" + name + "}, which is not in the parameter context");
                } else if (parameter.isSensitive() != sensitiveProperty) {
                    problems.add(where + ": " + (sensitiveProperty ? "a sensitive property references non-sensitive" : "a non-sensitive property references sensitive")
                            + " parameter #{" + name + "}; NiFi refuses that");
                }
            }
            if (sensitiveProperty) {
                problems.check(ONLY_PARAMETER_REFERENCE.matcher(value).matches(),
                        where + ": is sensitive; its value must be a reference to a sensitive parameter, not a literal");
            }
        }

        private void checkConnections(VersionedProcessGroup group, Map<String, VersionedProcessor> processors) {
            Map<String, Set<String>> connected = new HashMap<>();
            Set<String> inputPorts = new HashSet<>();
            group.getInputPorts().forEach(port -> inputPorts.add(port.getIdentifier()));
            Map<String, String> childInputPorts = new HashMap<>();
            group.getProcessGroups().forEach(child -> child.getInputPorts().forEach(port -> childInputPorts.put(port.getIdentifier(), child.getIdentifier())));
            for (VersionedConnection connection : group.getConnections()) {
                String where = "connection " + connection.getIdentifier();
                problems.check(group.getIdentifier().equals(connection.getGroupIdentifier()), where + ": groupIdentifier is not its group");
                VersionedProcessor source = processors.get(connection.getSource().getId());
                VersionedProcessor destination = processors.get(connection.getDestination().getId());
                boolean fromPort = inputPorts.contains(connection.getSource().getId());
                String childGroup = childInputPorts.get(connection.getDestination().getId());
                problems.check(source != null || fromPort, where + ": source " + connection.getSource().getId() + " is not a processor or input port of the group");
                problems.check(destination != null || childGroup != null,
                        where + ": destination " + connection.getDestination().getId() + " is not a processor of the group or an input port of a child group");
                problems.check(group.getIdentifier().equals(connection.getSource().getGroupId()), where + ": source groupId is not the group");
                problems.check((childGroup != null ? childGroup : group.getIdentifier()).equals(connection.getDestination().getGroupId()),
                        where + ": destination groupId is not the group of its destination");
                problems.check(fromPort == connection.getSelectedRelationships().isEmpty(),
                        where + (fromPort ? ": a port has no relationships to select" : ": selects no relationship"));
                if (source != null) {
                    problems.check(source.getName().equals(connection.getSource().getName()), where + ": source name differs from the processor's");
                    Set<String> declared = relationships(source);
                    for (String relationship : connection.getSelectedRelationships()) {
                        problems.check(declared.contains(relationship), where + ": " + source.getName() + " has no relationship '" + relationship + "' (has " + declared + ")");
                    }
                    connected.computeIfAbsent(source.getIdentifier(), k -> new HashSet<>()).addAll(connection.getSelectedRelationships());
                }
                if (destination != null) {
                    problems.check(destination.getName().equals(connection.getDestination().getName()), where + ": destination name differs from the processor's");
                }
            }
            for (VersionedProcessor processor : processors.values()) {
                Set<String> declared = relationships(processor);
                Set<String> handled = new HashSet<>(connected.getOrDefault(processor.getIdentifier(), Set.of()));
                for (String auto : processor.getAutoTerminatedRelationships()) {
                    problems.check(declared.contains(auto), processor.getName() + ": auto-terminates unknown relationship '" + auto + "'");
                    handled.add(auto);
                }
                for (String relationship : declared) {
                    problems.check(handled.contains(relationship),
                            processor.getName() + ": relationship '" + relationship + "' is neither connected nor auto-terminated, so NiFi will not start it");
                }
            }
        }

        private void checkLayout(VersionedProcessGroup group) {
            List<double[]> boxes = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (VersionedProcessor processor : group.getProcessors()) {
                Position p = processor.getPosition();
                boxes.add(new double[]{p.getX(), p.getY(), PROCESSOR_WIDTH, PROCESSOR_HEIGHT});
                names.add(processor.getName());
            }
            for (VersionedLabel label : group.getLabels()) {
                Position p = label.getPosition();
                boxes.add(new double[]{p.getX(), p.getY(), label.getWidth(), label.getHeight()});
                names.add("label " + label.getIdentifier());
            }
            for (int i = 0; i < boxes.size(); i++) {
                for (int j = i + 1; j < boxes.size(); j++) {
                    double[] a = boxes.get(i);
                    double[] b = boxes.get(j);
                    boolean overlap = a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
                    problems.check(!overlap, names.get(i) + " and " + names.get(j) + " overlap on the canvas");
                }
            }
        }

        private static List<String> references(String value) {
            List<String> names = new ArrayList<>();
            if (value != null) {
                Matcher matcher = PARAMETER_REFERENCE.matcher(value);
                while (matcher.find()) {
                    names.add(matcher.group(1));
                }
            }
            return names;
        }

        /** The processor's relationships, with one per dynamic property of a routing processor. */
        private Set<String> relationships(VersionedProcessor processor) {
            Set<String> all = new HashSet<>(relationships(processor.getType()));
            if (ROUTING_BY_DYNAMIC_PROPERTY.contains(processor.getType())) {
                processor.getPropertyDescriptors().values().stream().filter(VersionedPropertyDescriptor::isDynamic)
                        .forEach(d -> all.add(d.getName()));
            }
            return all;
        }

        private Set<String> relationships(String type) {
            Optional<ConfigurableComponent> instance = instantiate(type);
            if (instance.isPresent() && instance.get() instanceof Processor processor) {
                return processor.getRelationships().stream().map(Relationship::getName).collect(Collectors.toSet());
            }
            Set<String> known = NIFI_PROCESSOR_RELATIONSHIPS.get(type);
            if (known == null) {
                problems.add(type + ": neither on the classpath nor in NIFI_PROCESSOR_RELATIONSHIPS");
                return Set.of();
            }
            return known;
        }

        private static final Map<String, Optional<ConfigurableComponent>> INSTANCES = new HashMap<>();

        /** The initialised component, when its class is on the test classpath. */
        static synchronized Optional<ConfigurableComponent> instantiate(String type) {
            return INSTANCES.computeIfAbsent(type, t -> {
                Class<?> type1;
                try {
                    type1 = Class.forName(t);
                } catch (ClassNotFoundException | LinkageError e) {
                    return Optional.empty();
                }
                try {
                    if (Processor.class.isAssignableFrom(type1)) {
                        TestRunner runner = TestRunners.newTestRunner(type1.asSubclass(Processor.class));
                        return Optional.of(runner.getProcessor());
                    }
                    ControllerService service = (ControllerService) type1.getDeclaredConstructor().newInstance();
                    TestRunners.newTestRunner(NoOpProcessor.class).addControllerService("service", service);
                    return Optional.of(service);
                } catch (Exception e) {
                    throw new IllegalStateException("Could not initialise " + t + ": " + e, e);
                }
            });
        }

        static Map<String, PropertyDescriptor> descriptors(ConfigurableComponent component) {
            Map<String, PropertyDescriptor> byName = new HashMap<>();
            component.getPropertyDescriptors().forEach(d -> byName.put(d.getName(), d));
            return byName;
        }

        private static boolean isOurs(String type) {
            return type.startsWith("dev.nificdc.");
        }
    }

    @ParameterizedTest
    @MethodSource("templates")
    void everyComponentOfOursAndEveryLoadableNiFiComponentIsChecked(Path file) throws IOException {
        // Guards the checker itself: the components it validates against their descriptors must really be loadable.
        RegisteredFlowSnapshot snapshot = read(file);
        for (VersionedConfigurableExtension component : FlowChecker.allConfigurables(snapshot.getFlowContents())) {
            boolean expectLoadable = component.getType().startsWith("dev.nificdc.") || component.getType().startsWith("org.apache.nifi.avro.")
                    || component.getType().startsWith("org.apache.nifi.json.");
            if (expectLoadable) {
                assertTrue(FlowChecker.instantiate(component.getType()).isPresent(), component.getType() + " should be on the test classpath");
            }
        }
    }

    @Test
    void checkerRejectsAnUnknownPropertyAndAWrongAllowableValue() throws IOException {
        // The checker must fail on the mistakes it exists to catch: mutate a real template and expect the complaints.
        RegisteredFlowSnapshot snapshot = read(TEMPLATES.resolve("binlog-to-kafka.json"));
        VersionedProcessor capture = snapshot.getFlowContents().getProcessors().stream()
                .filter(p -> p.getType().endsWith("CaptureBinlogChange")).findFirst().orElseThrow();
        capture.getProperties().put("Output Shape", "ENVELOP");
        capture.getProperties().put("Binlog Hosts", "x:3306");
        capture.getProperties().put("Password", "secret");
        capture.getProperties().put("Max Changes Per FlowFile", "-5");
        Problems problems = new Problems("mutated");
        new FlowChecker(snapshot, problems).check();
        String report = String.join("\n", problems.messages);
        assertTrue(report.contains("'ENVELOP' is not one of"), report);
        assertTrue(report.contains("Binlog Hosts: dev.nificdc.cdc.processors.CaptureBinlogChange declares no such property"), report);
        assertTrue(report.contains("Password: is sensitive; its value must be a reference"), report);
        assertTrue(report.contains("Max Changes Per FlowFile: value '-5' is invalid"), report);
    }

    @Test
    void sensitiveParametersHaveNoValueInAnyFile() throws IOException {
        for (Path file : templates().toList()) {
            String text = Files.readString(file);
            RegisteredFlowSnapshot snapshot = read(file);
            long sensitive = snapshot.getParameterContexts().values().stream().flatMap(c -> c.getParameters().stream())
                    .filter(VersionedParameter::isSensitive).peek(p -> assertEquals(null, p.getValue(), file + ": " + p.getName())).count();
            assertTrue(sensitive > 0, file + " should take its passwords from sensitive parameters");
            assertFalse(text.contains("\"Password\" : \"") && !text.contains("\"Password\" : \"#{"), file + " holds a literal password");
        }
    }
}
