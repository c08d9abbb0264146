package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.SourceFields;
import dev.nificdc.cdc.record.SourceInfo;
import org.apache.avro.Schema;

import java.util.List;

import static dev.nificdc.cdc.record.SourceFields.optional;
import static dev.nificdc.cdc.record.SourceFields.required;

/**
 * The source block of a change read from a MySQL/MariaDB binlog (or from a snapshot read view of one), with Debezium's
 * MySQL field names.
 *
 * @param connector "mysql" or "mariadb" ({@link ServerFlavor#connector()})
 * @param name      logical server name (the topic prefix)
 * @param serverId  the originating server id, 0 when unknown
 * @param tsMs      when the change was made on the source (binlog event timestamp), in epoch milliseconds
 * @param snapshot  "true", "last" or "false" (Debezium's values); "false" while streaming
 * @param db        database name
 * @param table     table name
 * @param file      binlog file name (for snapshot rows: the read view's)
 * @param pos       binlog position of the event (for snapshot rows: the read view's)
 * @param row       index of the row within its binlog event
 * @param gtid      GTID of the transaction, null when GTIDs are not in use
 * @param thread    the session/thread id that made the change, null when unknown
 */
public record BinlogSourceInfo(String connector, String name, long serverId, long tsMs, String snapshot, String db,
                               String table, String file, long pos, int row, String gtid, Long thread) implements SourceInfo {

    /** The flattened row's position fields. */
    public static final String FILE = "__file";
    public static final String POS = "__pos";
    public static final String ROW = "__row";
    public static final String GTID = "__gtid";

    /** The source block {@code dev.nificdc.cdc.Source} and flattened position fields of binlog changes. */
    public static final SourceFields<BinlogSourceInfo> FIELDS = new SourceFields<>("dev.nificdc.cdc.Source",
            List.of(required("server_id", Schema.Type.LONG, BinlogSourceInfo::serverId),
                    optional("gtid", Schema.Type.STRING, BinlogSourceInfo::gtid),
                    optional("file", Schema.Type.STRING, BinlogSourceInfo::file),
                    required("pos", Schema.Type.LONG, BinlogSourceInfo::pos),
                    required("row", Schema.Type.INT, BinlogSourceInfo::row),
                    optional("thread", Schema.Type.LONG, BinlogSourceInfo::thread)),
            List.of(optional(FILE, Schema.Type.STRING, BinlogSourceInfo::file),
                    required(POS, Schema.Type.LONG, BinlogSourceInfo::pos),
                    required(ROW, Schema.Type.INT, BinlogSourceInfo::row),
                    optional(GTID, Schema.Type.STRING, BinlogSourceInfo::gtid)));

    @Override
    public SourceFields<BinlogSourceInfo> fields() {
        return FIELDS;
    }

    /** The binlog source block of a change read by the binlog engine. */
    public static BinlogSourceInfo of(ChangeEvent change) {
        return (BinlogSourceInfo) change.source();
    }
}
