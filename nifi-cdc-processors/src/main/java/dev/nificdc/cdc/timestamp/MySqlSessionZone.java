package dev.nificdc.cdc.timestamp;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Switches a MySQL/MariaDB session to UTC for the duration of a run and restores the previous setting afterwards.
 * MySQL presents TIMESTAMP columns (instants) as wall-clock text in the session time zone; in a zone with daylight
 * saving that text repeats an hour every autumn, so it is neither exact nor monotonic. In UTC it is both, and the
 * text can be read as an instant.
 */
final class MySqlSessionZone implements AutoCloseable {
    private final Connection connection;
    private final String previous;

    private MySqlSessionZone(Connection connection, String previous) {
        this.connection = connection;
        this.previous = previous;
    }

    static MySqlSessionZone utc(Connection connection) throws SQLException {
        String previous;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT @@session.time_zone")) {
            previous = rs.next() ? rs.getString(1) : null;
        }
        try (Statement s = connection.createStatement()) {
            s.execute("SET time_zone = '+00:00'");
        }
        return new MySqlSessionZone(connection, previous);
    }

    @Override
    public void close() throws SQLException {
        if (previous != null && !previous.equals("+00:00")) {
            try (PreparedStatement ps = connection.prepareStatement("SET time_zone = ?")) {
                ps.setString(1, previous);
                ps.execute();
            }
        }
    }
}
