package dev.nificdc.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Measures this JVM's heap from {@link #start()} on: the heap pools' peak use (reset after a full collection at the
 * start), the most heap in use at one time and the most still in use right after any collection (both from the
 * collectors' notifications; the latter an upper bound of the live data, since a young collection leaves the old
 * generation's garbage in place), and the collections' count and time.
 */
final class MemoryHeapProbe implements AutoCloseable {
    private final List<MemoryPoolMXBean> heapPools;
    private final Set<String> heapPoolNames;
    private final List<GarbageCollectorMXBean> collectors;
    private final long gcCountAtStart;
    private final long gcMillisAtStart;
    private final long baselineBytes;
    private final AtomicLong afterGcMax = new AtomicLong();
    private final AtomicLong beforeGcMax = new AtomicLong();
    private final NotificationListener listener = this::onNotification;

    private MemoryHeapProbe() {
        heapPools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
        heapPoolNames = heapPools.stream().map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        collectors = ManagementFactory.getGarbageCollectorMXBeans();
        System.gc();
        baselineBytes = usedBytes();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        gcCountAtStart = collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
        gcMillisAtStart = collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
        for (GarbageCollectorMXBean collector : collectors) {
            if (collector instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
            }
        }
    }

    /** Collects garbage, resets the pools' peaks and starts listening to the collectors. */
    static MemoryHeapProbe start() {
        return new MemoryHeapProbe();
    }

    /** Heap in use right after the full collection at the start: what the harness held before the measured work. */
    long baselineBytes() {
        return baselineBytes;
    }

    long usedBytes() {
        return heapPools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
    }

    /**
     * The most heap in use at one time since the start: heap use only grows between collections, so its maximum is
     * reached just before one (or now). Unlike {@link #peakHeapBytes()} it never exceeds the maximum heap.
     */
    long inUseMaxBytes() {
        return Math.max(beforeGcMax.get(), usedBytes());
    }

    /**
     * The sum of every heap pool's peak use since the start. The pools peak at different times (eden just before a
     * collection, old generation later), so this can exceed both {@link #inUseMaxBytes()} and the maximum heap.
     */
    long peakHeapBytes() {
        return heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    /** The most heap in use right after any collection since the start. */
    long afterGcMaxBytes() {
        return afterGcMax.get();
    }

    long gcCount() {
        return collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum() - gcCountAtStart;
    }

    long gcMillis() {
        return collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum() - gcMillisAtStart;
    }

    private void onNotification(Notification notification, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        beforeGcMax.accumulateAndGet(heapUsed(info.getGcInfo().getMemoryUsageBeforeGc()), Math::max);
        afterGcMax.accumulateAndGet(heapUsed(info.getGcInfo().getMemoryUsageAfterGc()), Math::max);
    }

    private long heapUsed(Map<String, MemoryUsage> pools) {
        long used = 0;
        for (Map.Entry<String, MemoryUsage> pool : pools.entrySet()) {
            if (heapPoolNames.contains(pool.getKey())) {
                used += pool.getValue().getUsed();
            }
        }
        return used;
    }

    @Override
    public void close() {
        for (GarbageCollectorMXBean collector : collectors) {
            if (collector instanceof NotificationEmitter emitter) {
                try {
                    emitter.removeNotificationListener(listener);
                } catch (ListenerNotFoundException e) {
                    // not registered: nothing to remove
                }
            }
        }
    }
}
