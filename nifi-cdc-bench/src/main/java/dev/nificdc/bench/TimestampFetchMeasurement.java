package dev.nificdc.bench;

/**
 * One timed fetch of the whole orders table by one candidate.
 *
 * @param rows  rows (records) the candidate produced, verified against the table
 * @param bytes Avro bytes written
 * @param nanos time from the start of the fetch until the last row was written
 */
record TimestampFetchMeasurement(long rows, long bytes, long nanos) {
    double rowsPerSecond() {
        return rows * 1e9 / nanos;
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
        return String.format(java.util.Locale.ROOT, "%d rows, %.1f MB Avro in %.2f s = %.0f rows/s", rows, bytes / 1e6, nanos / 1e9, rowsPerSecond());
    }
}
