package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.TlsMaterial;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.ssl.SSLContextProvider;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;
import java.util.Optional;

/** An SSL Context Service for tests: a real TLS context that trusts the test server's self-signed certificate. */
public class TrustingSslContextProvider extends AbstractControllerService implements SSLContextProvider {
    private final TlsMaterial tls;

    TrustingSslContextProvider(TlsMaterial tls) {
        this.tls = tls;
    }

    @Override
    public SSLContext createContext() {
        return tls.clientContext();
    }

    @Override
    public Optional<X509ExtendedKeyManager> createKeyManager() {
        return Optional.empty();
    }

    @Override
    public X509TrustManager createTrustManager() {
        return tls.trustManager();
    }
}
