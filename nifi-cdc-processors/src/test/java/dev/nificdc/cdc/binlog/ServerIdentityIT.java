package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CaptureException.Reason;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Offsets know the server they were read from, and carry its GTIDs in every mode: a binlog position is used only on
 * that server, another server is asked by GTID, and without GTIDs the reader refuses instead of reading garbage. Server
 * IDs that clash with the server or another capture are named as such.
 */
class ServerIdentityIT {
    private static MariaDbServer server;
    private static String db;

    @BeforeAll
    static void setUp() {
        server = MariaDbServer.start();
        db = server.createDatabase("identity");
        server.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY)");
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void offsetsNameTheServerAndCarryItsGtidsWhenStreamingByFilePosition() throws Exception {
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.latest()).build()) {
            reader.start();
            server.execute("INSERT INTO " + db + ".t VALUES (1)");
            BinlogOffset after = BinlogTestSupport.poll(reader, 1).get(0).offsetAfter();
            assertEquals(server.gtidBinlogPosition(), after.gtidSet(), "the complete GTID position, also without GTID mode");
            assertTrue(!after.gtidMode(), "streaming by file position");
            assertEquals(1, after.serverId());
            assertTrue(after.serverInstance().endsWith(":" + server.port()), after.serverInstance());
            assertEquals(after, BinlogOffset.fromStateMap(after.toStateMap()));
        }
    }

    @Test
    void aPositionReadFromAnotherServerWithoutGtidsIsRefusedWithAClearError() throws Exception {
        BinlogOffset elsewhere = currentEnd().withGtidSet("").withServer(new ServerIdentity(99, "other-host:3306"));
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).resumeFrom(elsewhere).build()) {
            BinlogCaptureException e = assertThrows(BinlogCaptureException.class, reader::start);
            assertEquals(Reason.POSITION_UNAVAILABLE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("server_id 99 (other-host:3306)") && e.getMessage().contains("no GTIDs")
                    && e.getMessage().contains("Hosts"), e.getMessage());
        }
    }

    @Test
    void aPositionReadFromAnotherServerIsResumedByGtid() throws Exception {
        BinlogOffset end = currentEnd();
        // the same GTIDs, but a file position that lies nowhere on this server: only a GTID request can find the place
        BinlogOffset elsewhere = new BinlogOffset("other-bin.000077", 123_456, 0, end.gtidSet(), false, 99, "other-host:3306");
        server.execute("INSERT INTO " + db + ".t VALUES (20)", "INSERT INTO " + db + ".t VALUES (21)");
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).resumeFrom(elsewhere).build()) {
            reader.start();
            List<CapturedChange<BinlogOffset>> changes = BinlogTestSupport.poll(reader, 2);
            assertEquals(List.of(20, 21), changes.stream().map(c -> c.event().after()[0]).toList());
            BinlogTestSupport.assertNoMore(reader, 500);
            assertEquals(1, changes.get(1).offsetAfter().serverId(), "offsets read here name this server");
        }
    }

    @Test
    void aServerIdEqualToTheServersOwnIsRefused() {
        BinlogConnectionConfig sameId = BinlogConnectionConfig.builder(server.host(), server.port(), MariaDbServer.CDC_USER,
                MariaDbServer.CDC_PASSWORD).serverId(1).connectTimeout(Duration.ofSeconds(10)).build();
        try (BinlogReader reader = BinlogReader.builder(sameId).jdbc(server::cdcConnection).build()) {
            BinlogCaptureException e = assertThrows(BinlogCaptureException.class, reader::start);
            assertEquals(Reason.CONFIGURATION, e.reason());
            assertTrue(e.getMessage().contains("Server ID 1 is the server_id of") && e.getMessage().contains("Pick another Server ID"),
                    e.getMessage());
        }
    }

    @Test
    void twoCapturesWithOneServerIdAreToldToPickAnother() throws Exception {
        BinlogConnectionConfig config = BinlogConnectionConfig.builder(server.host(), server.port(), MariaDbServer.CDC_USER,
                        MariaDbServer.CDC_PASSWORD).serverId(4711).connectTimeout(Duration.ofSeconds(10))
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500)).build();
        List<BinlogReader> readers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                BinlogReader reader = BinlogReader.builder(config).jdbc(server::cdcConnection)
                        .startPosition(StartPosition.latest()).build();
                readers.add(reader);
                reader.start();
            }
            BinlogCaptureException clash = null;
            long deadline = System.currentTimeMillis() + 30_000;
            while (clash == null && System.currentTimeMillis() < deadline) {
                for (BinlogReader reader : readers) {
                    try {
                        reader.poll(Duration.ofMillis(100));
                    } catch (BinlogCaptureException e) {
                        clash = e;
                    }
                }
            }
            assertNotNull(clash, "one of the two captures with Server ID 4711 is told");
            assertEquals(Reason.CONFIGURATION, clash.reason(), clash.getMessage());
            assertTrue(clash.getMessage().contains("Server ID 4711") && clash.getMessage().contains("Pick another Server ID"),
                    clash.getMessage());
        } finally {
            readers.forEach(BinlogReader::close);
        }
    }

    private static BinlogOffset currentEnd() throws Exception {
        try (var c = server.cdcConnection()) {
            return new MySqlServer(c).binlogPosition().orElseThrow();
        }
    }
}
