package dev.nificdc.cdc.core;

import dev.nificdc.cdc.record.Operation;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters a change stream keeps for its processor, whatever the source: changes handed out per operation, the source
 * timestamp of the last one and of the last log event (for lag), reconnects. Thread-safe.
 */
public final class CaptureMetrics {
    private final Map<Operation, AtomicLong> changes = new EnumMap<>(Operation.class);
    private final AtomicLong lastChangeSourceMillis = new AtomicLong();
    private final AtomicLong lastEventSourceMillis = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();

    public CaptureMetrics() {
        for (Operation op : Operation.values()) {
            changes.put(op, new AtomicLong());
        }
    }

    public void recordChange(Operation op, long sourceMillis) {
        changes.get(op).incrementAndGet();
        lastChangeSourceMillis.set(sourceMillis);
    }

    public void recordEvent(long sourceMillis) {
        if (sourceMillis > 0) {
            lastEventSourceMillis.set(sourceMillis);
        }
    }

    public void recordReconnect() {
        reconnects.incrementAndGet();
    }

    /** Changes of this operation handed out by {@code poll}. */
    public long changes(Operation op) {
        return changes.get(op).get();
    }

    /** Source timestamp (epoch ms) of the last change handed out, 0 before the first. */
    public long lastChangeSourceMillis() {
        return lastChangeSourceMillis.get();
    }

    /** Source timestamp (epoch ms) of the last log event received (events without one, such as heartbeats, are ignored); 0 before the first. */
    public long lastEventSourceMillis() {
        return lastEventSourceMillis.get();
    }

    /** How far the last handed-out change lags behind {@code nowMillis}, or -1 before the first change. */
    public long lagMillis(long nowMillis) {
        long last = lastChangeSourceMillis.get();
        return last == 0 ? -1 : Math.max(0, nowMillis - last);
    }

    /** Connections re-established after a drop. */
    public long reconnects() {
        return reconnects.get();
    }
}
