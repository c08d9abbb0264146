package dev.nificdc.registry.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.nificdc.registry.SchemaRegistryException;

import java.time.Duration;

/**
 * Caches the answers of another client so that the hot paths do no HTTP: schema by id (for readers of Confluent-framed
 * data), subject + schema text to id/version (for writers registering their schemas), and subject + version.
 * Only successful answers are cached; errors always go to the registry again. {@code latest} versions are cached too
 * and so follow a newly registered version only after the expiration.
 */
public class CachingSchemaRegistryClient implements SchemaRegistryClient {

    private final SchemaRegistryClient delegate;
    private final Cache<Integer, SubjectSchema> byId;
    private final Cache<SubjectAndText, SubjectSchema> bySubjectAndText;
    private final Cache<SubjectAndText, Integer> registered;
    private final Cache<SubjectAndVersion, SubjectSchema> byVersion;

    /**
     * @param delegate   the client that does the work
     * @param maximumSize the maximum number of entries in each cache (0 disables caching)
     * @param expiration how long an entry stays usable after it was loaded
     */
    public CachingSchemaRegistryClient(final SchemaRegistryClient delegate, final long maximumSize, final Duration expiration) {
        this.delegate = delegate;
        this.byId = newCache(maximumSize, expiration);
        this.bySubjectAndText = newCache(maximumSize, expiration);
        this.registered = newCache(maximumSize, expiration);
        this.byVersion = newCache(maximumSize, expiration);
    }

    private static <K, V> Cache<K, V> newCache(final long maximumSize, final Duration expiration) {
        return Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(expiration).build();
    }

    @Override
    public int register(final String subject, final String schemaText) throws SchemaRegistryException {
        final SubjectAndText key = new SubjectAndText(subject, schemaText);
        final Integer cached = registered.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        final SubjectSchema known = bySubjectAndText.getIfPresent(key);
        if (known != null) {
            return known.id();
        }
        final int id = delegate.register(subject, schemaText);
        registered.put(key, id);
        return id;
    }

    @Override
    public SubjectSchema lookup(final String subject, final String schemaText) throws SchemaRegistryException {
        final SubjectAndText key = new SubjectAndText(subject, schemaText);
        final SubjectSchema cached = bySubjectAndText.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        final SubjectSchema found = delegate.lookup(subject, schemaText);
        bySubjectAndText.put(key, found);
        return found;
    }

    @Override
    public SubjectSchema schemaById(final int id) throws SchemaRegistryException {
        final SubjectSchema cached = byId.getIfPresent(id);
        if (cached != null) {
            return cached;
        }
        final SubjectSchema found = delegate.schemaById(id);
        byId.put(id, found);
        return found;
    }

    @Override
    public SubjectSchema schemaByVersion(final String subject, final Integer version) throws SchemaRegistryException {
        final SubjectAndVersion key = new SubjectAndVersion(subject, version);
        final SubjectSchema cached = byVersion.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        final SubjectSchema found = delegate.schemaByVersion(subject, version);
        byVersion.put(key, found);
        return found;
    }

    @Override
    public CompatibilityLevel compatibilityLevel() throws SchemaRegistryException {
        return delegate.compatibilityLevel();
    }

    @Override
    public void close() {
        byId.invalidateAll();
        bySubjectAndText.invalidateAll();
        registered.invalidateAll();
        byVersion.invalidateAll();
        delegate.close();
    }

    private record SubjectAndText(String subject, String schemaText) {
    }

    /** version null means latest. */
    private record SubjectAndVersion(String subject, Integer version) {
    }
}
