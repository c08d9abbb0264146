package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MariaDB with binlog compression ({@code log_bin_compress=ON}, {@code log_bin_compress_min_len=100}): row events and
 * statements of at least 100 bytes are written compressed, smaller ones plain. Every change arrives, in order, with
 * its values, and compressed statements (DDL) take effect as plain ones do.
 */
class CompressedBinlogIT {
    private static MariaDbServer server;

    @BeforeAll
    static void startServer() {
        server = MariaDbServer.start(new MariaDbServer.Options().arg("--log-bin-compress=ON").arg("--log-bin-compress-min-len=100"));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static String text(int id) {
        return "row " + id + " " + "x".repeat(id % 7 == 0 ? 1 : 150);
    }

    @Test
    void everyOperationOfAMultiRowTransactionArrivesInOrder() throws Exception {
        String db = server.createDatabase("compressed");
        String t = db + ".t";
        server.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, v VARCHAR(400), n BIGINT UNSIGNED)");
        RawBinlog.Current start = RawBinlog.current(server);
        try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.latest()).build()) {
            reader.start();
            StringBuilder values = new StringBuilder();
            for (int id = 1; id <= 60; id++) {
                values.append(id == 1 ? "" : ",").append("(").append(id).append(", '").append(text(id)).append("', 18446744073709551615)");
            }
            server.execute("START TRANSACTION",
                    "INSERT INTO " + t + " VALUES " + values,
                    "UPDATE " + t + " SET v = CONCAT(v, '!'), n = id WHERE id <= 20",
                    "DELETE FROM " + t + " WHERE id > 50",
                    "COMMIT",
                    "INSERT INTO " + t + " VALUES (100, 'small', 1)", // below the minimum length: written plain
                    "UPDATE " + t + " SET v = 'tiny' WHERE id = 100",
                    "DELETE FROM " + t + " WHERE id = 100");
            List<CapturedChange<BinlogOffset>> changes = BinlogTestSupport.poll(reader, 60 + 20 + 10 + 3);
            BinlogTestSupport.assertNoMore(reader, 300);

            List<String> ops = new ArrayList<>();
            for (CapturedChange<BinlogOffset> c : changes) {
                ops.add(c.event().op().code());
            }
            List<String> expectedOps = new ArrayList<>();
            expectedOps.addAll(java.util.Collections.nCopies(60, "c"));
            expectedOps.addAll(java.util.Collections.nCopies(20, "u"));
            expectedOps.addAll(java.util.Collections.nCopies(10, "d"));
            expectedOps.addAll(List.of("c", "u", "d"));
            assertEquals(expectedOps, ops);
            for (int i = 0; i < 60; i++) {
                ChangeEvent e = changes.get(i).event();
                assertEquals(List.of(i + 1, text(i + 1), new java.math.BigDecimal("18446744073709551615")), List.of(e.after()));
            }
            for (int i = 0; i < 20; i++) {
                ChangeEvent e = changes.get(60 + i).event();
                assertEquals(List.of(i + 1, text(i + 1), new java.math.BigDecimal("18446744073709551615")), List.of(e.before()));
                assertEquals(List.of(i + 1, text(i + 1) + "!", new java.math.BigDecimal(i + 1)), List.of(e.after()));
            }
            for (int i = 0; i < 10; i++) {
                assertEquals(51 + i, changes.get(80 + i).event().before()[0]);
                assertEquals(Operation.DELETE, changes.get(80 + i).event().op());
            }
            assertTrue(changes.get(89).endsTransaction(), "the transaction ends with its last change");
            assertEquals(1, changes.subList(0, 90).stream().filter(CapturedChange::endsTransaction).count());
            assertEquals("tiny", changes.get(91).event().after()[1]);
        }
        Map<Integer, Integer> types = new TreeMap<>();
        RawBinlog.read(start.file()).typeCodesFrom(start.end()).forEach(type -> types.merge(type, 1, Integer::sum));
        for (int compressed : new int[]{166, 167, 168}) {
            assertTrue(types.containsKey(compressed) || types.containsKey(compressed + 3), "a compressed " + compressed + " event: " + types);
        }
        assertTrue(types.keySet().stream().anyMatch(CompressedBinlogTypeFidelityIT::plainRows), "and plain row events: " + types);
    }

    /**
     * Without column metadata in the binlog, names come from information_schema and a DDL statement makes the reader
     * read them again. A compressed DDL statement must have that effect too: a RENAME COLUMN keeps the binlog's column
     * types, so only the statement tells the reader that the names changed.
     */
    @Test
    void aCompressedDdlStatementTakesEffect() throws Exception {
        try (MariaDbServer noMetadata = MariaDbServer.start(new MariaDbServer.Options().rowMetadata("NO_LOG")
                .arg("--log-bin-compress=ON").arg("--log-bin-compress-min-len=10"))) {
            String db = noMetadata.createDatabase("compressed_ddl");
            String t = db + ".t";
            noMetadata.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, a INT)");
            RawBinlog.Current start = RawBinlog.current(noMetadata);
            try (BinlogReader reader = BinlogTestSupport.reader(noMetadata, db).startPosition(StartPosition.latest()).build()) {
                reader.start();
                noMetadata.execute("INSERT INTO " + t + " VALUES (1, 10)");
                assertEquals(List.of("id", "a"), names(BinlogTestSupport.poll(reader, 1).get(0).event()));
                noMetadata.execute("ALTER TABLE " + t + " RENAME COLUMN a TO b");
                noMetadata.execute("INSERT INTO " + t + " VALUES (2, 20)");
                ChangeEvent after = BinlogTestSupport.poll(reader, 1).get(0).event();
                assertEquals(List.of("id", "b"), names(after), "the renamed column is named as it is now");
                assertEquals(List.of(2, 20), List.of(after.after()));
            }
            assertTrue(RawBinlog.read(start.file()).typeCodesFrom(start.end()).contains(RawBinlog.QUERY_COMPRESSED),
                    "the ALTER TABLE was written as QUERY_COMPRESSED_EVENT");
        }
    }

    @Test
    void serverRequirementsReportCompression() throws Exception {
        try (Connection c = server.cdcConnection()) {
            ServerRequirements.CheckResult compression = ServerRequirements.check(new MySqlServer(c)).stream()
                    .filter(r -> r.name().equals("log_bin_compress")).findFirst().orElseThrow();
            assertEquals(ServerRequirements.Status.OK, compression.status());
            assertTrue(compression.actual().startsWith("ON") && compression.actual().contains("log_bin_compress_min_len=100"), compression.toString());
            assertTrue(compression.fix().isEmpty());
        }
    }

    private static List<String> names(ChangeEvent e) {
        return e.schema().columns().stream().map(ColumnSchema::name).toList();
    }
}
