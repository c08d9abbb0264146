/**
 * What every capture source shares, without NiFi types and without any source's engine: the captured change
 * ({@link dev.nificdc.cdc.core.CapturedChange}: a change event with the {@link dev.nificdc.cdc.core.SourceOffset} to
 * store after it), the table filter, the JDBC connector, the logger the processors adapt, the counters and the
 * user-facing {@link dev.nificdc.cdc.core.CaptureException}.
 *
 * <h2>Packages</h2>
 * <ul>
 *   <li>{@code core}: the change model around {@link dev.nificdc.cdc.record.ChangeEvent} and the offsets;</li>
 *   <li>{@code core.snapshot}: the initial snapshot's bookkeeping ({@link dev.nificdc.cdc.core.snapshot.SnapshotProgress})
 *   over any source's read views ({@link dev.nificdc.cdc.core.snapshot.ReadView},
 *   {@link dev.nificdc.cdc.core.snapshot.SnapshotSource});</li>
 *   <li>{@code core.engine}: the {@link dev.nificdc.cdc.core.engine.CaptureCoordinator} that runs a snapshot source and a
 *   {@link dev.nificdc.cdc.core.engine.StreamingSource} run by run, for a processor to commit.</li>
 * </ul>
 * A source implements {@link dev.nificdc.cdc.core.SourceOffset}, {@link dev.nificdc.cdc.core.snapshot.LogPositions},
 * {@link dev.nificdc.cdc.core.snapshot.SnapshotSource} with its {@link dev.nificdc.cdc.core.snapshot.ReadView},
 * {@link dev.nificdc.cdc.core.engine.StreamingSource} with its {@link dev.nificdc.cdc.core.engine.ChangeStream}, and a
 * {@link dev.nificdc.cdc.record.SourceInfo} with its {@link dev.nificdc.cdc.record.SourceFields} layout. MySQL/MariaDB's
 * are in {@code dev.nificdc.cdc.binlog}; nothing here imports a source (checked by {@code PackageDependencyTest}).
 */
package dev.nificdc.cdc.core;
