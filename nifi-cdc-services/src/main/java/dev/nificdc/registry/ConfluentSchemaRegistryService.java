package dev.nificdc.registry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.nificdc.registry.SchemaRegistryException.Reason;
import dev.nificdc.registry.client.CachingSchemaRegistryClient;
import dev.nificdc.registry.client.RestSchemaRegistryClient;
import dev.nificdc.registry.client.SchemaRegistryClient;
import dev.nificdc.registry.client.SubjectSchema;
import org.apache.avro.Schema;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.lifecycle.OnDisabled;
import org.apache.nifi.annotation.lifecycle.OnEnabled;
import org.apache.nifi.avro.AvroTypeUtil;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.components.Validator;
import org.apache.nifi.context.PropertyContext;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.controller.VerifiableControllerService;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.util.StandardValidators;
import org.apache.nifi.schema.access.SchemaField;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.schemaregistry.services.SchemaDefinition;
import org.apache.nifi.schemaregistry.services.SchemaRegistry;
import org.apache.nifi.schemaregistry.services.StandardSchemaDefinition;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.SchemaIdentifier;
import org.apache.nifi.ssl.SSLContextProvider;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

@Tags({"schema", "registry", "confluent", "avro", "kafka", "cdc", "register"})
@CapabilityDescription("""
        Connects to a Confluent-compatible Schema Registry (Confluent, Redpanda, Karapace, Apicurio's ccompat API). \
        Processors of this bundle register the Avro schemas they derive through it (subject named per the Subject Name \
        Strategy; registration is optional), and NiFi's own Avro readers and writers can use it as their Schema Registry: \
        a schema is found by subject name (latest or a given version) or by its registry-wide id. Several URLs may be \
        given for fail-over. Answers are cached so that steady-state reading and writing does no HTTP.""")
@SeeAlso({ConfluentWireFormatWriter.class, ConfluentWireFormatReader.class})
public class ConfluentSchemaRegistryService extends AbstractControllerService
        implements SchemaRegistrar, SchemaRegistry, VerifiableControllerService {

    private static final Set<SchemaField> SUPPLIED_SCHEMA_FIELDS = EnumSet.of(SchemaField.SCHEMA_NAME, SchemaField.SCHEMA_TEXT,
            SchemaField.SCHEMA_TEXT_FORMAT, SchemaField.SCHEMA_IDENTIFIER, SchemaField.SCHEMA_VERSION);

    public static final PropertyDescriptor SCHEMA_REGISTRY_URLS = new PropertyDescriptor.Builder()
            .name("Schema Registry URLs")
            .description("""
                    Comma-separated base URLs of the Schema Registry, for example http://registry-1:8081,http://registry-2:8081. \
                    A request goes to the URL that answered last; when a URL cannot be connected to, times out or answers \
                    with a server error (5xx), the next URL is tried.""")
            .required(true)
            .defaultValue("http://localhost:8081")
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(new UrlListValidator())
            .build();

    public static final PropertyDescriptor SSL_CONTEXT_SERVICE = new PropertyDescriptor.Builder()
            .name("SSL Context Service")
            .description("TLS settings (trust store, and key store for mutual TLS) for https URLs. When set, every URL must use https.")
            .required(false)
            .identifiesControllerService(SSLContextProvider.class)
            .build();

    public static final PropertyDescriptor AUTHENTICATION_TYPE = new PropertyDescriptor.Builder()
            .name("Authentication Type")
            .description("How to authenticate to the Schema Registry.")
            .required(true)
            .allowableValues(AuthenticationType.class)
            .defaultValue(AuthenticationType.NONE)
            .build();

    public static final PropertyDescriptor USERNAME = new PropertyDescriptor.Builder()
            .name("Username")
            .description("User for HTTP Basic authentication (for Confluent Cloud: the Schema Registry API key).")
            .required(true)
            .dependsOn(AUTHENTICATION_TYPE, AuthenticationType.BASIC)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor PASSWORD = new PropertyDescriptor.Builder()
            .name("Password")
            .description("Password for HTTP Basic authentication (for Confluent Cloud: the Schema Registry API secret).")
            .required(true)
            .sensitive(true)
            .dependsOn(AUTHENTICATION_TYPE, AuthenticationType.BASIC)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    public static final PropertyDescriptor COMMUNICATIONS_TIMEOUT = new PropertyDescriptor.Builder()
            .name("Communications Timeout")
            .description("How long to wait for a connection to, and for an answer from, one Schema Registry URL before trying the next.")
            .required(true)
            .defaultValue("10 secs")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor CACHE_SIZE = new PropertyDescriptor.Builder()
            .name("Cache Size")
            .description("How many answers to keep in each cache (schemas by id, schemas by subject and version, registrations). 0 disables caching.")
            .required(true)
            .defaultValue("1000")
            .addValidator(StandardValidators.NON_NEGATIVE_INTEGER_VALIDATOR)
            .build();

    public static final PropertyDescriptor CACHE_EXPIRATION = new PropertyDescriptor.Builder()
            .name("Cache Expiration")
            .description("""
                    How long a cached answer is used before the registry is asked again. Schemas by id and by explicit version \
                    never change in the registry; this bounds how long a 'latest' version, or a deleted schema, is still served \
                    from the cache.""")
            .required(true)
            .defaultValue("1 hour")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor SUBJECT_NAME_STRATEGY = new PropertyDescriptor.Builder()
            .name("Subject Name Strategy")
            .description("How processors name the subject they register a topic's key and value schemas under (Confluent serializer semantics).")
            .required(true)
            .allowableValues(SubjectNameStrategy.class)
            .defaultValue(SubjectNameStrategy.TOPIC_NAME)
            .build();

    public static final PropertyDescriptor AUTO_REGISTER_SCHEMAS = new PropertyDescriptor.Builder()
            .name("Auto-Register Schemas")
            .description("""
                    Whether processors may register new schemas (or new versions) in the registry. When false, a schema must \
                    already be registered under its subject, and a schema that is not is an error naming the subject.""")
            .required(true)
            .allowableValues("true", "false")
            .defaultValue("true")
            .build();

    private static final List<PropertyDescriptor> PROPERTY_DESCRIPTORS = List.of(
            SCHEMA_REGISTRY_URLS,
            SSL_CONTEXT_SERVICE,
            AUTHENTICATION_TYPE,
            USERNAME,
            PASSWORD,
            COMMUNICATIONS_TIMEOUT,
            CACHE_SIZE,
            CACHE_EXPIRATION,
            SUBJECT_NAME_STRATEGY,
            AUTO_REGISTER_SCHEMAS
    );

    private volatile SchemaRegistryClient client;
    private volatile SubjectNameStrategy subjectNameStrategy;
    private volatile boolean autoRegister;
    private volatile Cache<SubjectAndSchema, RegisteredSchema> registrations;
    private volatile Cache<Integer, RecordSchema> recordSchemasById;

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTY_DESCRIPTORS;
    }

    @OnEnabled
    public void onEnabled(final ConfigurationContext context) {
        final int cacheSize = context.getProperty(CACHE_SIZE).asInteger();
        final Duration expiration = Duration.ofMillis(context.getProperty(CACHE_EXPIRATION).asTimePeriod(TimeUnit.MILLISECONDS));
        subjectNameStrategy = context.getProperty(SUBJECT_NAME_STRATEGY).asAllowableValue(SubjectNameStrategy.class);
        autoRegister = context.getProperty(AUTO_REGISTER_SCHEMAS).asBoolean();
        registrations = Caffeine.newBuilder().maximumSize(cacheSize).expireAfterWrite(expiration).build();
        recordSchemasById = Caffeine.newBuilder().maximumSize(cacheSize).expireAfterWrite(expiration).build();
        final ComponentLog logger = getLogger();
        client = new CachingSchemaRegistryClient(createRestClient(context, urls(context),
                (failedUrl, reason, nextUrl) -> logger.warn("Schema Registry {} failed ({}); trying {}", failedUrl, reason, nextUrl)),
                cacheSize, expiration);
    }

    @OnDisabled
    public void onDisabled() {
        final SchemaRegistryClient current = client;
        client = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    protected Collection<ValidationResult> customValidate(final ValidationContext context) {
        final List<ValidationResult> results = new ArrayList<>();
        if (context.getProperty(SSL_CONTEXT_SERVICE).isSet() && !context.isExpressionLanguagePresent(context.getProperty(SCHEMA_REGISTRY_URLS).getValue())) {
            for (final String url : urls(context)) {
                if (!url.regionMatches(true, 0, "https://", 0, "https://".length())) {
                    results.add(new ValidationResult.Builder()
                            .subject(SCHEMA_REGISTRY_URLS.getName())
                            .input(url)
                            .valid(false)
                            .explanation("an SSL Context Service is set, so every Schema Registry URL must use https; change " + url + " to https or remove the SSL Context Service")
                            .build());
                }
            }
        }
        return results;
    }

    // ---- SchemaRegistrar ----

    @Override
    public RegisteredSchema register(final String subject, final Schema schema) throws SchemaRegistryException {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        final SchemaRegistryClient current = requireEnabled();
        final SubjectAndSchema key = new SubjectAndSchema(subject, schema);
        final RegisteredSchema cached = registrations.getIfPresent(key);
        if (cached != null) {
            return cached;
        }

        final String schemaText = schema.toString();
        SubjectSchema found;
        try {
            found = current.lookup(subject, schemaText);
        } catch (final SchemaRegistryException e) {
            if (e.getReason() != Reason.SUBJECT_NOT_FOUND && e.getReason() != Reason.SCHEMA_NOT_FOUND) {
                throw e;
            }
            if (!autoRegister) {
                throw new SchemaRegistryException(Reason.NOT_REGISTERED, "The schema of " + describe(schema) + " is not registered under subject '"
                        + subject + "' (" + (e.getReason() == Reason.SUBJECT_NOT_FOUND ? "the subject does not exist" : "the subject holds other schemas only")
                        + ") and Auto-Register Schemas is false. Register the schema under that subject (POST /subjects/" + subject
                        + "/versions), or set Auto-Register Schemas to true.", e);
            }
            current.register(subject, schemaText);
            found = current.lookup(subject, schemaText);
        }
        final RegisteredSchema registered = new RegisteredSchema(subject, found.id(), found.version(), schema);
        registrations.put(key, registered);
        return registered;
    }

    @Override
    public String subjectName(final String topic, final Schema schema, final boolean key) {
        final SubjectNameStrategy strategy = subjectNameStrategy;
        if (strategy == null) {
            throw new IllegalStateException("The Schema Registry service is not enabled");
        }
        return strategy.subject(topic, schema, key);
    }

    // ---- NiFi SchemaRegistry ----

    @Override
    public RecordSchema retrieveSchema(final SchemaIdentifier identifier) throws IOException, SchemaNotFoundException {
        final SchemaRegistryClient current = requireEnabled();
        try {
            if (identifier.getName().isPresent()) {
                final String subject = identifier.getName().get();
                final Integer version = identifier.getVersion().isPresent() ? identifier.getVersion().getAsInt() : null;
                final SubjectSchema found = current.schemaByVersion(subject, version);
                final SchemaIdentifier resolved = SchemaIdentifier.builder().name(found.subject()).id((long) found.id()).version(found.version()).build();
                return AvroTypeUtil.createSchema(found.schema(), found.schemaText(), resolved);
            }
            final int id = schemaId(identifier);
            final RecordSchema cached = recordSchemasById.getIfPresent(id);
            if (cached != null) {
                return cached;
            }
            final SubjectSchema found = current.schemaById(id);
            final RecordSchema recordSchema = AvroTypeUtil.createSchema(found.schema(), found.schemaText(), SchemaIdentifier.builder().id((long) id).build());
            recordSchemasById.put(id, recordSchema);
            return recordSchema;
        } catch (final SchemaRegistryException e) {
            if (e.isNotFound()) {
                throw new SchemaNotFoundException(e.getMessage(), e);
            }
            throw e;
        }
    }

    @Override
    public Set<SchemaField> getSuppliedSchemaFields() {
        return SUPPLIED_SCHEMA_FIELDS;
    }

    @Override
    public boolean isSchemaDefinitionAccessSupported() {
        return true;
    }

    @Override
    public SchemaDefinition retrieveSchemaDefinition(final SchemaIdentifier identifier) throws IOException, SchemaNotFoundException {
        final RecordSchema recordSchema = retrieveSchema(identifier);
        final String text = recordSchema.getSchemaText().orElseThrow(() -> new SchemaNotFoundException("Schema text not available for " + identifier));
        return new StandardSchemaDefinition(recordSchema.getIdentifier(), text, SchemaDefinition.SchemaType.AVRO);
    }

    // ---- Verification ----

    @Override
    public List<ConfigVerificationResult> verify(final ConfigurationContext context, final ComponentLog verificationLogger, final Map<String, String> variables) {
        return new SchemaRegistryVerifier(verificationLogger).verify(urls(context),
                url -> createRestClient(context, List.of(url), (failedUrl, reason, nextUrl) -> { }));
    }

    // ---- helpers ----

    private SchemaRegistryClient requireEnabled() {
        final SchemaRegistryClient current = client;
        if (current == null) {
            throw new IllegalStateException("The Schema Registry service is not enabled");
        }
        return current;
    }

    private static int schemaId(final SchemaIdentifier identifier) throws SchemaNotFoundException {
        final OptionalLong id = identifier.getIdentifier().isPresent() ? identifier.getIdentifier() : identifier.getSchemaVersionId();
        if (id.isEmpty()) {
            throw new SchemaNotFoundException("Cannot look up a schema in the Schema Registry: the schema identifier has neither a name (subject) nor an id");
        }
        final long value = id.getAsLong();
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new SchemaNotFoundException("Schema id " + value + " is out of the range of Confluent schema ids (32-bit integers)");
        }
        return (int) value;
    }

    private static String describe(final Schema schema) {
        return schema.getType() == Schema.Type.RECORD ? "record " + schema.getFullName() : "the " + schema.getType() + " schema";
    }

    private static List<String> urls(final PropertyContext context) {
        final String value = context.getProperty(SCHEMA_REGISTRY_URLS).evaluateAttributeExpressions().getValue();
        return Arrays.stream(value.split(",")).map(String::trim).filter(url -> !url.isEmpty()).toList();
    }

    private static RestSchemaRegistryClient createRestClient(final PropertyContext context, final List<String> urls,
                                                             final RestSchemaRegistryClient.FailoverListener failoverListener) {
        final Duration timeout = Duration.ofMillis(context.getProperty(COMMUNICATIONS_TIMEOUT).asTimePeriod(TimeUnit.MILLISECONDS));
        final SSLContextProvider sslContextProvider = context.getProperty(SSL_CONTEXT_SERVICE).asControllerService(SSLContextProvider.class);
        final SSLContext sslContext = sslContextProvider == null ? null : sslContextProvider.createContext();
        final AuthenticationType authenticationType = context.getProperty(AUTHENTICATION_TYPE).asAllowableValue(AuthenticationType.class);
        final String username = authenticationType == AuthenticationType.BASIC ? context.getProperty(USERNAME).evaluateAttributeExpressions().getValue() : null;
        final String password = authenticationType == AuthenticationType.BASIC ? context.getProperty(PASSWORD).getValue() : null;
        return new RestSchemaRegistryClient(urls, timeout, sslContext, username, password, failoverListener);
    }

    private record SubjectAndSchema(String subject, Schema schema) {
    }

    /** Each comma-separated entry must be an absolute http or https URL with a host. */
    static final class UrlListValidator implements Validator {
        @Override
        public ValidationResult validate(final String subject, final String input, final ValidationContext context) {
            final ValidationResult.Builder result = new ValidationResult.Builder().subject(subject).input(input);
            if (input != null && context.isExpressionLanguageSupported(subject) && context.isExpressionLanguagePresent(input)) {
                return result.valid(true).explanation("Expression Language present").build();
            }
            if (input == null || input.isBlank()) {
                return result.valid(false).explanation("at least one URL is required").build();
            }
            for (final String url : input.split(",")) {
                final String trimmed = url.trim();
                final String problem = urlProblem(trimmed);
                if (problem != null) {
                    return result.valid(false).explanation("'" + trimmed + "' " + problem + "; give comma-separated URLs such as http://registry:8081").build();
                }
            }
            return result.valid(true).build();
        }

        private static String urlProblem(final String url) {
            if (url.isEmpty()) {
                return "is empty";
            }
            try {
                final URI uri = new URI(url);
                if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
                    return "is not an http or https URL";
                }
                if (uri.getHost() == null) {
                    return "has no host";
                }
                return null;
            } catch (final URISyntaxException e) {
                return "is not a valid URL (" + e.getReason() + ")";
            }
        }
    }
}
