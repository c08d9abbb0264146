package dev.nificdc.cdc.binlog.schema;

import com.github.shyiko.mysql.binlog.event.TableMapEventData;

import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A table as {@code information_schema} describes it, in the form of the TABLE_MAP event a server with
 * {@code binlog_row_metadata=FULL} writes for it ({@link TableMapSynthesizer}).
 *
 * @param tableMap       column type codes and metadata, null bitmap, and full metadata: names, signedness, collations,
 *                       ENUM/SET labels, primary key
 * @param columnTypes    each column's type as declared ({@code COLUMN_TYPE}, e.g. {@code decimal(10,2) unsigned})
 * @param uncheckedTypes columns of a type the synthesizer does not know (e.g. MariaDB's UUID): their binlog type is
 *                       not compared
 */
public record TableDefinition(TableMapEventData tableMap, List<String> columnTypes, BitSet uncheckedTypes) {
    public TableDefinition {
        columnTypes = List.copyOf(columnTypes);
        uncheckedTypes = (BitSet) uncheckedTypes.clone();
    }

    /** The column names, in order. */
    public List<String> columnNames() {
        return tableMap.getEventMetadata().getColumnNames();
    }

    /** Whether the column accepts NULL. */
    public boolean nullable(int column) {
        return tableMap.getColumnNullability().get(column);
    }

    /** The primary-key columns, in key order (empty without a primary key). */
    public List<String> primaryKey() {
        List<Integer> key = tableMap.getEventMetadata().getSimplePrimaryKeys();
        return key == null ? List.of() : key.stream().map(columnNames()::get).toList();
    }

    /** Each column as {@code `name` type}, for messages. */
    List<String> declaredColumns() {
        return IntStream.range(0, columnTypes.size()).mapToObj(i -> "`" + columnNames().get(i) + "` " + columnTypes.get(i)).toList();
    }
}
