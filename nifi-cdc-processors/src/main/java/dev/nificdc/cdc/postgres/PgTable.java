package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.postgres.types.PgColumnType;
import dev.nificdc.cdc.postgres.types.PgTypeCatalog;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.TableSchema;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A captured table at one moment of its history: the {@link TableSchema} its rows get and, per captured column, the
 * type that reads the column's text value and where the column sits in the server's rows (excluded columns are left
 * out). The stream builds one from each Relation message, the snapshot from the catalog, with the same rules, so a
 * snapshot row and a streamed row of one table have one schema:
 * <ul>
 *   <li>a column is nullable unless it is NOT NULL and part of the replica identity (every column with REPLICA
 *   IDENTITY FULL): the before-image of other identities carries only the identity columns, the rest are null;</li>
 *   <li>the key (the Kafka key and the snapshot's page order) is the primary key; with REPLICA IDENTITY USING INDEX,
 *   that index's columns.</li>
 * </ul>
 *
 * @param columnTypes  per column of {@code schema}, its type
 * @param sourceIndex  per column of {@code schema}, its index in the server's row
 * @param replicaIdentity 'd' default, 'n' nothing, 'f' full, 'i' index
 */
public record PgTable(int oid, TableSchema schema, PgColumnType[] columnTypes, int[] sourceIndex, char replicaIdentity) {

    /**
     * One column as the server describes it.
     *
     * @param identityKey        part of the replica identity (every column with REPLICA IDENTITY FULL)
     * @param primaryKeyPosition 1-based position in the primary key, 0 when not in it
     */
    public record Column(String name, int typeOid, int typmod, boolean notNull, boolean identityKey, int primaryKeyPosition) {
    }

    public static PgTable of(int oid, String schemaName, String tableName, char replicaIdentity, List<Column> columns,
                             TableFilter filter, PgTypeCatalog types) throws SQLException {
        List<ColumnSchema> schemaColumns = new ArrayList<>();
        List<PgColumnType> columnTypes = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        List<Column> included = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            Column column = columns.get(i);
            if (!filter.includesColumn(schemaName, tableName, column.name())) {
                continue;
            }
            PgColumnType type = types.resolve(column.typeOid(), column.typmod());
            schemaColumns.add(type.column(column.name(), !(column.notNull() && column.identityKey())));
            columnTypes.add(type);
            indexes.add(i);
            included.add(column);
        }
        TableSchema schema = new TableSchema(schemaName, tableName, schemaColumns, key(replicaIdentity, included));
        return new PgTable(oid, schema, columnTypes.toArray(PgColumnType[]::new), indexes.stream().mapToInt(Integer::intValue).toArray(),
                replicaIdentity);
    }

    private static List<String> key(char replicaIdentity, List<Column> columns) {
        if (replicaIdentity == 'i' || replicaIdentity == 'd') {
            List<Column> identity = columns.stream().filter(Column::identityKey).toList();
            if (replicaIdentity == 'i' || identity.stream().allMatch(c -> c.primaryKeyPosition() == 0)) {
                return identity.stream().map(Column::name).toList();
            }
        }
        return columns.stream().filter(c -> c.primaryKeyPosition() > 0)
                .sorted(Comparator.comparingInt(Column::primaryKeyPosition)).map(Column::name).toList();
    }

    /**
     * The canonical values of a server row (text values, one per server column) for the columns of {@link #schema};
     * {@code unchanged} gives the value of a column (index in {@link #schema}) whose value the server did not send.
     */
    Object[] values(String[] serverRow, IntFunction<Object> unchanged) {
        Object[] row = new Object[sourceIndex.length];
        for (int i = 0; i < row.length; i++) {
            String text = serverRow[sourceIndex[i]];
            if (text == PgoutputMessage.TupleData.UNCHANGED) {
                row[i] = unchanged.apply(i);
            } else {
                row[i] = text == null ? null : columnTypes[i].fromText(text);
            }
        }
        return row;
    }
}
