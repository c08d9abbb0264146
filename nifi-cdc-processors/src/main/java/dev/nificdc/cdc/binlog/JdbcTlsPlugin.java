package dev.nificdc.cdc.binlog;

import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.HostAddress;
import org.mariadb.jdbc.client.tls.HostnameVerifier;
import org.mariadb.jdbc.export.ExceptionFactory;
import org.mariadb.jdbc.plugin.TlsSocketPlugin;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import java.lang.ref.WeakReference;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MariaDB Connector/J's TLS plugin for our JDBC connections: the driver builds its TLS context from the trust and key
 * managers of the {@link TlsSettings} the connection names (in NiFi: the SSL Context Service's), instead of trusting any
 * certificate ({@code sslMode=trust}) or reading key store files. The driver finds the plugin through
 * {@code META-INF/services} by its {@link #TYPE}; the settings are looked up by the id in the connection's options.
 */
public final class JdbcTlsPlugin implements TlsSocketPlugin {
    static final String TYPE = "nifi-cdc-tls-settings";
    /** Connection option naming the registered {@link TlsSettings}. */
    static final String SETTINGS_OPTION = "nifiCdcTlsSettings";
    /** Weak: settings vanish with the configuration that made them (a processor stopped and started again makes new ones). */
    private static final Map<String, WeakReference<TlsSettings>> SETTINGS = new ConcurrentHashMap<>();

    static void register(String id, TlsSettings settings) {
        SETTINGS.values().removeIf(ref -> ref.get() == null);
        SETTINGS.putIfAbsent(id, new WeakReference<>(settings));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public TrustManager[] getTrustManager(Configuration conf, ExceptionFactory exceptionFactory, HostAddress hostAddress)
            throws SQLException {
        return new TrustManager[]{settings(conf).trustManager()};
    }

    @Override
    public KeyManager[] getKeyManager(Configuration conf, ExceptionFactory exceptionFactory) throws SQLException {
        TlsSettings settings = settings(conf);
        return settings.keyManager() == null ? null : new KeyManager[]{settings.keyManager()};
    }

    /** Host-name check (sslMode verify-full): the driver's own, which matches DNS and IP subject alternative names. */
    @Override
    public void verify(String host, SSLSession session, long serverThreadId) throws SSLException {
        HostnameVerifier.verify(host, (X509Certificate) session.getPeerCertificates()[0], serverThreadId);
    }

    private static TlsSettings settings(Configuration conf) throws SQLException {
        String id = conf.nonMappedOptions().getProperty(SETTINGS_OPTION);
        WeakReference<TlsSettings> ref = id == null ? null : SETTINGS.get(id);
        TlsSettings settings = ref == null ? null : ref.get();
        if (settings == null) {
            throw new SQLException("No TLS settings registered for this connection (" + SETTINGS_OPTION + "=" + id + ")");
        }
        return settings;
    }
}
