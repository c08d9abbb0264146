package dev.nificdc.bench;

/**
 * One timed fetch of the whole orders table by one candidate.
 *
 * @param rows  rows (records) the candidate produced, verified against the table
 * @param bytes Avro bytes written
 * @param nanos time from the start of the fetch until the last row was written
 * @param cpuNanos CPU time the benchmark's JVM (the client: JDBC driver, processor, NiFi's writer, the garbage
 *              collector, the JIT compiler) spent meanwhile; the database servers are processes of their own
 * @param captureCpuNanos CPU time of the JVM's Java threads meanwhile ({@link JavaThreadCpu}): the capture's threads,
 *              without the garbage collector's and the JIT compiler's, so steadier
 */
record TimestampFetchMeasurement(long rows, long bytes, long nanos, long cpuNanos, long captureCpuNanos) {
    double rowsPerSecond() {
        return rows * 1e9 / nanos;
    }

    /** Client CPU time per row, in microseconds: much steadier than wall time on a shared machine. */
    double cpuMicrosPerRow() {
        return cpuNanos / 1e3 / rows;
    }

    /** CPU time of the Java threads per row, in microseconds. */
    double captureCpuMicrosPerRow() {
        return captureCpuNanos / 1e3 / rows;
    }

    /** Fails the benchmark when a candidate lost or invented rows: a fast wrong answer is no figure. */
    TimestampFetchMeasurement verifiedAgainst(long expectedRows, String candidate) {
        if (rows != expectedRows) {
            throw new IllegalStateException(candidate + " produced " + rows + " rows but the table holds " + expectedRows);
        }
        return this;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%d rows, %.1f MB Avro in %.2f s = %.0f rows/s, CPU/row %.2f us (Java threads) "
                + "%.2f us (JVM)", rows, bytes / 1e6, nanos / 1e9, rowsPerSecond(), captureCpuMicrosPerRow(), cpuMicrosPerRow());
    }
}
