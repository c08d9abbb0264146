package dev.nificdc.bench;

final class MemoryBench {
    private MemoryBench() {
    }

    static void run(BenchOptions options, Report report) throws Exception {
        throw new UnsupportedOperationException("MemoryBench is being written");
    }
}
