package dev.nificdc.cdc.binlog;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;

/**
 * TLS for every connection to a source, from one trust and key configuration (in NiFi: an SSL Context Service): the
 * binlog connection uses the {@link SSLContext}; JDBC connections (server checks, metadata, snapshot rows, Verify) use the
 * same trust and key managers through {@link JdbcTlsPlugin}. The server certificate is always verified against the trust
 * managers; with {@code verifyHostName} it must also name the host as configured.
 */
public final class TlsSettings {
    private final SSLContext context;
    private final X509TrustManager trustManager;
    private final X509KeyManager keyManager;
    private final boolean verifyHostName;
    private final String id = UUID.randomUUID().toString();

    /**
     * @param context        the TLS context of the binlog connection
     * @param trustManager   decides which server certificates are trusted (for JDBC connections)
     * @param keyManager     the client certificate for JDBC connections, or null when the server asks for none
     * @param verifyHostName whether the certificate must name the host as configured (besides being trusted)
     */
    public TlsSettings(SSLContext context, X509TrustManager trustManager, X509KeyManager keyManager, boolean verifyHostName) {
        this.context = Objects.requireNonNull(context, "context");
        this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
        this.keyManager = keyManager;
        this.verifyHostName = verifyHostName;
    }

    public SSLContext context() {
        return context;
    }

    X509TrustManager trustManager() {
        return trustManager;
    }

    X509KeyManager keyManager() {
        return keyManager;
    }

    public boolean verifyHostName() {
        return verifyHostName;
    }

    /** The binlog connection's TLS mode: the certificate is always verified, the host name on request. */
    BinlogConnectionConfig.SslMode binlogMode() {
        return verifyHostName ? BinlogConnectionConfig.SslMode.VERIFY_IDENTITY : BinlogConnectionConfig.SslMode.VERIFY_CA;
    }

    /** Sets MariaDB Connector/J's options so that a JDBC connection verifies the server with these settings. */
    void applyTo(Properties jdbcProperties) {
        JdbcTlsPlugin.register(id, this);
        jdbcProperties.setProperty("sslMode", verifyHostName ? "verify-full" : "verify-ca");
        jdbcProperties.setProperty("tlsSocketType", JdbcTlsPlugin.TYPE);
        jdbcProperties.setProperty(JdbcTlsPlugin.SETTINGS_OPTION, id);
    }

    @Override
    public String toString() {
        return "TlsSettings[verifyHostName=" + verifyHostName + "]";
    }
}
