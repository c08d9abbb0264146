package dev.nificdc.cdc.timestamp;

import dev.nificdc.cdc.record.TableSchema;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Resolves a {@link FetchConfig} against a live database: finds the table (as written, else folded to lower or upper
 * case, the way PostgreSQL and Oracle store unquoted names), matches the configured columns, checks the types of the
 * timestamp and id columns, and looks for an index that serves the query.
 */
public final class TableInspector {
    private TableInspector() {
    }

    /** The dialect to use: the configured one, or the one detected from the connection's product name. */
    public static SqlDialect dialect(Connection connection, SqlDialect configured) throws SQLException {
        return configured != null ? configured : SqlDialect.detect(connection.getMetaData().getDatabaseProductName());
    }

    /**
     * @throws TableConfigurationException when the table or a column cannot be found or has an unusable type
     */
    public static ResolvedTable resolve(Connection connection, FetchConfig config) throws SQLException {
        SqlDialect dialect = dialect(connection, config.dialect());
        TableName found = null;
        List<JdbcColumnMapper.MappedColumn> all = null;
        SQLException firstFailure = null;
        for (TableName candidate : new LinkedHashSet<>(List.of(config.table(), config.table().withCase(false), config.table().withCase(true)))) {
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT * FROM " + candidate.quoted(dialect) + " WHERE 1=0")) {
                all = JdbcColumnMapper.map(rs.getMetaData(), dialect);
                found = candidate;
                break;
            } catch (SQLException e) {
                if (firstFailure == null) {
                    firstFailure = e;
                }
                rollbackQuietly(connection);
            }
        }
        if (found == null) {
            throw new TableConfigurationException("Table [" + config.table() + "] was not found or cannot be read ("
                    + firstFailure.getMessage() + "); check Table Name (qualify it as schema.table if needed) and the user's SELECT privilege", firstFailure);
        }
        Map<String, Integer> byName = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            byName.put(all.get(i).schema().name(), i);
        }

        List<Integer> selected = new ArrayList<>();
        if (config.columns().isEmpty()) {
            for (int i = 0; i < all.size(); i++) {
                selected.add(i);
            }
        } else {
            for (String column : config.columns()) {
                addIfAbsent(selected, find(byName, column, "Columns to Return", found));
            }
        }
        int tsAll = find(byName, config.timestampColumn(), "Timestamp Column", found);
        addIfAbsent(selected, tsAll);
        int idAll = config.idColumn() == null ? -1 : find(byName, config.idColumn(), "Incrementing Column", found);
        if (idAll >= 0) {
            addIfAbsent(selected, idAll);
        }
        int createdAll = config.creationColumn() == null ? -1 : find(byName, config.creationColumn(), "Creation Timestamp Column", found);
        if (createdAll >= 0) {
            addIfAbsent(selected, createdAll);
        }
        int deletedAll = config.softDeleteColumn() == null ? -1 : find(byName, config.softDeleteColumn(), "Soft Delete Column", found);
        if (deletedAll >= 0) {
            addIfAbsent(selected, deletedAll);
        }

        JdbcColumnMapper.MappedColumn ts = all.get(tsAll);
        TimestampType tsType = TimestampType.of(ts.jdbcType(), ts.typeName());
        if (tsType == null) {
            throw new TableConfigurationException("Timestamp Column [" + ts.schema().name() + "] of " + found + " has type "
                    + ts.typeName() + "; it must be a TIMESTAMP, DATETIME, TIMESTAMP WITH TIME ZONE or DATE column");
        }
        if (idAll >= 0 && !isUsableId(all.get(idAll).jdbcType())) {
            throw new TableConfigurationException("Incrementing Column [" + all.get(idAll).schema().name() + "] of " + found
                    + " has type " + all.get(idAll).typeName() + "; it must be an integer, decimal or character column");
        }

        List<JdbcColumnMapper.MappedColumn> columns = selected.stream().map(all::get).toList();
        List<String> names = columns.stream().map(c -> c.schema().name()).toList();
        List<String> primaryKey = primaryKey(connection, dialect, found);
        if (primaryKey.isEmpty() || !names.containsAll(primaryKey)) {
            primaryKey = idAll >= 0 ? List.of(all.get(idAll).schema().name()) : List.of();
        }
        String database = found.schema() != null ? found.schema() : currentSchema(connection, dialect);
        TableSchema schema = new TableSchema(database, found.table(), columns.stream().map(JdbcColumnMapper.MappedColumn::schema).toList(), primaryKey);
        return new ResolvedTable(dialect, found, columns, schema, selected.indexOf(tsAll), selected.indexOf(idAll),
                selected.indexOf(createdAll), selected.indexOf(deletedAll), tsType);
    }

    static boolean isUsableId(int jdbcType) {
        return switch (jdbcType) {
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.NUMERIC, Types.DECIMAL,
                 Types.CHAR, Types.VARCHAR, Types.NCHAR, Types.NVARCHAR -> true;
            default -> false;
        };
    }

    /** An index whose leading columns are (timestamp[, id]), or null when none was found. */
    public static String findIndex(Connection connection, ResolvedTable table) throws SQLException {
        String tsName = table.columns().get(table.timestampIndex()).schema().name();
        String idName = table.idIndex() >= 0 ? table.columns().get(table.idIndex()).schema().name() : null;
        Map<String, Map<Short, String>> indexes = new LinkedHashMap<>();
        DatabaseMetaData md = connection.getMetaData();
        String[] catSchema = catalogAndSchema(connection, table.dialect(), table.name());
        try (ResultSet rs = md.getIndexInfo(catSchema[0], catSchema[1], table.name().table(), false, true)) {
            while (rs.next()) {
                String index = rs.getString("INDEX_NAME");
                String column = rs.getString("COLUMN_NAME");
                if (index == null || column == null) {
                    continue;
                }
                indexes.computeIfAbsent(index, k -> new java.util.TreeMap<>()).put(rs.getShort("ORDINAL_POSITION"), column);
            }
        }
        for (Map.Entry<String, Map<Short, String>> index : indexes.entrySet()) {
            List<String> cols = new ArrayList<>(index.getValue().values());
            if (!cols.isEmpty() && cols.getFirst().equalsIgnoreCase(tsName)
                    && (idName == null || cols.size() >= 2 && cols.get(1).equalsIgnoreCase(idName))) {
                return index.getKey() + " " + cols;
            }
        }
        return null;
    }

    private static List<String> primaryKey(Connection connection, SqlDialect dialect, TableName table) {
        try {
            String[] catSchema = catalogAndSchema(connection, dialect, table);
            Map<Short, String> key = new java.util.TreeMap<>();
            try (ResultSet rs = connection.getMetaData().getPrimaryKeys(catSchema[0], catSchema[1], table.table())) {
                while (rs.next()) {
                    key.put(rs.getShort("KEY_SEQ"), rs.getString("COLUMN_NAME"));
                }
            }
            return List.copyOf(key.values());
        } catch (SQLException e) {
            return List.of();
        }
    }

    /** The catalog and schema arguments for DatabaseMetaData calls (MySQL calls its databases catalogs). */
    static String[] catalogAndSchema(Connection connection, SqlDialect dialect, TableName table) throws SQLException {
        if (dialect == SqlDialect.MYSQL) {
            return new String[]{table.schema() != null ? table.schema() : connection.getCatalog(), null};
        }
        return new String[]{table.catalog(), table.schema() != null ? table.schema() : currentSchema(connection, dialect)};
    }

    private static String currentSchema(Connection connection, SqlDialect dialect) throws SQLException {
        if (dialect == SqlDialect.MYSQL) {
            return connection.getCatalog();
        }
        try {
            return connection.getSchema();
        } catch (SQLException | AbstractMethodError e) {
            return null;
        }
    }

    private static int find(Map<String, Integer> byName, String column, String property, TableName table) {
        Integer exact = byName.get(column);
        if (exact != null) {
            return exact;
        }
        List<Integer> folded = byName.entrySet().stream()
                .filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(column.toLowerCase(Locale.ROOT)))
                .map(Map.Entry::getValue).toList();
        if (folded.size() == 1) {
            return folded.getFirst();
        }
        throw new TableConfigurationException(property + " [" + column + "] is not a column of " + table
                + (folded.size() > 1 ? " (several columns match it ignoring case; give the exact case)" : "")
                + "; its columns are " + byName.keySet());
    }

    private static void addIfAbsent(List<Integer> list, int value) {
        if (!list.contains(value)) {
            list.add(value);
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is unusable anyway; the caller reports the original failure
        }
    }

}
