package dev.nificdc.cdc.core.engine;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureMetrics;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.SourceOffset;

import java.time.Duration;

/**
 * An open stream of one source's changes, in commit order, each with the offset to store once it is committed
 * downstream. The stream reads ahead; after output that was not committed, close it and open a new one at the stored
 * offset.
 *
 * @param <O> the source's offset type
 */
public interface ChangeStream<O extends SourceOffset<O>> extends AutoCloseable {

    /**
     * The next change, waiting at most {@code timeout}; null when none arrived in time.
     *
     * @throws CaptureException when the stream stopped on an error the user must fix
     */
    CapturedChange<O> poll(Duration timeout) throws InterruptedException;

    /**
     * Output up to {@code offset} (a value {@link #poll} or {@link #position} handed out) has been committed downstream,
     * together with the offset: a source that tells its server what it may release (PostgreSQL's confirmed flush LSN)
     * does so now, and never earlier. Called by the processor's commit callback, possibly on another thread; the default does nothing.
     */
    default void committed(O offset) {
    }

    /** The stream's counters (changes, source timestamps for lag, reconnects). */
    CaptureMetrics metrics();

    /**
     * How far the stream has read the log, at a transaction boundary, once every change read before that point has been
     * handed out by {@code poll}: an offset to store when no change arrives, so that an idle capture's stored position
     * keeps up with the log (and the log can be purged behind it). Null when unknown or while changes read before it
     * still wait to be handed out.
     */
    default O position() {
        return null;
    }

    @Override
    void close();
}
