package dev.nificdc.cdc.processors;

import dev.nificdc.testsupport.FreePort;
import dev.nificdc.testsupport.MariaDbServer;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.util.MockComponentLog;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What Verify and a start say about wrong settings, and that Verify never locks the server. */
class CaptureBinlogChangeVerifyIT {
    private static MariaDbServer server;
    private String db;
    private TestRunner runner;

    @BeforeAll
    static void startServer() {
        server = MariaDbServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        db = server.createDatabase("verify");
        server.execute("CREATE TABLE `" + db + "`.items (id INT PRIMARY KEY)");
        runner = BinlogCaptureRunners.newRunner(server, db);
        runner.setProperty(BinlogCaptureProperties.SERVER_ID, "5901");
    }

    /**
     * The snapshot on MySQL takes FLUSH TABLES WITH READ LOCK; Verify must not. A MariaDB that reports a MySQL version
     * string ({@code --version}) makes the processor take its MySQL path, so the server's general query log shows what
     * Verify would have run there.
     */
    @Test
    void verifyTakesNoLockEvenWhereTheSnapshotLocks(@TempDir Path dir) throws Exception {
        try (MariaDbServer mysqlLike = MariaDbServer.start(new MariaDbServer.Options().arg("--version=8.0.36-mysql-path"))) {
            String database = mysqlLike.createDatabase("nolock");
            mysqlLike.execute("CREATE TABLE `" + database + "`.items (id INT PRIMARY KEY)");
            Path log = dir.resolve("general.log");
            mysqlLike.execute("SET GLOBAL general_log_file = '" + log + "'", "SET GLOBAL general_log = ON");
            TestRunner mysqlRunner = BinlogCaptureRunners.newRunner(mysqlLike, database);

            List<ConfigVerificationResult> results = verify(mysqlRunner);
            mysqlLike.execute("SET GLOBAL general_log = OFF");
            String statements = Files.readString(log);
            assertTrue(statements.contains("START TRANSACTION WITH CONSISTENT SNAPSHOT"), "the log holds Verify's statements");
            assertFalse(statements.contains("FLUSH TABLES"), "Verify took no global read lock");
            assertFalse(statements.contains("LOCK TABLES"), "Verify locked no table");
            ConfigVerificationResult snapshot = step(results, "Snapshot");
            assertEquals(Outcome.SUCCESSFUL, snapshot.getOutcome(), snapshot.getExplanation());
            assertTrue(snapshot.getExplanation().contains("FLUSH TABLES WITH READ LOCK for the moment the read view opens")
                    && snapshot.getExplanation().contains("Verify itself took no lock"), snapshot.getExplanation());
        }
    }

    @Test
    void aWrongPasswordSkipsTheChecksThatNeedAConnectionInsteadOfBlamingGrants() {
        runner.setProperty(BinlogCaptureProperties.PASSWORD, "wrong-password");
        List<ConfigVerificationResult> results = verify(runner);
        ConfigVerificationResult connect = step(results, "Connect to");
        assertEquals(Outcome.FAILED, connect.getOutcome());
        assertTrue(connect.getExplanation().contains("Check Username and Password"), connect.getExplanation());
        ConfigVerificationResult checks = step(results, "Server checks on");
        assertEquals(Outcome.SKIPPED, checks.getOutcome());
        assertTrue(checks.getExplanation().contains("Skipped: the connection to") && checks.getExplanation().contains("privileges"),
                checks.getExplanation());
        assertEquals(Outcome.SKIPPED, step(results, "Snapshot").getOutcome());
        List<ConfigVerificationResult> failed = results.stream().filter(r -> r.getOutcome() == Outcome.FAILED).toList();
        assertEquals(List.of(connect), failed, "only the connection failed");
    }

    @Test
    void privilegesOkListWhatIsRequiredAndWhatIsHeld() {
        ConfigVerificationResult privileges = step(verify(runner), "privileges on");
        assertEquals(Outcome.SUCCESSFUL, privileges.getOutcome(), privileges.getExplanation());
        String explanation = privileges.getExplanation();
        String held = explanation.substring(explanation.indexOf("held:"), explanation.indexOf(", required"));
        for (String privilege : List.of("REPLICATION SLAVE", "BINLOG MONITOR", "SELECT", "RELOAD", "LOCK TABLES")) {
            assertTrue(held.contains(privilege), privilege + " is listed as held: " + explanation);
        }
        assertTrue(explanation.contains("required REPLICATION SLAVE, REPLICATION CLIENT (MariaDB: BINLOG MONITOR), SELECT"), explanation);
    }

    @Test
    void anUnknownHostIsNamedOnce() {
        runner.setProperty(BinlogCaptureProperties.HOSTS, "no-such-host.invalid:3306");
        ConfigVerificationResult connect = step(verify(runner), "Connect to");
        assertEquals(Outcome.FAILED, connect.getOutcome());
        String explanation = connect.getExplanation();
        assertEquals(1, explanation.split("no-such-host\\.invalid", -1).length - 1, explanation);
        assertTrue(explanation.contains("does not resolve"), explanation);
    }

    @Test
    void aServerIdEqualToTheServersOwnFailsVerifyAndStart() throws Exception {
        runner.setProperty(BinlogCaptureProperties.SERVER_ID, "1");
        ConfigVerificationResult serverId = step(verify(runner), "Server ID on");
        assertEquals(Outcome.FAILED, serverId.getOutcome());
        assertTrue(serverId.getExplanation().contains("Pick another Server ID"), serverId.getExplanation());

        BinlogCaptureRunners.streamFromCurrentEnd(runner, server);
        AssertionError refused = assertThrows(AssertionError.class, () -> runner.run(1, true, true));
        String message = String.valueOf(refused.getCause());
        assertTrue(message.contains("Server ID 1 is the server_id of") && message.contains("Pick another Server ID"), message);
    }

    /** Two processors with one Server ID on one server: instead of disconnecting each other forever, one is told. */
    @Test
    void twoCapturesWithOneServerIdAreToldToPickAnother() throws Exception {
        // an id of its own, so that this test's captures cannot clash with the other tests' 5901
        runner.setProperty(BinlogCaptureProperties.SERVER_ID, "5911");
        TestRunner other = BinlogCaptureRunners.newRunner(server, db);
        other.setProperty(BinlogCaptureProperties.SERVER_ID, "5911");
        BinlogCaptureRunners.streamFromCurrentEnd(runner, server);
        BinlogCaptureRunners.streamFromCurrentEnd(other, server);
        String message = null;
        boolean first = true;
        long deadline = System.currentTimeMillis() + 60_000;
        try {
            while (message == null && System.currentTimeMillis() < deadline) {
                for (TestRunner capture : List.of(runner, other)) {
                    try {
                        capture.run(1, false, first);
                    } catch (AssertionError e) {
                        message = String.valueOf(e.getCause());
                    }
                }
                first = false;
                server.execute("INSERT INTO `" + db + "`.items SELECT COALESCE(MAX(id), 0) + 1 FROM `" + db + "`.items");
            }
        } finally {
            stop(runner);
            stop(other);
        }
        assertTrue(message != null && message.contains("with Server ID 5911") && message.contains("Pick another Server ID"),
                "one of them is told: " + message);
    }

    @Test
    void aWrongPortGetsAdviceAtRunTime() {
        int nothingThere = FreePort.find();
        runner.setProperty(BinlogCaptureProperties.HOSTS, "127.0.0.1:" + nothingThere);
        AssertionError failure = assertThrows(AssertionError.class, () -> runner.run(1, true, true));
        String message = String.valueOf(failure.getCause());
        assertTrue(message.contains("Nothing accepts connections at 127.0.0.1:" + nothingThere)
                && message.contains("Check the port in Hosts"), message);
        ConfigVerificationResult connect = step(verify(runner), "Connect to");
        assertTrue(connect.getExplanation().contains("Check the port in Hosts"), "Verify says the same: " + connect.getExplanation());
    }

    /** Stops a processor whose last run may fail as well. */
    private static void stop(TestRunner capture) {
        try {
            capture.run(1, true, false);
        } catch (AssertionError e) {
            // the clash again: the processor is stopped all the same
        }
    }

    static List<ConfigVerificationResult> verify(TestRunner runner) {
        CaptureBinlogChange processor = (CaptureBinlogChange) runner.getProcessor();
        return processor.verify(runner.getProcessContext(), new MockComponentLog("verify", processor), Map.of());
    }

    static ConfigVerificationResult step(List<ConfigVerificationResult> results, String prefix) {
        return results.stream().filter(r -> r.getVerificationStepName().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no step '" + prefix + "' in " + results.stream()
                        .map(ConfigVerificationResult::getVerificationStepName).collect(Collectors.joining(", "))));
    }
}
