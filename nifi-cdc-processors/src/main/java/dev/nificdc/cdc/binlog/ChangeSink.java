package dev.nificdc.cdc.binlog;

/** Receives the changes the event processor produces, in binlog order. */
@FunctionalInterface
interface ChangeSink {
    void accept(CapturedChange change) throws InterruptedException;
}
