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
 * @param pos       binlog position of the event (for snapshot rows: the read view's; for the rows of a MySQL 8 compressed
 *                  transaction: the TRANSACTION_PAYLOAD event's)
 * @param row       index of the row within its binlog event (Debezium's {@code row}; a primary-key update's delete and create
 *                  share it)
 * @param index     index of the record among the records read from the event at {@code file:pos}, counted from 0: unlike
 *                  {@code row}, distinct for every record of the event (the delete and the create of a primary-key update,
 *                  the rows of every row event inside one compressed transaction), so {@code (file, pos, index)} is unique
 *                  per streamed record of one server's binlog; null for snapshot rows, which a read view's position does
 *                  not tell apart (their primary key does)
 * @param gtid      GTID of the transaction, null when GTIDs are not in use
 * @param thread    the session/thread id that made the change, null when unknown
 */
public record BinlogSourceInfo(String connector, String name, long serverId, long tsMs, String snapshot, String db,
                               String table, String file, long pos, int row, Integer index, String gtid, Long thread)
        implements SourceInfo {

    /** The flattened row's position fields. */
    public static final String FILE = "__file";
    public static final String POS = "__pos";
    public static final String ROW = "__row";
    public static final String INDEX = "__index";
    public static final String GTID = "__gtid";

    /** The source block {@code dev.nificdc.cdc.Source} and flattened position fields of binlog changes. */
    public static final SourceFields<BinlogSourceInfo> FIELDS = new SourceFields<>("dev.nificdc.cdc.Source",
            List.of(required("server_id", Schema.Type.LONG, BinlogSourceInfo::serverId),
                    optional("gtid", Schema.Type.STRING, BinlogSourceInfo::gtid),
                    optional("file", Schema.Type.STRING, BinlogSourceInfo::file),
                    required("pos", Schema.Type.LONG, BinlogSourceInfo::pos),
                    required("row", Schema.Type.INT, BinlogSourceInfo::row),
                    optional("thread", Schema.Type.LONG, BinlogSourceInfo::thread),
                    optional("index", Schema.Type.INT, BinlogSourceInfo::index)),
            List.of(optional(FILE, Schema.Type.STRING, BinlogSourceInfo::file),
                    required(POS, Schema.Type.LONG, BinlogSourceInfo::pos),
                    required(ROW, Schema.Type.INT, BinlogSourceInfo::row),
                    optional(GTID, Schema.Type.STRING, BinlogSourceInfo::gtid),
                    optional(INDEX, Schema.Type.INT, BinlogSourceInfo::index)));

    /** A source block without a record index (snapshot rows). */
    public BinlogSourceInfo(String connector, String name, long serverId, long tsMs, String snapshot, String db, String table,
                            String file, long pos, int row, String gtid, Long thread) {
        this(connector, name, serverId, tsMs, snapshot, db, table, file, pos, row, null, gtid, thread);
    }

    @Override
    public SourceFields<BinlogSourceInfo> fields() {
        return FIELDS;
    }

    /** The binlog source block of a change read by the binlog engine. */
    public static BinlogSourceInfo of(ChangeEvent change) {
        return (BinlogSourceInfo) change.source();
    }
}
