package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.SourceFields;
import dev.nificdc.cdc.record.SourceInfo;
import org.apache.avro.Schema;

import java.util.List;

import static dev.nificdc.cdc.record.SourceFields.optional;
import static dev.nificdc.cdc.record.SourceFields.required;

/**
 * The source block of a change read from PostgreSQL's WAL through logical replication (or from a snapshot read view),
 * with the field names of Debezium's PostgreSQL connector.
 *
 * @param name      logical server name (the topic prefix)
 * @param tsMs      commit time of the transaction, in epoch milliseconds (for snapshot rows: when the row was read)
 * @param snapshot  "true", "last" or "false" (Debezium's values); "false" while streaming
 * @param db        the database
 * @param schema    the table's schema
 * @param table     the table
 * @param txId      the transaction id (xid), null when unknown (snapshot rows)
 * @param lsn       the LSN of the change's WAL record (for snapshot rows: the read view's position)
 * @param commitLsn the commit LSN of the change's transaction (for snapshot rows: the read view's position): where
 *                  the change lies in the order read views and offsets use
 * @param sequence  Debezium's {@code ["<commit LSN of the previous transaction>","<lsn>"]}, decimal LSNs
 */
public record PgSourceInfo(String name, long tsMs, String snapshot, String db, String schema, String table, Long txId,
                           long lsn, long commitLsn, String sequence) implements SourceInfo {
    public static final String CONNECTOR = "postgresql";

    /** The flattened row's position fields. */
    public static final String SCHEMA = "__schema";
    public static final String LSN = "__lsn";
    public static final String TX_ID = "__txId";

    /** The source block {@code dev.nificdc.cdc.postgres.Source} and the flattened position fields of PostgreSQL changes. */
    public static final SourceFields<PgSourceInfo> FIELDS = new SourceFields<>("dev.nificdc.cdc.postgres.Source",
            List.of(required("schema", Schema.Type.STRING, PgSourceInfo::schema),
                    optional("sequence", Schema.Type.STRING, PgSourceInfo::sequence),
                    optional("txId", Schema.Type.LONG, PgSourceInfo::txId),
                    optional("lsn", Schema.Type.LONG, PgSourceInfo::lsn),
                    optional("xmin", Schema.Type.LONG, source -> null)),
            List.of(required(SCHEMA, Schema.Type.STRING, PgSourceInfo::schema),
                    required(LSN, Schema.Type.LONG, PgSourceInfo::lsn),
                    optional(TX_ID, Schema.Type.LONG, PgSourceInfo::txId)));

    @Override
    public SourceFields<PgSourceInfo> fields() {
        return FIELDS;
    }

    @Override
    public String connector() {
        return CONNECTOR;
    }

    /** The PostgreSQL source block of a change read by this engine. */
    public static PgSourceInfo of(ChangeEvent change) {
        return (PgSourceInfo) change.source();
    }

    /** Debezium's sequence value: the previous transaction's commit LSN and the change's LSN, decimal, as a JSON array. */
    static String sequence(long previousCommitLsn, long lsn) {
        return "[" + (previousCommitLsn == 0 ? "null" : "\"" + Long.toUnsignedString(previousCommitLsn) + "\"") + ",\""
                + Long.toUnsignedString(lsn) + "\"]";
    }
}
