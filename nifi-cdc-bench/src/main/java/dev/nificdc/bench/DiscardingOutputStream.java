package dev.nificdc.bench;

import java.io.OutputStream;
import java.util.concurrent.atomic.LongAdder;

/**
 * Discards what is written and counts the bytes (safely from several writers): where a benchmark must serialise its
 * records but must not keep them, so neither heap nor disk distorts what it measures.
 */
final class DiscardingOutputStream extends OutputStream {
    private final LongAdder bytes = new LongAdder();

    @Override
    public void write(int b) {
        bytes.increment();
    }

    @Override
    public void write(byte[] b, int off, int len) {
        bytes.add(len);
    }

    long bytes() {
        return bytes.sum();
    }
}
