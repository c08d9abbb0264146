/**
 * The initial snapshot, source-neutral: a source opens consistent {@link dev.nificdc.cdc.core.snapshot.ReadView read
 * views} tied to log positions (MySQL: a consistent-snapshot transaction at a binlog position; PostgreSQL: a slot's
 * exported snapshot at an LSN), and {@link dev.nificdc.cdc.core.snapshot.SnapshotProgress} records which key ranges
 * and tables were read in which view, so a snapshot resumes across restarts in later views and streaming drops exactly
 * the changes a view already contains. Tables are named by {@link dev.nificdc.cdc.core.snapshot.SnapshotTable}; pages
 * are keyed by {@link dev.nificdc.cdc.core.snapshot.SnapshotKey}. How a source quotes SQL is its own business.
 */
package dev.nificdc.cdc.core.snapshot;
