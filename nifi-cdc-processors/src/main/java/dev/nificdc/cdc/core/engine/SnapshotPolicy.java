package dev.nificdc.cdc.core.engine;

/** When the coordinator reads the existing rows of the captured tables (Debezium's snapshot modes). */
public enum SnapshotPolicy {
    /** Without a stored offset: snapshot, then stream from the snapshot's position. */
    INITIAL,
    /** Like {@link #INITIAL}, and again when the stored offset is no longer in the log. */
    WHEN_NEEDED,
    /** Without a stored offset: no snapshot; stream from the current end of the log. */
    NO_DATA,
    /** Without a stored offset: no snapshot; stream from where the streaming source's configuration says. */
    NEVER
}
