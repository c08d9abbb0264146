package dev.nificdc.cdc.core;

import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ChangeSize;
import dev.nificdc.cdc.record.SchemaChange;

import java.util.Objects;

/**
 * One change read from a source's log with the offset to store once it (and everything before it) has been committed
 * downstream: a row change ({@code event}) or, when the source is asked for them, a schema change
 * ({@code schemaChange}); exactly one of the two is set. {@code endsTransaction} is true for the last change of its
 * transaction: committing there keeps transactions whole downstream, although any offset is a valid resume point.
 * {@code estimatedBytes} is the heap the change holds ({@link ChangeSize}), worked out once on the reader's thread for
 * every buffer bounded by bytes.
 *
 * @param <O> the source's offset type
 */
public record CapturedChange<O extends SourceOffset<O>>(ChangeEvent event, SchemaChange schemaChange, O offsetAfter,
                                                        boolean endsTransaction, long estimatedBytes) {
    public CapturedChange {
        if ((event == null) == (schemaChange == null)) {
            throw new IllegalArgumentException("A captured change is a row change or a schema change");
        }
        Objects.requireNonNull(offsetAfter, "offsetAfter");
    }

    public CapturedChange(ChangeEvent event, O offsetAfter, boolean endsTransaction) {
        this(event, null, offsetAfter, endsTransaction, ChangeSize.of(event));
    }

    /** A row change whose heap size the reader has already worked out. */
    public CapturedChange(ChangeEvent event, O offsetAfter, boolean endsTransaction, long estimatedBytes) {
        this(event, null, offsetAfter, endsTransaction, estimatedBytes);
    }

    /** A schema change, which ends its own transaction (DDL commits implicitly). */
    public static <O extends SourceOffset<O>> CapturedChange<O> of(SchemaChange schemaChange, O offsetAfter) {
        return new CapturedChange<>(null, schemaChange, offsetAfter, true, ChangeSize.of(schemaChange));
    }
}
