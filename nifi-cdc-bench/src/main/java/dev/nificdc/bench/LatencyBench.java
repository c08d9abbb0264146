package dev.nificdc.bench;

final class LatencyBench {
    private LatencyBench() {
    }

    static void run(BenchOptions options, Report report) throws Exception {
        throw new UnsupportedOperationException("LatencyBench is being written");
    }
}
