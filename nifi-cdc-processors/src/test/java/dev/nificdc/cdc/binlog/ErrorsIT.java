package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CaptureException.Reason;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Misconfigurations end with an error that says what happened and what to do. */
class ErrorsIT {
    private static MariaDbServer server;
    private static String db;

    @BeforeAll
    static void setUp() {
        server = MariaDbServer.start();
        db = server.createDatabase("errors");
        server.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY)");
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void wrongPasswordIsAnAuthenticationError() {
        BinlogConnectionConfig config = BinlogConnectionConfig.builder(server.host(), server.port(), MariaDbServer.CDC_USER, "wrong")
                .serverId(4242).connectTimeout(Duration.ofSeconds(5)).build();
        try (BinlogReader reader = BinlogReader.builder(config).build()) {
            BinlogCaptureException e = assertThrows(BinlogCaptureException.class, reader::start);
            assertEquals(Reason.AUTHENTICATION, e.reason());
            assertTrue(e.getMessage().contains("password") && !e.getMessage().contains("wrong"), e.getMessage());
        }
        try (BinlogReader reader = BinlogReader.builder(config)
                .jdbc(() -> DriverManager.getConnection(server.jdbcUrl(null), MariaDbServer.CDC_USER, "wrong")).build()) {
            BinlogCaptureException e = assertThrows(BinlogCaptureException.class, reader::start);
            assertEquals(Reason.AUTHENTICATION, e.reason());
        }
    }

    @Test
    void missingReplicationPrivilegeIsNamed() {
        server.execute("CREATE USER 'weak'@'%' IDENTIFIED BY 'weak-Pw-1'", "GRANT SELECT ON *.* TO 'weak'@'%'");
        BinlogConnectionConfig config = BinlogConnectionConfig.builder(server.host(), server.port(), "weak", "weak-Pw-1")
                .serverId(4243).connectTimeout(Duration.ofSeconds(5)).build();
        try (BinlogReader reader = BinlogReader.builder(config)
                .jdbc(() -> DriverManager.getConnection(server.jdbcUrl(null), "weak", "weak-Pw-1")).build()) {
            BinlogCaptureException e = assertThrows(BinlogCaptureException.class, reader::start);
            assertEquals(Reason.PRIVILEGES, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("REPLICATION SLAVE"), e.getMessage());
        }
        // without JDBC checks the server itself refuses the binlog dump
        try (BinlogReader reader = BinlogReader.builder(config).startPosition(StartPosition.filePosition("mysql-bin.000001", 4)).build()) {
            BinlogCaptureException e = assertThrows(BinlogCaptureException.class, () -> {
                reader.start();
                reader.poll(Duration.ofSeconds(10));
            });
            assertEquals(Reason.PRIVILEGES, e.reason(), e.getMessage());
        }
    }

    @Test
    void purgedPositionSaysToStartOver() throws Exception {
        String oldFile;
        try (Connection c = server.adminConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
                rs.next();
                oldFile = rs.getString(1);
            }
            s.execute("INSERT INTO " + db + ".t VALUES (1)");
            s.execute("FLUSH BINARY LOGS");
            s.execute("FLUSH BINARY LOGS");
            String current;
            try (ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
                rs.next();
                current = rs.getString(1);
            }
            // MariaDB keeps a log until its binlog checkpoint has moved on: retry until the old file is gone
            long deadline = System.currentTimeMillis() + 20_000;
            boolean purged = false;
            while (!purged && System.currentTimeMillis() < deadline) {
                s.execute("PURGE BINARY LOGS TO '" + current + "'");
                purged = true;
                try (ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
                    while (rs.next()) {
                        purged &= !rs.getString(1).equals(oldFile);
                    }
                }
                if (!purged) {
                    Thread.sleep(200);
                }
            }
            assertTrue(purged, oldFile + " could not be purged");
        }
        BinlogOffset stored = BinlogOffset.at(oldFile, 4);
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).resumeFrom(stored).build()) {
            BinlogCaptureException e = assertThrows(BinlogCaptureException.class, () -> {
                reader.start();
                reader.poll(Duration.ofSeconds(10));
            });
            assertEquals(Reason.POSITION_UNAVAILABLE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains(oldFile), e.getMessage());
            assertTrue(e.getMessage().contains("purged") && e.getMessage().contains("Clear the processor state")
                    && e.getMessage().contains("snapshot"), e.getMessage());
        }
    }

    @Test
    void serverRequirementsReportEachSetting() throws Exception {
        List<ServerRequirements.CheckResult> ok;
        try (Connection c = server.cdcConnection()) {
            ok = ServerRequirements.check(new MySqlServer(c));
        }
        assertTrue(ServerRequirements.allPassed(ok), ok.toString());
        assertEquals("ROW", find(ok, "binlog_format").actual());
        assertEquals("FULL", find(ok, "binlog_row_metadata").actual());
        // one minimum version everywhere: README, the processor's page and Verify
        assertEquals("MariaDB 10.5+ or MySQL 8.0.1+ (tested: MariaDB 10.11)", find(ok, "server version").required());

        try (MariaDbServer statement = MariaDbServer.start(new MariaDbServer.Options().binlogFormat("STATEMENT").rowMetadata("MINIMAL"));
             Connection c = statement.cdcConnection()) {
            List<ServerRequirements.CheckResult> results = ServerRequirements.check(new MySqlServer(c));
            ServerRequirements.CheckResult format = find(results, "binlog_format");
            assertEquals(ServerRequirements.Status.FAIL, format.status());
            assertEquals("STATEMENT", format.actual());
            assertTrue(format.fix().contains("binlog_format=ROW"), format.fix());
            assertEquals(ServerRequirements.Status.WARN, find(results, "binlog_row_metadata").status());
            BinlogConnectionConfig config = BinlogTestSupport.config(statement);
            try (BinlogReader reader = BinlogReader.builder(config).jdbc(statement::cdcConnection).build()) {
                BinlogCaptureException e = assertThrows(BinlogCaptureException.class, reader::start);
                assertEquals(Reason.SERVER_SETTINGS, e.reason());
                assertTrue(e.getMessage().contains("binlog_format"), e.getMessage());
            }
        }
    }

    @Test
    void misspeltTableFilterIsReported() throws Exception {
        try (Connection c = server.cdcConnection()) {
            ServerRequirements.CheckResult none = ServerRequirements.checkTables(c,
                    TableFilter.of(List.of(db), List.of(), List.of("nosuchdb\\.t"), List.of(), List.of()));
            assertEquals(ServerRequirements.Status.WARN, none.status());
            assertTrue(none.fix().contains(db), none.fix());
            ServerRequirements.CheckResult some = ServerRequirements.checkTables(c,
                    TableFilter.of(List.of(db), List.of(), List.of(), List.of(), List.of()));
            assertEquals(ServerRequirements.Status.OK, some.status());
            assertTrue(some.actual().contains(db + ".t"), some.actual());
        }
        List<String> warnings = new java.util.ArrayList<>();
        try (BinlogReader reader = BinlogReader.builder(BinlogTestSupport.config(server)).jdbc(server::cdcConnection)
                .filter(TableFilter.of(List.of("nosuchdb"), List.of(), List.of(), List.of(), List.of()))
                .logger(DdlReplayIT.recording(warnings)).build()) {
            reader.start();
        }
        assertTrue(warnings.stream().anyMatch(w -> w.contains("no existing table matches")), warnings.toString());
    }

    private static ServerRequirements.CheckResult find(List<ServerRequirements.CheckResult> results, String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }
}
