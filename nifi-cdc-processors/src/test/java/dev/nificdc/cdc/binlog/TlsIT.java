package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CaptureException.Reason;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The binlog connection over TLS with the caller's SSLContext, against a server that requires TLS for the user. */
class TlsIT {

    @Test
    void capturesOverTlsWithTheCallersTrust(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("server-cert.pem");
        Path key = dir.resolve("server-key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl is needed to make a test certificate");

        try (MariaDbServer server = MariaDbServer.start(new MariaDbServer.Options()
                .arg("--ssl-cert=" + cert).arg("--ssl-key=" + key))) {
            String db = server.createDatabase("tls");
            server.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY)",
                    "CREATE USER 'tls_user'@'%' IDENTIFIED BY 'tls-Pw-1' REQUIRE SSL",
                    "GRANT " + MariaDbServer.CDC_GRANTS + " ON *.* TO 'tls_user'@'%'");
            TableFilter filter = TableFilter.of(List.of(java.util.regex.Pattern.quote(db)), List.of(), List.of(), List.of(), List.of());

            BinlogConnectionConfig tls = BinlogConnectionConfig.builder(server.host(), server.port(), "tls_user", "tls-Pw-1")
                    .serverId(5151).ssl(BinlogConnectionConfig.SslMode.VERIFY_CA, trusting(cert)).build();
            try (BinlogReader reader = BinlogReader.builder(tls).filter(filter).startPosition(StartPosition.latest()).build()) {
                reader.start();
                server.execute("INSERT INTO " + db + ".t VALUES (7)");
                assertEquals(7, BinlogTestSupport.poll(reader, 1).get(0).event().after()[0]);
            }

            // the JVM's default trust does not know the self-signed certificate: proves the caller's context was used above
            BinlogConnectionConfig untrusted = BinlogConnectionConfig.builder(server.host(), server.port(), "tls_user", "tls-Pw-1")
                    .serverId(5153).connectTimeout(Duration.ofSeconds(5)).ssl(BinlogConnectionConfig.SslMode.VERIFY_CA, null).build();
            try (BinlogReader reader = BinlogReader.builder(untrusted).filter(filter).build()) {
                BinlogCaptureException e = assertThrows(BinlogCaptureException.class, reader::start);
                assertEquals(Reason.CONNECTION, e.reason(), e.getMessage());
                org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("TLS handshake failed"), e.getMessage());
            }

            // the certificate names no address (CN=127.0.0.1 only, no subject alternative name): trusted, but not for this host
            BinlogConnectionConfig identity = BinlogConnectionConfig.builder(server.host(), server.port(), "tls_user", "tls-Pw-1")
                    .serverId(5154).connectTimeout(Duration.ofSeconds(5))
                    .ssl(BinlogConnectionConfig.SslMode.VERIFY_IDENTITY, trusting(cert)).build();
            try (BinlogReader reader = BinlogReader.builder(identity).filter(filter).build()) {
                BinlogCaptureException e = assertThrows(BinlogCaptureException.class, reader::start);
                assertEquals(Reason.CONNECTION, e.reason(), e.getMessage());
                org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("TLS handshake failed"), e.getMessage());
            }

            BinlogConnectionConfig plain = BinlogConnectionConfig.builder(server.host(), server.port(), "tls_user", "tls-Pw-1")
                    .serverId(5152).connectTimeout(Duration.ofSeconds(5)).build();
            try (BinlogReader reader = BinlogReader.builder(plain).filter(filter).build()) {
                BinlogCaptureException e = assertThrows(BinlogCaptureException.class, reader::start);
                assertEquals(Reason.AUTHENTICATION, e.reason(), e.getMessage());
            }
        }
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
