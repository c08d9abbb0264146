package dev.nificdc.testsupport;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate (for 127.0.0.1/localhost unless other names are given) made with the JDK's keytool, in the forms servers want
 * (PEM certificate and PKCS#8 key files) and clients want (a PKCS#12 trust store, an {@link SSLContext}).
 */
public final class TlsMaterial {
    public static final String PASSWORD = "changeit";

    private final Path directory;

    private TlsMaterial(Path directory) {
        this.directory = directory;
    }

    /** Generates a fresh key pair and certificate for 127.0.0.1 and localhost in {@code directory}. */
    public static TlsMaterial generate(Path directory) {
        return generate(directory, List.of("localhost", "127.0.0.1"));
    }

    /**
     * Generates a fresh key pair and a certificate whose subject alternative names are exactly {@code names} (IP
     * addresses or DNS names; the first is also the common name) in {@code directory}.
     */
    public static TlsMaterial generate(Path directory, List<String> names) {
        Path keystore = directory.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        String san = names.stream().map(n -> (n.matches("[0-9.]+|.*:.*") ? "ip:" : "dns:") + n)
                .collect(java.util.stream.Collectors.joining(","));
        run(List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", "CN=" + names.get(0), "-ext", "SAN=" + san, "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD));
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, PASSWORD.toCharArray());
            }
            Certificate certificate = store.getCertificate("server");
            PrivateKey key = (PrivateKey) store.getKey("server", PASSWORD.toCharArray());
            Files.writeString(directory.resolve("server-cert.pem"), pem("CERTIFICATE", certificate.getEncoded()));
            Files.writeString(directory.resolve("server-key.pem"), pem("PRIVATE KEY", key.getEncoded()));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", certificate);
            try (var out = Files.newOutputStream(directory.resolve("truststore.p12"))) {
                trust.store(out, PASSWORD.toCharArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not read the generated key store", e);
        }
        return new TlsMaterial(directory);
    }

    public Path certificatePem() {
        return directory.resolve("server-cert.pem");
    }

    public Path privateKeyPem() {
        return directory.resolve("server-key.pem");
    }

    /** A PKCS#12 trust store holding the certificate, password {@link #PASSWORD}. */
    public Path trustStore() {
        return directory.resolve("truststore.p12");
    }

    /** A client TLS context that trusts exactly this certificate. */
    public SSLContext clientContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{trustManager()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A trust manager that trusts exactly this certificate. */
    public X509TrustManager trustManager() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(trustStore())) {
                trust.load(in, PASSWORD.toCharArray());
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            return (X509TrustManager) factory.getTrustManagers()[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
