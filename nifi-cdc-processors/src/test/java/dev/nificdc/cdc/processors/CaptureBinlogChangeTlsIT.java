package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.MariaDbServer;
import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

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
    void withoutAnSslContextServiceTheServerRefusesAndTheErrorSaysSo() {
        server.execute("INSERT INTO `" + db + "`.secrets VALUES (2, 'not captured')");
        AssertionError failure = assertThrows(AssertionError.class, () -> runner.run(1, true, true));
        String message = String.valueOf(failure.getCause() == null ? failure.getMessage() : failure.getCause().getMessage());
        assertTrue(message.toLowerCase().contains("secure transport") || message.toLowerCase().contains("ssl")
                || message.toLowerCase().contains("tls"), message);
        runner.assertTransferCount(CaptureBinlogChange.REL_SUCCESS, 0);
    }
}
