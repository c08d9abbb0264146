package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.MariaDbServer;
import dev.nificdc.testsupport.TlsMaterial;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.util.MockComponentLog;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server that requires TLS (require_secure_transport=ON, self-signed certificate): captured through an SSL Context Service. */
class CaptureBinlogChangeTlsIT {
    private static MariaDbServer server;
    private String db;
    private TestRunner runner;

    @BeforeAll
    static void startServer() {
        server = MariaDbServer.start(new MariaDbServer.Options().requireTls());
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        db = server.createDatabase("tls");
        server.execute("CREATE TABLE `" + db + "`.secrets (id INT PRIMARY KEY, note VARCHAR(40))");
        runner = BinlogCaptureRunners.newRunner(server, db);
        BinlogCaptureRunners.streamFromCurrentEnd(runner, server);
    }

    @Test
    void capturesOverTlsVerifiedAgainstTheSslContextService() throws Exception {
        TrustingSslContextProvider ssl = new TrustingSslContextProvider(server.tls());
        runner.addControllerService("ssl", ssl);
        runner.enableControllerService(ssl);
        runner.setProperty(BinlogCaptureProperties.SSL_CONTEXT_SERVICE, "ssl");
        server.execute("INSERT INTO `" + db + "`.secrets VALUES (1, 'over tls')");

        List<GenericRecord> records = List.of();
        for (int attempt = 0; attempt < 30 && records.isEmpty(); attempt++) {
            runner.run(1, false, attempt == 0);
            records = AvroFlowFiles.records(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS));
        }
        assertEquals(1, records.size());
        assertEquals("over tls", ((GenericRecord) records.get(0).get("after")).get("note").toString());
        runner.run(1, true, false);
    }

    @Test
    void anUntrustedCertificateIsRejectedOnTheJdbcPathToo(@TempDir Path otherDir) throws Exception {
        // an SSL Context Service that trusts another certificate than the one the server presents
        TrustingSslContextProvider ssl = new TrustingSslContextProvider(TlsMaterial.generate(otherDir));
        runner.addControllerService("ssl", ssl);
        runner.enableControllerService(ssl);
        runner.setProperty(BinlogCaptureProperties.SSL_CONTEXT_SERVICE, "ssl");

        CaptureBinlogChange processor = (CaptureBinlogChange) runner.getProcessor();
        List<ConfigVerificationResult> results = processor.verify(runner.getProcessContext(), new MockComponentLog("v", processor), Map.of());
        ConfigVerificationResult connect = step(results, "Connect to");
        assertEquals(ConfigVerificationResult.Outcome.FAILED, connect.getOutcome(), "Verify's JDBC connection checks the certificate");
        assertTrue(connect.getExplanation().contains("TLS handshake failed"), connect.getExplanation());

        server.execute("INSERT INTO `" + db + "`.secrets VALUES (3, 'not captured')");
        AssertionError failure = assertThrows(AssertionError.class, () -> runner.run(1, true, true));
        assertTrue(String.valueOf(failure.getCause()).contains("TLS handshake failed"), String.valueOf(failure.getCause()));
        runner.assertTransferCount(CaptureBinlogChange.REL_SUCCESS, 0);
    }

    @Test
    void theSnapshotReadsOverTls() throws Exception {
        server.execute("INSERT INTO `" + db + "`.secrets VALUES (10, 'snapshot row'), (11, 'another')");
        runner.setProperty(BinlogCaptureProperties.SNAPSHOT_MODE, SnapshotMode.INITIAL.getValue());
        TrustingSslContextProvider ssl = new TrustingSslContextProvider(server.tls());
        runner.addControllerService("ssl", ssl);
        runner.enableControllerService(ssl);
        runner.setProperty(BinlogCaptureProperties.SSL_CONTEXT_SERVICE, "ssl");
        runner.setProperty(BinlogCaptureProperties.VERIFY_HOST_NAME, "true");

        List<GenericRecord> records = List.of();
        for (int attempt = 0; attempt < 30 && records.size() < 2; attempt++) {
            runner.run(1, false, attempt == 0);
            records = AvroFlowFiles.records(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS));
        }
        assertEquals(List.of("r", "r"), records.stream().map(r -> r.get("op").toString()).toList());
        assertEquals("snapshot row", ((GenericRecord) records.get(0).get("after")).get("note").toString());
        // then the binlog stream, with the host name verified too
        server.execute("INSERT INTO `" + db + "`.secrets VALUES (12, 'streamed')");
        for (int attempt = 0; attempt < 30 && records.size() < 3; attempt++) {
            runner.run(1, false, false);
            records = AvroFlowFiles.records(runner.getFlowFilesForRelationship(CaptureBinlogChange.REL_SUCCESS));
        }
        assertEquals(3, records.size());
        assertEquals("streamed", ((GenericRecord) records.get(2).get("after")).get("note").toString());
        runner.run(1, true, false);
    }

    @Test
    void aCertificateForAnotherHostNameIsRejectedWhenHostNamesAreVerified() throws Exception {
        try (MariaDbServer other = MariaDbServer.start(new MariaDbServer.Options().requireTls("db.example.test"))) {
            TestRunner otherRunner = BinlogCaptureRunners.newRunner(other, "mysql");
            TrustingSslContextProvider ssl = new TrustingSslContextProvider(other.tls());
            otherRunner.addControllerService("ssl", ssl);
            otherRunner.enableControllerService(ssl);
            otherRunner.setProperty(BinlogCaptureProperties.SSL_CONTEXT_SERVICE, "ssl");
            otherRunner.setProperty(BinlogCaptureProperties.SNAPSHOT_MODE, SnapshotMode.NO_DATA.getValue());
            CaptureBinlogChange processor = (CaptureBinlogChange) otherRunner.getProcessor();

            otherRunner.setProperty(BinlogCaptureProperties.VERIFY_HOST_NAME, "false");
            ConfigVerificationResult trusted = step(processor.verify(otherRunner.getProcessContext(),
                    new MockComponentLog("v", processor), Map.of()), "Connect to");
            assertEquals(ConfigVerificationResult.Outcome.SUCCESSFUL, trusted.getOutcome(), trusted.getExplanation());

            otherRunner.setProperty(BinlogCaptureProperties.VERIFY_HOST_NAME, "true");
            ConfigVerificationResult named = step(processor.verify(otherRunner.getProcessContext(),
                    new MockComponentLog("v", processor), Map.of()), "Connect to");
            assertEquals(ConfigVerificationResult.Outcome.FAILED, named.getOutcome(), "the certificate names db.example.test, not 127.0.0.1");
            assertTrue(named.getExplanation().contains("TLS handshake failed"), named.getExplanation());
            AssertionError failure = assertThrows(AssertionError.class, () -> otherRunner.run(1, true, true));
            assertTrue(String.valueOf(failure.getCause()).contains("TLS handshake failed"), String.valueOf(failure.getCause()));
        }
    }

    private static ConfigVerificationResult step(List<ConfigVerificationResult> results, String prefix) {
        return results.stream().filter(r -> r.getVerificationStepName().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no step " + prefix + " in " + results));
    }

    @Test
    void withoutAnSslContextServiceTheServerRefusesAndTheErrorSaysSo() {
        server.execute("INSERT INTO `" + db + "`.secrets VALUES (2, 'not captured')");
        AssertionError failure = assertThrows(AssertionError.class, () -> runner.run(1, true, true));
        String message = String.valueOf(failure.getCause() == null ? failure.getMessage() : failure.getCause().getMessage());
        assertTrue(message.toLowerCase().contains("secure transport") || message.toLowerCase().contains("ssl")
                || message.toLowerCase().contains("tls"), message);
        runner.assertTransferCount(CaptureBinlogChange.REL_SUCCESS, 0);
    }
}
