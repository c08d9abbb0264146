package dev.nificdc.bench;

/** What one capture of a {@link BinlogRange} counted, and how long it took from start to the last change. */
record CaptureMeasurement(OrdersWorkload.Counts counted, long nanos) {
    double eventsPerSecond() {
        return counted.total() * 1e9 / nanos;
    }

    /** Fails the benchmark when a candidate lost or invented changes: a fast wrong answer is no figure. */
    CaptureMeasurement verifiedAgainst(OrdersWorkload.Counts expected, String candidate) {
        if (!counted.equals(expected)) {
            throw new IllegalStateException(candidate + " counted " + counted + " but the workload wrote " + expected);
        }
        return this;
    }
}
