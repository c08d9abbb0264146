/**
 * MySQL/MariaDB binlog capture without NiFi types: connection, event handling, offsets and errors. Everything the
 * engine asks the server goes through {@link dev.nificdc.cdc.binlog.MySqlServer}; records get the
 * {@link dev.nificdc.cdc.binlog.BinlogSourceInfo} source block. For the capture coordinator of
 * {@code dev.nificdc.cdc.core.engine}, {@link dev.nificdc.cdc.binlog.BinlogStreamingSource} streams a
 * {@link dev.nificdc.cdc.binlog.BinlogSourceConfig} source and {@link dev.nificdc.cdc.binlog.BinlogPositions} places
 * binlog positions in the snapshot state; the snapshot is in {@code binlog.snapshot}.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * BinlogReader reader = BinlogReader.builder(BinlogConnectionConfig.builder(host, port, user, password).serverId(id).build())
 *         .filter(TableFilter.of(includeDbs, excludeDbs, includeTables, excludeTables, excludeColumns))
 *         .resumeFrom(BinlogOffset.fromStateMap(state))      // null on first run: startPosition applies
 *         .startPosition(StartPosition.latest())
 *         .jdbc(connector)                                    // server checks, collations, information_schema fallback
 *         .logger(componentLogAdapter)
 *         .build();
 * reader.start();                                             // throws BinlogCaptureException with a reason and a fix
 * CapturedChange<BinlogOffset> change = reader.poll(Duration.ofMillis(100)); // null when nothing arrived
 * // ... write change.event(); after the session commits, store change.offsetAfter().toStateMap()
 * reader.close();
 * }</pre>
 *
 * <h2>Delivery</h2>
 * Every {@link dev.nificdc.cdc.core.CapturedChange#offsetAfter()} is a valid resume point: a reader built with it
 * emits exactly the changes after that one, also inside a transaction (the offset names the transaction start and the
 * number of its changes already emitted). Committing at {@code endsTransaction} keeps transactions whole downstream.
 * Changing the table filter while an offset points inside a transaction shifts what "already emitted" counts; change
 * filters between transactions.
 *
 * <h2>Values</h2>
 * Rows hold the canonical values of {@link dev.nificdc.cdc.record.ValueKind}: unsigned integers widened (BIGINT
 * UNSIGNED as decimal(20,0)), text decoded with each column's charset (MySQL latin1 = Windows-1252), ENUM/SET as labels,
 * JSON as text, DATE as epoch days, DATETIME as wall-clock micros, TIMESTAMP as UTC micros, TIME as signed micros,
 * BIT(1) as Boolean, BIT(n) as big-endian bytes, BINARY(n) padded with 0x00 to n bytes, GEOMETRY as WKB without
 * MySQL's 4-byte SRID prefix. Zero dates ({@code 0000-00-00}) become null. An update of the primary key is a delete
 * followed by a create.
 *
 * <h2>Schema</h2>
 * With {@code binlog_row_metadata=FULL} each row's columns come from the TABLE_MAP event written with it, so replays
 * across ALTER TABLE are exact; without it, from {@code information_schema} (the table as it is now) with a warning,
 * or positional names {@code col_1, col_2, ...} when no JDBC access is given.
 */
package dev.nificdc.cdc.binlog;
