package dev.nificdc.cdc.binlog.schema;

import dev.nificdc.cdc.core.JdbcConnector;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads column definitions from {@code information_schema.COLUMNS} and {@code KEY_COLUMN_USAGE}. */
public final class InformationSchemaSource implements SchemaSource {
    private static final String COLUMNS = """
            SELECT COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME FROM information_schema.COLUMNS
            WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION""";
    private static final String PRIMARY_KEY = """
            SELECT COLUMN_NAME, ORDINAL_POSITION FROM information_schema.KEY_COLUMN_USAGE
            WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY'""";

    private final JdbcConnector connector;

    public InformationSchemaSource(JdbcConnector connector) {
        this.connector = connector;
    }

    @Override
    public List<SourceColumn> columns(String database, String table) {
        try (Connection connection = connector.open()) {
            Map<String, Integer> pk = new HashMap<>();
            try (PreparedStatement s = connection.prepareStatement(PRIMARY_KEY)) {
                s.setString(1, database);
                s.setString(2, table);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        pk.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
            List<SourceColumn> columns = new ArrayList<>();
            try (PreparedStatement s = connection.prepareStatement(COLUMNS)) {
                s.setString(1, database);
                s.setString(2, table);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        String name = rs.getString(1);
                        columns.add(new SourceColumn(name, rs.getString(2), rs.getString(3), pk.getOrDefault(name, 0)));
                    }
                }
            }
            return columns;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the definition of " + database + "." + table
                    + " from information_schema: " + e.getMessage()
                    + ". Grant SELECT on the table to the capture user, or enable binlog_row_metadata=FULL.", e);
        }
    }
}
