package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.record.ChangeEvent;

import java.util.Objects;

/**
 * One change read from the binlog with the offset to store once it (and everything before it) has been committed
 * downstream. {@code endsTransaction} is true for the last change of its transaction: committing there keeps
 * transactions whole downstream, although any offset is a valid resume point.
 */
public record CapturedChange(ChangeEvent event, BinlogOffset offsetAfter, boolean endsTransaction) {
    public CapturedChange {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(offsetAfter, "offsetAfter");
    }
}
