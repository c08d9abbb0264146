package dev.nificdc.cdc.core;

import dev.nificdc.cdc.record.Operation;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters a change stream keeps for its processor, whatever the source: changes handed out per operation, the lag
 * behind the source, reconnects and host fail-overs. Thread-safe.
 *
 * <p>Lag is the time between a change's timestamp in the source and its capture: when a change is handed out, and when
 * the stream reads an event (of any table) with nothing waiting to be handed out. When the source says it has nothing
 * more to send (a heartbeat while nothing waits) capture is caught up and the lag is 0: an idle source has no lag, however
 * long ago its last change was.
 */
public final class CaptureMetrics {
    private final Map<Operation, AtomicLong> changes = new EnumMap<>(Operation.class);
    private final AtomicLong lastChangeSourceMillis = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong(-1);
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong failovers = new AtomicLong();
    private volatile boolean connected;

    public CaptureMetrics() {
        for (Operation op : Operation.values()) {
            changes.put(op, new AtomicLong());
        }
    }

    /** A change was handed out; {@code sourceMillis} is when the source made it. */
    public void recordChange(Operation op, long sourceMillis) {
        changes.get(op).incrementAndGet();
        lastChangeSourceMillis.set(sourceMillis);
        recordLag(sourceMillis);
    }

    /** An event made at {@code sourceMillis} (0: unknown) was read while no change waited to be handed out. */
    public void recordEvent(long sourceMillis) {
        recordLag(sourceMillis);
    }

    /** The source has nothing more to send and nothing waits to be handed out. */
    public void recordCaughtUp() {
        lagMillis.set(0);
    }

    /** The connection to the source came up or went down. */
    public void recordConnected(boolean up) {
        connected = up;
    }

    public void recordReconnect() {
        reconnects.incrementAndGet();
    }

    /** Capture moved to another host of the source. */
    public void recordFailover() {
        failovers.incrementAndGet();
    }

    private void recordLag(long sourceMillis) {
        if (sourceMillis > 0) {
            lagMillis.set(Math.max(0, System.currentTimeMillis() - sourceMillis));
        }
    }

    /** Changes of this operation handed out by {@code poll}. */
    public long changes(Operation op) {
        return changes.get(op).get();
    }

    /** Source timestamp (epoch ms) of the last change handed out, 0 before the first. */
    public long lastChangeSourceMillis() {
        return lastChangeSourceMillis.get();
    }

    /** The current lag behind the source in ms (see the class comment); -1 before anything was read. */
    public long lagMillis() {
        return lagMillis.get();
    }

    /** True while the connection to the source is up. */
    public boolean connected() {
        return connected;
    }

    /** Connections re-established after a drop. */
    public long reconnects() {
        return reconnects.get();
    }

    /** Moves to another host after the connected one was lost. */
    public long failovers() {
        return failovers.get();
    }
}
