/**
 * The MySQL/MariaDB initial snapshot: {@link dev.nificdc.cdc.binlog.snapshot.ConsistentSnapshot} read views (a
 * consistent-snapshot transaction tied to a binlog position by FLUSH TABLES WITH READ LOCK, or on MariaDB by
 * {@code binlog_snapshot_position}), backtick quoting, rows read as the binlog engine would decode them
 * ({@code JdbcValues}) under the schema a synthesized TABLE_MAP gives them
 * ({@link dev.nificdc.cdc.binlog.schema.TableMapSynthesizer}).
 * {@link dev.nificdc.cdc.binlog.snapshot.MySqlSnapshotSource} is the engine's snapshot source.
 */
package dev.nificdc.cdc.binlog.snapshot;
