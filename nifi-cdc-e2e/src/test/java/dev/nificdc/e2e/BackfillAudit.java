package dev.nificdc.e2e;

import dev.nificdc.e2e.CdcFlows.ReplicaFlow;
import dev.nificdc.e2e.DatabaseSink.JdbcTarget;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit table of the incremental-snapshot tests in a real NiFi: the capture's FlowFiles go to a PutDatabaseRecord
 * that appends every record ({@code op, id, v, n}) in arrival order, and these are the checks on it, the same for both
 * log-based processors.
 *
 * @param table    the audit table as the replica's SQL names it
 * @param opColumn the operation column as the replica's SQL names it
 */
record BackfillAudit(JdbcTarget target, String table, String opColumn) {
    /** Audit rows matching {@code where} (SQL on {@code id} and {@link #opColumn}). */
    long count(String where) {
        try (Connection c = CdcFlows.open(target); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT COUNT(*) FROM " + table + " WHERE " + where)) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The audit replayed in arrival order by key (rows with id > 0): the last record wins, a delete removes. */
    Map<Integer, String> replay() throws SQLException {
        Map<Integer, String> rows = new TreeMap<>();
        try (Connection c = CdcFlows.open(target); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT " + opColumn + ", id, v, n FROM " + table + " WHERE id > 0 ORDER BY audit_id")) {
            while (r.next()) {
                if (r.getString(1).equals("d")) {
                    rows.remove(r.getInt(2));
                } else {
                    rows.put(r.getInt(2), r.getString(3) + "|" + r.getString(4));
                }
            }
        }
        return rows;
    }

    /** The replayed audit equals {@code query}'s rows ({@code id, v, n}) on {@code source}; the first differences are shown. */
    void assertReplayEquals(Connection source, String query) throws SQLException {
        Map<Integer, String> expected = new TreeMap<>();
        try (Statement s = source.createStatement(); ResultSet r = s.executeQuery(query)) {
            while (r.next()) {
                expected.put(r.getInt(1), r.getString(2) + "|" + r.getString(3));
            }
        }
        Map<Integer, String> replayed = replay();
        Set<Integer> keys = new TreeSet<>(expected.keySet());
        keys.addAll(replayed.keySet());
        List<String> differences = new ArrayList<>();
        for (Integer key : keys) {
            if (!Objects.equals(expected.get(key), replayed.get(key))) {
                differences.add(key + ": source " + expected.get(key) + ", replayed " + replayed.get(key));
            }
        }
        assertEquals(List.of(), differences.subList(0, Math.min(10, differences.size())),
                differences.size() + " of " + keys.size() + " keys differ between the table and the replayed audit");
    }

    /**
     * The snapshot of {@code table} completed once (it went on from its last committed chunk after the restart and the
     * kill, not from the start), after {@code beforeKill} rows, and each row was read once but for a chunk read again per
     * restart and a FlowFile PutDatabaseRecord applied again.
     */
    void assertReadOnceButForRepeats(NiFiInstance nifi, String table, long beforeKill, String test) {
        List<String> completions = nifi.appLogLines().stream().filter(l -> l.contains("Incremental snapshot of " + table + " complete")).toList();
        assertEquals(1, completions.size(), "one completion: " + completions);
        Matcher done = Pattern.compile("complete: (\\d+) rows in (\\d+) chunks").matcher(completions.get(0));
        assertTrue(done.find(), completions.get(0));
        long committed = Long.parseLong(done.group(1));
        long reads = count(opColumn + " = 'r' AND id > 0");
        System.out.println(test + ": " + committed + " rows committed in " + done.group(2) + " chunks, " + reads + " op r records in the audit");
        assertTrue(beforeKill < committed, "the kill came before the snapshot's end");
        assertTrue(reads >= committed && reads <= committed + 400, "op r records " + reads + " for " + committed + " rows committed");
    }

    /** Asks for a snapshot of {@code table} by a FlowFile on the capture's input, as "Run Once" on a GenerateFlowFile would. */
    void requestSnapshot(NiFiRestClient client, ReplicaFlow flow, String table, int markerId) {
        String generate = client.createProcessor(flow.groupId(), "org.apache.nifi.processors.standard.GenerateFlowFile",
                "Request an incremental snapshot", Map.of("Custom Text", table, "Batch Size", "1"));
        client.connect(flow.groupId(), generate, flow.captureId(), "success");
        client.runProcessorOnce(generate);
        client.await("the requested snapshot of " + table, () -> count(opColumn + " = 'r' AND id = " + markerId), n -> n > 0);
    }

    /** Waits until the snapshot in progress has committed at least {@code atLeast} rows; returns how many. */
    static long awaitSnapshotRows(NiFiRestClient client, ReplicaFlow flow, long atLeast) {
        Map<String, String> state = client.await("the incremental snapshot to pass " + atLeast + " rows", Duration.ofMinutes(3),
                () -> client.processorState(flow.captureId()),
                s -> s.containsKey("incremental.table.0") && Long.parseLong(s.getOrDefault("incremental.rows", "0")) >= atLeast);
        return Long.parseLong(state.get("incremental.rows"));
    }
}
