package dev.nificdc.cdc.core;

import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ChangeSize;

import java.util.Objects;

/**
 * One change read from a source's log with the offset to store once it (and everything before it) has been committed
 * downstream. {@code endsTransaction} is true for the last change of its transaction: committing there keeps
 * transactions whole downstream, although any offset is a valid resume point. {@code estimatedBytes} is the heap the
 * change holds ({@link ChangeSize}), worked out once on the reader's thread for every buffer bounded by bytes.
 *
 * @param <O> the source's offset type
 */
public record CapturedChange<O extends SourceOffset<O>>(ChangeEvent event, O offsetAfter, boolean endsTransaction,
                                                        long estimatedBytes) {
    public CapturedChange {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(offsetAfter, "offsetAfter");
    }

    public CapturedChange(ChangeEvent event, O offsetAfter, boolean endsTransaction) {
        this(event, offsetAfter, endsTransaction, ChangeSize.of(event));
    }
}
