package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Live streaming behaviour: filters, transaction metadata, a full bounded queue. */
class StreamingIT {
    private static MariaDbServer server;
    private static String db;

    @BeforeAll
    static void setUp() {
        server = MariaDbServer.start();
        db = server.createDatabase("stream");
        server.execute("CREATE TABLE " + db + ".keep (id INT PRIMARY KEY, secret VARCHAR(10), v INT)",
                "CREATE TABLE " + db + ".skip_me (id INT PRIMARY KEY)",
                "CREATE TABLE " + db + ".bulk (id INT PRIMARY KEY)");
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void filtersTablesAndColumnsAndNumbersTransactionEvents() throws Exception {
        String q = Pattern.quote(db);
        TableFilter filter = TableFilter.of(List.of(q), List.of(), List.of(), List.of(q + "\\.skip_.*"), List.of(q + "\\.keep\\.secret"));
        try (BinlogReader reader = BinlogReader.builder(BinlogTestSupport.config(server)).jdbc(server::cdcConnection)
                .filter(filter).startPosition(StartPosition.latest()).build()) {
            reader.start();
            server.execute("BEGIN",
                    "INSERT INTO " + db + ".keep VALUES (1, 'pw', 10), (2, 'pw', 20)",
                    "INSERT INTO " + db + ".skip_me VALUES (1)",
                    "UPDATE " + db + ".keep SET v = 11 WHERE id = 1",
                    "COMMIT");
            List<CapturedChange<BinlogOffset>> changes = BinlogTestSupport.poll(reader, 3);
            BinlogTestSupport.assertNoMore(reader, 300);
            ChangeEvent first = changes.get(0).event();
            assertEquals(List.of("id", "v"), first.schema().columns().stream().map(ColumnSchema::name).toList());
            assertEquals(List.of(1, 10), List.of(first.after()));
            assertEquals(List.of(1, 10), List.of(changes.get(2).event().before()));
            assertEquals(List.of(1, 11), List.of(changes.get(2).event().after()));
            String txId = first.transaction().id();
            for (int i = 0; i < 3; i++) {
                ChangeEvent.TransactionInfo tx = changes.get(i).event().transaction();
                assertEquals(txId, tx.id());
                assertEquals(i + 1, tx.totalOrder());
                assertEquals(i + 1, tx.dataCollectionOrder());
            }
            assertEquals(txId, BinlogSourceInfo.of(first).gtid());
        }
    }

    @Test
    void aFullQueueHoldsTheNetworkThreadWithoutLosingChanges() throws Exception {
        BinlogConnectionConfig config = BinlogConnectionConfig.builder(server.host(), server.port(), MariaDbServer.CDC_USER,
                MariaDbServer.CDC_PASSWORD).serverId(7777).queueCapacity(2).build();
        try (BinlogReader reader = BinlogReader.builder(config).jdbc(server::cdcConnection)
                .filter(TableFilter.of(List.of(Pattern.quote(db)), List.of(), List.of(), List.of(), List.of()))
                .startPosition(StartPosition.latest()).build()) {
            reader.start();
            StringBuilder values = new StringBuilder();
            for (int i = 100; i < 300; i++) {
                values.append(i == 100 ? "" : ",").append('(').append(i).append(')');
            }
            server.execute("INSERT INTO " + db + ".bulk VALUES " + values);
            // back-pressure: the network thread fills the two-slot queue with the first of 200 changes and waits there
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (reader.queuedChanges() < 2) {
                assertTrue(System.nanoTime() < deadline, "the queue never filled up");
                Thread.sleep(10);
            }
            assertEquals(2, reader.queuedChanges(), "the queue holds no more than its capacity");
            List<Integer> ids = new java.util.ArrayList<>();
            for (CapturedChange<BinlogOffset> c : BinlogTestSupport.poll(reader, 200)) {
                ids.add((Integer) c.event().after()[0]);
            }
            assertEquals(IntStream.range(100, 300).boxed().toList(), ids);
            assertNull(reader.poll(Duration.ofMillis(300)));
        }
    }

    @Test
    void anIdleConnectionIsKeptAliveByHeartbeats() throws Exception {
        BinlogConnectionConfig config = BinlogConnectionConfig.builder(server.host(), server.port(), MariaDbServer.CDC_USER,
                MariaDbServer.CDC_PASSWORD).serverId(7778).heartbeatInterval(Duration.ofSeconds(1)).build();
        try (BinlogReader reader = BinlogReader.builder(config).jdbc(server::cdcConnection)
                .filter(TableFilter.of(List.of(Pattern.quote(db)), List.of(), List.of(), List.of(), List.of()))
                .startPosition(StartPosition.latest()).build()) {
            reader.start();
            assertNull(reader.poll(Duration.ofSeconds(5)));
            assertEquals(0, reader.metrics().reconnects(), "the watchdog saw heartbeats and kept the connection");
            server.execute("INSERT INTO " + db + ".keep VALUES (99, 'x', 1)");
            assertEquals(99, BinlogTestSupport.poll(reader, 1).get(0).event().after()[0]);
        }
    }

    @Test
    void zeroDatesAreNullOrTheEpochInNotNullColumns() throws Exception {
        server.execute("CREATE TABLE " + db + ".zero (id INT PRIMARY KEY, d DATE NOT NULL, dt DATETIME(6) NOT NULL, dn DATE NULL)");
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.latest()).build()) {
            reader.start();
            server.execute("SET SESSION sql_mode = ''",
                    "INSERT INTO " + db + ".zero VALUES (1, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00')");
            CapturedChange<BinlogOffset> c = BinlogTestSupport.poll(reader, 1).get(0);
            assertEquals(java.util.Arrays.asList(1, 0, 0L, null), java.util.Arrays.asList(c.event().after()));
        }
    }
}
