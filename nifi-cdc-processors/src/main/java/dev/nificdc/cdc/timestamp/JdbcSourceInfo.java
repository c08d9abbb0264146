package dev.nificdc.cdc.timestamp;

import dev.nificdc.cdc.record.SourceFields;
import dev.nificdc.cdc.record.SourceInfo;

import java.util.List;

/**
 * The source block of a row fetched by timestamp polling: only what every source has. A polled row has no log
 * position, so there are no position fields in the envelope's {@code source} record ({@code dev.nificdc.cdc.jdbc.Source})
 * or in the flattened row.
 *
 * @param name     the logical source name (the topic prefix)
 * @param tsMs     the row's update timestamp, in epoch milliseconds
 * @param snapshot "false": every polled row is a change
 * @param db       the table's database (or schema)
 * @param table    the table's name
 */
public record JdbcSourceInfo(String name, long tsMs, String snapshot, String db, String table) implements SourceInfo {

    /** The layout of timestamp-polled records: no source-specific fields. */
    public static final SourceFields<JdbcSourceInfo> FIELDS = new SourceFields<>("dev.nificdc.cdc.jdbc.Source", List.of(), List.of());

    @Override
    public String connector() {
        return "jdbc";
    }

    @Override
    public SourceFields<JdbcSourceInfo> fields() {
        return FIELDS;
    }
}
