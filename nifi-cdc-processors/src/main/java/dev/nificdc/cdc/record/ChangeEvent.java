package dev.nificdc.cdc.record;

import java.util.Objects;

/**
 * One committed row change, source-neutral. Row arrays follow {@link TableSchema#columns()} order and hold the
 * canonical values of {@link ValueKind}; {@code before} is null for creates and reads, {@code after} is null for deletes.
 *
 * @param transaction the transaction block, or null when the source does not group events into transactions
 */
public record ChangeEvent(Operation op, TableSchema schema, Object[] before, Object[] after, SourceInfo source,
                          long tsMs, TransactionInfo transaction) {
    public ChangeEvent {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(source, "source");
    }

    /**
     * The envelope's {@code transaction} block.
     *
     * @param id                  transaction id (the GTID, or file:position of its start)
     * @param totalOrder          1-based index of this event among all events of the transaction
     * @param dataCollectionOrder 1-based index of this event among the events of the same table in the transaction
     */
    public record TransactionInfo(String id, long totalOrder, long dataCollectionOrder) {
    }
}
