package dev.nificdc.bench;

import java.lang.management.ManagementFactory;

/**
 * What one capture of a {@link BinlogRange} counted, how long it took from start to the last change, and how much CPU
 * time the JVM that captured spent meanwhile ({@code cpuNanos}: the benchmark's own JVM, or NiFi's; -1 when unknown).
 * CPU time per event is steadier than wall time on a shared machine.
 */
record CaptureMeasurement(OrdersWorkload.Counts counted, long nanos, long cpuNanos) {
    double eventsPerSecond() {
        return counted.total() * 1e9 / nanos;
    }

    double cpuMicrosPerEvent() {
        return cpuNanos < 0 ? Double.NaN : cpuNanos / 1e3 / counted.total();
    }

    /** Fails the benchmark when a candidate lost or invented changes: a fast wrong answer is no figure. */
    CaptureMeasurement verifiedAgainst(OrdersWorkload.Counts expected, String candidate) {
        if (!counted.equals(expected)) {
            throw new IllegalStateException(candidate + " counted " + counted + " but the workload wrote " + expected);
        }
        return this;
    }

    /** CPU time this JVM has used so far, in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
