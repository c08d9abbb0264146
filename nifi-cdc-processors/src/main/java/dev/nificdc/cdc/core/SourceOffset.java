package dev.nificdc.cdc.core;

import java.util.Map;

/**
 * A resume point in one source's change log (a binlog position, a PostgreSQL LSN): immutable, and ordered within its
 * source, a later point comparing greater. It is stored in the processor state next to the FlowFiles it covers
 * ({@link #toStateMap()}); each source reads its own offsets back from that map (e.g. {@code BinlogOffset.fromStateMap}),
 * so the state keys and their formats belong to the source and never change between versions.
 *
 * @param <O> the source's offset type itself
 */
public interface SourceOffset<O extends SourceOffset<O>> extends Comparable<O> {

    /** The offset as state entries, with the source's own keys; absent values are left out. */
    Map<String, String> toStateMap();
}
