package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.binlog.schema.SchemaSource;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.ValueKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recorded MySQL binlog files, read offline through the same event handling as the live reader. */
class RecordedBinlogTest {
    private static Path FIXTURES;

    @BeforeAll
    static void requireFixtures() {
        FIXTURES = RecordedBinlogs.folder();
    }

    static List<CapturedChange<BinlogOffset>> read(String name) throws Exception {
        Path file = FIXTURES.resolve(name);
        try (InputStream in = name.endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file)) {
            return BinlogFileCapture.readAll(name.replace(".gz", ""), in, TableFilter.all(), SchemaSource.none(), "fixture",
                    CaptureLogger.slf4j(RecordedBinlogTest.class));
        }
    }

    @Test
    void compressedTransactionPayloadYieldsItsRowEvents() throws Exception {
        List<CapturedChange<BinlogOffset>> changes = read("mysql-bin.compressed");
        assertEquals(1, changes.size());
        CapturedChange<BinlogOffset> change = changes.get(0);
        ChangeEvent e = change.event();
        assertEquals(Operation.UPDATE, e.op());
        assertEquals("demo.movies", e.schema().qualifiedName());
        assertEquals(11, e.schema().columns().size());
        assertEquals("col_1", e.schema().columns().get(0).name(), "MySQL 8.0.28 without FULL metadata: positional names");
        assertEquals(1, e.before()[0]);
        assertEquals("Once Upon a Time in the West", e.before()[1]);
        assertEquals(1968, e.before()[2]);
        assertEquals("Italy", e.before()[3]);
        assertTrue(change.endsTransaction());
        assertTrue(change.offsetAfter().position() > BinlogSourceInfo.of(e).pos(), "the offset after the commit lies past the payload event");
        assertEquals("mysql", e.source().connector());
    }

    @Test
    void checksummedMySql57FileDecodes() throws Exception {
        List<CapturedChange<BinlogOffset>> changes = read("mysql-bin.checksum-crc32");
        assertEquals(63, changes.size());
        ChangeEvent first = changes.get(0).event();
        assertEquals(Operation.CREATE, first.op());
        assertEquals("simu_file_dev.folder", first.schema().qualifiedName());
        assertEquals(List.of(12300113, "test2", "/", 116103L, 1525422719000000L),
                Arrays.asList(first.after()).subList(0, 5));
        assertEquals(ValueKind.TIMESTAMP_MICROS, first.schema().columns().get(4).kind());
        assertTrue(changes.stream().anyMatch(c -> c.event().after() != null && "陶瓷.jpg".equals(c.event().after()[1])),
                "UTF-8 text decodes");
        ChangeEvent delete = changes.stream().map(CapturedChange::event).filter(c -> c.op() == Operation.DELETE).findFirst().orElseThrow();
        assertEquals("auth.announcement_member", delete.schema().qualifiedName());
        assertEquals(List.of(13300008L, 550225L, 1254403L, 0), Arrays.asList(delete.before()));
        for (int i = 1; i < changes.size(); i++) {
            assertTrue(changes.get(i).offsetAfter().compareTo(changes.get(i - 1).offsetAfter()) > 0);
        }
    }

    @Test
    void sakilaLoadYieldsEveryRowOfTheSampleDatabase() throws Exception {
        List<CapturedChange<BinlogOffset>> changes = read("mysql-bin.sakila.gz");
        Map<String, Long> perTable = changes.stream().collect(Collectors.groupingBy(c -> c.event().schema().table(),
                TreeMap::new, Collectors.counting()));
        // the row counts of MySQL's published Sakila sample database
        Map<String, Long> sakila = new TreeMap<>(Map.ofEntries(Map.entry("actor", 200L), Map.entry("address", 603L),
                Map.entry("category", 16L), Map.entry("city", 600L), Map.entry("country", 109L), Map.entry("customer", 599L),
                Map.entry("film", 1000L), Map.entry("film_actor", 5462L), Map.entry("film_category", 1000L),
                Map.entry("film_text", 1000L), Map.entry("inventory", 4581L), Map.entry("language", 6L),
                Map.entry("payment", 16049L), Map.entry("rental", 16044L), Map.entry("staff", 2L), Map.entry("store", 2L)));
        assertEquals(sakila, perTable);
        assertTrue(changes.stream().allMatch(c -> c.event().op() == Operation.CREATE));
        ChangeEvent firstActor = changes.get(0).event();
        assertEquals(List.of(1, "PENELOPE", "GUINESS"), Arrays.asList(firstActor.after()).subList(0, 3));
    }

    @Test
    void resumingFromEveryOffsetOfAMySqlFileYieldsExactlyTheRest() throws Exception {
        assertResumes("mysql-bin.checksum-crc32", 1);
        assertResumes("mysql-bin.compressed", 1);
    }

    @Test
    void resumingInsideTheLargeSakilaTransactionsYieldsExactlyTheRest() throws Exception {
        assertResumes("mysql-bin.sakila.gz", 4999);
    }

    private static void assertResumes(String name, int step) throws Exception {
        List<CapturedChange<BinlogOffset>> all = read(name);
        int checked = 0;
        for (int k = 0; k < all.size(); k += step) {
            BinlogOffset offset = all.get(k).offsetAfter();
            Path file = FIXTURES.resolve(name);
            List<CapturedChange<BinlogOffset>> rest;
            try (InputStream in = name.endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file)) {
                rest = BinlogFileCapture.readFrom(offset, in, TableFilter.all(), SchemaSource.none(), "fixture",
                        CaptureLogger.slf4j(RecordedBinlogTest.class));
            }
            assertEquals(all.size() - k - 1, rest.size(), name + ": changes after " + offset);
            for (int i = 0; i < rest.size(); i++) {
                assertEquals(signature(all.get(k + 1 + i).event()), signature(rest.get(i).event()), name + " after " + offset);
                assertEquals(all.get(k + 1 + i).offsetAfter(), rest.get(i).offsetAfter());
            }
            checked++;
        }
        assertTrue(checked > 0);
    }

    private static String signature(ChangeEvent e) {
        return e.op() + " " + e.schema().qualifiedName() + " " + Arrays.deepToString(e.before()) + " -> " + Arrays.deepToString(e.after());
    }
}
