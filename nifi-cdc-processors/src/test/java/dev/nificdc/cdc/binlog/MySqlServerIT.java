package dev.nificdc.cdc.binlog;

import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the engine asks the server, against the real MariaDB. MariaDB knows {@code SHOW MASTER STATUS} but not MySQL
 * 8.4's {@code SHOW BINARY LOG STATUS}, so asking in the reverse order exercises the fall-back decision MySQL 8.4+
 * needs (where the first statement is the unknown one) on a real server's real error.
 */
class MySqlServerIT {
    private static MariaDbServer server;

    @BeforeAll
    static void setUp() {
        server = MariaDbServer.start();
        String db = server.createDatabase("server");
        server.execute("CREATE TABLE " + db + ".t (id INT PRIMARY KEY)", "INSERT INTO " + db + ".t VALUES (1)");
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void readsTheBinlogPositionWithTheStatementTheServerKnows() throws Exception {
        try (Connection c = server.cdcConnection()) {
            BinlogOffset expected = masterStatus(c).withGtidSet(scalar(c, "SELECT @@gtid_binlog_pos"));
            assertFalse(expected.gtidSet().isEmpty(), "the test server has written GTIDs");
            MySqlServer mariaDb = new MySqlServer(c);
            assertEquals(expected, mariaDb.binlogPosition().orElseThrow(), "position and the GTIDs before it");
            // MySQL 8.4 mirrored: the first statement asked is one this server does not know, so the next one answers
            assertEquals(expected, mariaDb.binlogPosition(List.of("SHOW BINARY LOG STATUS", "SHOW MASTER STATUS")).orElseThrow());
        }
    }

    @Test
    void aStatementNoServerKnowsIsASyntaxErrorThatIsNotHidden() throws Exception {
        try (Connection c = server.cdcConnection()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> new MySqlServer(c).binlogPosition(List.of("SHOW BINARY LOG STATUS")));
            assertEquals(1064, e.getErrorCode(), "MariaDB does not know MySQL 8.4's statement: " + e.getMessage());
        }
    }

    @Test
    void aMissingPrivilegeIsReportedAsItIsInsteadOfFallingBack() throws Exception {
        server.execute("CREATE USER 'nopos'@'%' IDENTIFIED BY 'nopos-Pw-1'", "GRANT SELECT ON *.* TO 'nopos'@'%'");
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(null), "nopos", "nopos-Pw-1")) {
            SQLException e = assertThrows(SQLException.class, () -> new MySqlServer(c).binlogPosition());
            assertNotEquals(1064, e.getErrorCode());
            assertTrue(e.getMessage().toUpperCase().contains("BINLOG MONITOR") || e.getMessage().toUpperCase().contains("SUPER"),
                    "the server's own privilege error: " + e.getMessage());
        }
    }

    @Test
    void answersFlavourServerIdCollationsAndGtids() throws Exception {
        try (Connection c = server.cdcConnection()) {
            MySqlServer mariaDb = new MySqlServer(c);
            assertEquals(ServerFlavor.MARIADB, mariaDb.flavor());
            assertTrue(mariaDb.version().startsWith(MariaDbServer.SERVER_VERSION), mariaDb.version());
            assertEquals(scalarLong(c, "SELECT @@server_id"), mariaDb.serverId());
            assertEquals("utf8mb4", mariaDb.collations().get(45), "collation 45 is utf8mb4_general_ci");
            assertEquals("ROW", mariaDb.variable("binlog_format"));
            assertNotNull(mariaDb.gtidBinlogPosition());
            assertEquals(null, mariaDb.gtidMode(), "MariaDB has no gtid_mode variable");
            assertTrue(mariaDb.grants().stream().anyMatch(g -> g.contains("REPLICATION SLAVE")), mariaDb.grants().toString());
        }
        assertEquals(ServerFlavor.MYSQL, ServerFlavor.ofVersion("8.4.3"));
        assertEquals(ServerFlavor.MARIADB, ServerFlavor.ofVersion("10.11.5-MariaDB-log"));
    }

    private static BinlogOffset masterStatus(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
            assertTrue(rs.next(), "the test server writes a binlog");
            return BinlogOffset.at(rs.getString(1), rs.getLong(2));
        }
    }

    @Test
    void tellsTheGtidPositionAtAnyEventBoundaryAndWhichServerItIs() throws Exception {
        try (Connection c = server.cdcConnection()) {
            MySqlServer mariaDb = new MySqlServer(c);
            BinlogOffset before = masterStatus(c);
            String gtidsBefore = scalar(c, "SELECT @@gtid_binlog_pos");
            server.execute("CREATE DATABASE IF NOT EXISTS gtid_probe", "DROP DATABASE gtid_probe");
            assertEquals(gtidsBefore, mariaDb.gtidPositionAt(before), "the GTIDs written before a position stay what they were");
            assertEquals(scalar(c, "SELECT @@gtid_binlog_pos"), mariaDb.gtidPositionAt(masterStatus(c)));
            assertNull(mariaDb.gtidPositionAt(BinlogOffset.at(before.file(), before.position() + 1)),
                    "inside an event the position is unknown");

            ServerIdentity identity = mariaDb.identity();
            assertEquals(scalarLong(c, "SELECT @@server_id"), identity.serverId());
            assertEquals(scalar(c, "SELECT @@hostname") + ":" + server.port(), identity.instance(),
                    "MariaDB has no server_uuid: host name and port tell servers with one server id apart");
        }
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long scalarLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
