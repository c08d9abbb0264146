package dev.nificdc.cdc.core;

/** Receives the changes the event processor produces, in binlog order. */
@FunctionalInterface
public interface ChangeSink {
    void accept(CapturedChange change) throws InterruptedException;
}
