package dev.nificdc.cdc.binlog.schema;

import com.github.shyiko.mysql.binlog.event.TableMapEventData;

import java.util.BitSet;
import java.util.List;

/**
 * A table as {@code information_schema} describes it, in the form of the TABLE_MAP event a server with
 * {@code binlog_row_metadata=FULL} writes for it ({@link TableMapSynthesizer}).
 *
 * @param tableMap       column type codes and metadata, null bitmap, and full metadata: names, signedness, collations,
 *                       ENUM/SET labels, primary key
 * @param declaredTypes  each column's name and type as declared, e.g. {@code `price` decimal(10,2)}, for messages
 * @param uncheckedTypes columns of a type the synthesizer does not know (e.g. MariaDB's UUID): their binlog type is
 *                       not compared
 */
public record TableDefinition(TableMapEventData tableMap, List<String> declaredTypes, BitSet uncheckedTypes) {
    public TableDefinition {
        declaredTypes = List.copyOf(declaredTypes);
        uncheckedTypes = (BitSet) uncheckedTypes.clone();
    }
}
