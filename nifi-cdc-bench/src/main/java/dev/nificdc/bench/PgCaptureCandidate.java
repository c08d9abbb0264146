package dev.nificdc.bench;

/** One way of reading a {@link PgWalRange}: the raw pgjdbc stream, the engine alone, or the processor in NiFi's mock framework. */
interface PgCaptureCandidate {
    /** What one capture measured, and the CPU time the server's walsender spent on it (-1 when unknown). */
    record Run(CaptureMeasurement measurement, long walSenderCpuNanos) {
        double walSenderMicrosPerChange() {
            return walSenderCpuNanos < 0 ? Double.NaN : walSenderCpuNanos / 1e3 / measurement.counted().total();
        }
    }

    /** A short name for the report, e.g. {@code raw-pgjdbc}. */
    String name();

    /** Reads the whole range once from {@code slot}, a fresh copy of the range's template slot, and counts its changes. */
    Run capture(PgWalRange range, String slot) throws Exception;
}
