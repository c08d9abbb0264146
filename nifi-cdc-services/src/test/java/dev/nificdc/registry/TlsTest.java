package dev.nificdc.registry;

import dev.nificdc.registry.SchemaRegistryException.Reason;
import dev.nificdc.testsupport.ConfluentRegistryFixture;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.ssl.SSLContextProvider;
import org.apache.nifi.util.NoOpProcessor;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HTTPS through the SSL Context Service property, against the fixture served over TLS with a self-signed certificate. */
class TlsTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path directory;

    private static KeyStore keyStore;
    private static ConfluentRegistryFixture registry;

    @BeforeAll
    static void startTlsRegistry() throws Exception {
        final Path keyStoreFile = directory.resolve("registry.p12");
        final Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "registry", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStoreFile.toString(),
                "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        final String output = new String(keytool.getInputStream().readAllBytes());
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool failed: " + output);

        keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStoreFile)) {
            keyStore.load(in, PASSWORD);
        }
        final KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keyStore, PASSWORD);
        final SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keyManagers.getKeyManagers(), null, null);
        registry = ConfluentRegistryFixture.startHttps(serverContext);
    }

    @AfterAll
    static void stopTlsRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void httpsWithTheSslContextService() throws Exception {
        final TestRunner runner = TestRunners.newTestRunner(NoOpProcessor.class);
        final TrustingSslContextProvider ssl = new TrustingSslContextProvider();
        runner.addControllerService("ssl", ssl);
        runner.enableControllerService(ssl);
        final ConfluentSchemaRegistryService service = new ConfluentSchemaRegistryService();
        runner.addControllerService("registry", service);
        runner.setProperty(service, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, registry.url());
        runner.setProperty(service, ConfluentSchemaRegistryService.SSL_CONTEXT_SERVICE, "ssl");
        runner.assertValid(service);
        runner.enableControllerService(service);
        try {
            assertTrue(registry.url().startsWith("https://"));
            assertEquals(1, service.register("customers-value", TestSchemas.customersV1()).version());
        } finally {
            runner.disableControllerService(service);
        }
    }

    @Test
    void httpsWithoutTrustNamesTheUrlAndTheTlsFailure() throws Exception {
        final TestRunner runner = TestRunners.newTestRunner(NoOpProcessor.class);
        final ConfluentSchemaRegistryService service = new ConfluentSchemaRegistryService();
        runner.addControllerService("registry", service);
        runner.setProperty(service, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, registry.url());
        runner.enableControllerService(service);
        try {
            final SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> service.register("customers-value", TestSchemas.customersV1()));
            assertEquals(Reason.UNREACHABLE, e.getReason());
            assertTrue(e.getMessage().contains(registry.url() + " (SSLHandshakeException"), e.getMessage());
            assertTrue(e.getMessage().contains("SSL Context Service"), e.getMessage());
        } finally {
            runner.disableControllerService(service);
        }
    }

    @Test
    void sslContextServiceRequiresHttpsUrls() throws Exception {
        final TestRunner runner = TestRunners.newTestRunner(NoOpProcessor.class);
        final TrustingSslContextProvider ssl = new TrustingSslContextProvider();
        runner.addControllerService("ssl", ssl);
        runner.enableControllerService(ssl);
        final ConfluentSchemaRegistryService service = new ConfluentSchemaRegistryService();
        runner.addControllerService("registry", service);
        runner.setProperty(service, ConfluentSchemaRegistryService.SSL_CONTEXT_SERVICE, "ssl");
        runner.setProperty(service, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, registry.url() + ",http://127.0.0.1:8081");
        runner.assertNotValid(service);
    }

    /** Trusts the fixture's self-signed certificate; stands in for NiFi's StandardSSLContextService. */
    public static class TrustingSslContextProvider extends AbstractControllerService implements SSLContextProvider {
        @Override
        public SSLContext createContext() {
            try {
                final SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new javax.net.ssl.TrustManager[]{createTrustManager()}, null);
                return context;
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Optional<X509ExtendedKeyManager> createKeyManager() {
            return Optional.empty();
        }

        @Override
        public X509TrustManager createTrustManager() {
            try {
                final TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(keyStore);
                return (X509TrustManager) factory.getTrustManagers()[0];
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
