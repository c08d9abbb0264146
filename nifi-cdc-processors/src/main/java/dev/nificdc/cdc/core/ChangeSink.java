package dev.nificdc.cdc.core;

/** Receives the changes a source's event decoding produces, in log order. */
@FunctionalInterface
public interface ChangeSink<O extends SourceOffset<O>> {
    void accept(CapturedChange<O> change) throws InterruptedException;
}
