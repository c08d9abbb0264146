/**
 * The capture engine every source runs in: {@link dev.nificdc.cdc.core.engine.CaptureCoordinator} drives a
 * {@link dev.nificdc.cdc.core.snapshot.SnapshotSource} and a {@link dev.nificdc.cdc.core.engine.StreamingSource} one
 * run at a time and hands each run of changes of one table to a {@link dev.nificdc.cdc.core.engine.ChangeRunWriter};
 * the returned {@link dev.nificdc.cdc.core.engine.CaptureRun} holds the state to commit together with that output.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * CaptureCoordinator<BinlogOffset> coordinator = new CaptureCoordinator<>(snapshotSource, streamingSource,
 *         new CaptureCoordinator.Config(SnapshotPolicy.INITIAL, 10_000, Duration.ofSeconds(1)), logger);
 * CaptureRun run = coordinator.run(storedState, (changes, sequenceId) -> writeFlowFile(changes, sequenceId));
 * if (run.state() != null) {
 *     // store run.state() in the same commit as the FlowFiles; on a failed commit: coordinator.discardUncommitted()
 * }
 * }</pre>
 */
package dev.nificdc.cdc.core.engine;
