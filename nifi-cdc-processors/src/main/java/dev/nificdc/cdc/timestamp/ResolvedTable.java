package dev.nificdc.cdc.timestamp;

import dev.nificdc.cdc.record.TableSchema;

import java.util.List;

/**
 * A configured table resolved against the database: the names as the database stores them (case folded where the
 * configuration's case did not match), the selected columns and their mapping, and the timestamp type.
 *
 * @param dialect         the SQL dialect in use
 * @param name            the table name as found in the database
 * @param columns         the selected columns, in SELECT order
 * @param schema          the change-record schema of the selected columns
 * @param timestampIndex  0-based index of the timestamp column in {@code columns}
 * @param idIndex         0-based index of the id column, or -1
 * @param creationIndex   0-based index of the creation column, or -1
 * @param softDeleteIndex 0-based index of the soft-delete column, or -1
 * @param timestampType   how the timestamp column is read and compared
 */
public record ResolvedTable(SqlDialect dialect, TableName name, List<JdbcColumnMapper.MappedColumn> columns,
                            TableSchema schema, int timestampIndex, int idIndex, int creationIndex, int softDeleteIndex,
                            TimestampType timestampType) {
    public ResolvedTable {
        columns = List.copyOf(columns);
    }

    /** Whether the timestamp column is a MySQL/MariaDB TIMESTAMP (an instant shown in the session zone), not a DATETIME. */
    public boolean mysqlTimestampColumn() {
        return dialect == SqlDialect.MYSQL && "TIMESTAMP".equalsIgnoreCase(columns.get(timestampIndex).typeName());
    }

    public String quotedTable() {
        return name.quoted(dialect);
    }

    public String quotedColumn(int index) {
        return dialect.quote(columns.get(index).schema().name());
    }

    public String selectList() {
        return String.join(", ", columns.stream()
                .map(c -> dialect.selectExpression(dialect.quote(c.schema().name()), c.jdbcType(), c.typeName())).toList());
    }
}
