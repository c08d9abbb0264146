package dev.nificdc.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU time the JVM's Java threads spend while it is open: the capture's threads (NiFi's mock framework runs the
 * processor on a thread pool, the processor reads on a thread of its own that ends with each run), without the garbage
 * collector's and the JIT compiler's threads, which are not Java threads. Sampled every few milliseconds, because a
 * thread's CPU time can no longer be read once it has ended: a thread's last few milliseconds may be missed.
 */
final class JavaThreadCpu implements AutoCloseable {
    static final long SAMPLE_MILLIS = 5;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> baseline = new HashMap<>();
    private final Map<Long, Long> lastSeen = new HashMap<>();
    private final Thread sampler;
    private volatile boolean open = true;

    JavaThreadCpu() {
        for (long id : threads.getAllThreadIds()) {
            long cpu = threads.getThreadCpuTime(id);
            if (cpu >= 0) {
                baseline.put(id, cpu);
            }
        }
        sampler = Thread.ofPlatform().name("bench cpu sampler").daemon().start(this::sample);
    }

    private void sample() {
        while (open) {
            poll();
            try {
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void poll() {
        long self = sampler == null ? -1 : sampler.threadId();
        for (long id : threads.getAllThreadIds()) {
            long cpu = id == self ? -1 : threads.getThreadCpuTime(id);
            if (cpu >= 0) {
                lastSeen.merge(id, cpu, Math::max);
            }
        }
    }

    /** CPU time of the Java threads since this was opened, in nanoseconds. */
    synchronized long nanos() {
        poll();
        long total = 0;
        for (Map.Entry<Long, Long> thread : lastSeen.entrySet()) {
            total += thread.getValue() - baseline.getOrDefault(thread.getKey(), 0L);
        }
        return total;
    }

    @Override
    public void close() throws InterruptedException {
        open = false;
        sampler.join();
    }
}
