package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.binlog.schema.SchemaSource;
import dev.nificdc.cdc.binlog.schema.TableDefinition;
import dev.nificdc.cdc.binlog.schema.TableMapSynthesizer;
import dev.nificdc.cdc.core.JdbcConnector;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** Table definitions read from the server's {@code information_schema} ({@link TableMapSynthesizer}) over JDBC. */
public final class InformationSchemaSource implements SchemaSource {
    private final JdbcConnector connector;

    public InformationSchemaSource(JdbcConnector connector) {
        this.connector = connector;
    }

    @Override
    public TableDefinition describe(String database, String table) {
        try (Connection connection = connector.open()) {
            return TableMapSynthesizer.describe(connection, database, table);
        } catch (SQLException e) {
            throw unreadable(database, table, e);
        }
    }

    /** Reads the definition, then the binlog end: when that is still {@code file:position}, nothing changed in between. */
    @Override
    public TableDefinition describeAt(String database, String table, String file, long position) {
        try (Connection connection = connector.open()) {
            TableDefinition definition = TableMapSynthesizer.describe(connection, database, table);
            Optional<BinlogOffset> end = new MySqlServer(connection).binlogPosition();
            boolean current = end.isPresent() && end.get().file().equals(file) && end.get().position() == position;
            return current ? definition : null;
        } catch (SQLException e) {
            throw unreadable(database, table, e);
        }
    }

    private static IllegalStateException unreadable(String database, String table, SQLException e) {
        return new IllegalStateException("Could not read the definition of " + database + "." + table
                + " from information_schema: " + e.getMessage()
                + ". Grant SELECT on the table to the capture user, or enable binlog_row_metadata=FULL.", e);
    }
}
