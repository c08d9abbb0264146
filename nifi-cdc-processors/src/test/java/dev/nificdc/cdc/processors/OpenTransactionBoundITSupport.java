package dev.nificdc.cdc.processors;

import org.apache.avro.generic.GenericRecord;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upper bound that waits for open write transactions (Open Transactions = Wait), against a real server: a
 * transaction T1 stays open for three Commit Lags while T2 commits newer rows and the processor runs again and again.
 * Timings are measured and printed; the only timing assertions are generous sanity bounds.
 */
abstract class OpenTransactionBoundITSupport extends TimestampCaptureITBase {
    static final Duration COMMIT_LAG = Duration.ofSeconds(2);
    static final Duration RUN_INTERVAL = Duration.ofMillis(300);
    /** A sanity bound for "delivered soon after": generous, for a loaded two-core machine. */
    static final Duration GENEROUS = Duration.ofSeconds(20);

    /** Rows delivered by a processor, with when each arrived (nanoTime). */
    static final class Deliveries {
        final List<GenericRecord> records = new ArrayList<>();
        final Map<String, Long> arrivedAt = new HashMap<>();
        int runs;
        int runsWithRows;

        /** Runs the processor once, keeping it scheduled between runs as NiFi does. */
        void runOnce(TestRunner runner) {
            List<GenericRecord> fetched = runScheduled(runner, runs++ == 0);
            long now = System.nanoTime();
            fetched.forEach(r -> arrivedAt.putIfAbsent(string(r, "name"), now));
            records.addAll(fetched);
            runsWithRows += fetched.isEmpty() ? 0 : 1;
        }

        long count(String name) {
            return records.stream().filter(r -> name.equals(string(r, "name"))).count();
        }

        boolean has(String name) {
            return arrivedAt.containsKey(name);
        }
    }

    TestRunner runner(String table, TimestampTestDatabase.Login login) {
        TestRunner runner = runner(table, null, login);
        runner.setProperty(TimestampCaptureProperties.COMMIT_LAG, COMMIT_LAG.toMillis() + " millis");
        return runner;
    }

    void insert(Connection connection, String table, String name) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("INSERT INTO " + quote(table) + " (name) VALUES ('" + name + "')");
        }
    }

    /**
     * What the scenario saw.
     *
     * @param deliveries      every row delivered
     * @param whileOpen       the names delivered while T1 was open
     * @param committed       when each row's transaction committed (nanoTime)
     * @param t1Opened        when T1 wrote its row
     * @param t1Committed     when T1 committed
     */
    record Scenario(Deliveries deliveries, List<String> whileOpen, Map<String, Long> committed, long t1Opened, long t1Committed) {
    }

    /**
     * T1 inserts "slow" and stays open for three Commit Lags while T2 commits "fast-i" rows and the processor runs after
     * each; then T1 commits.
     */
    Scenario longTransaction(String table, TestRunner runner) throws Exception {
        Deliveries deliveries = new Deliveries();
        Map<String, Long> committed = new HashMap<>();
        try (Connection t1 = connect(); Connection t2 = connect()) {
            t1.setAutoCommit(false);
            insert(t1, table, "slow");
            long opened = System.nanoTime();
            for (int i = 0; System.nanoTime() - opened < COMMIT_LAG.multipliedBy(3).toNanos(); i++) {
                insert(t2, table, "fast-" + i);
                committed.put("fast-" + i, System.nanoTime());
                deliveries.runOnce(runner);
                Thread.sleep(RUN_INTERVAL.toMillis());
            }
            List<String> whileOpen = deliveries.records.stream().map(r -> string(r, "name")).toList();
            t1.commit();
            long t1Committed = System.nanoTime();
            committed.put("slow", t1Committed);
            return new Scenario(deliveries, whileOpen, committed, opened, t1Committed);
        }
    }

    /** Runs the processor until {@code done} or a generous deadline, then twice more. */
    static void runUntil(TestRunner runner, Deliveries deliveries, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + GENEROUS.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            deliveries.runOnce(runner);
            Thread.sleep(RUN_INTERVAL.toMillis());
        }
        deliveries.runOnce(runner);
        deliveries.runOnce(runner);
    }

    @Test
    void aTransactionOpenForThreeCommitLagsDeliversItsRowOnceAfterItCommitsAndHoldsNewerRowsOnlyThatLong() throws Exception {
        String table = newTable("longtx");
        createStandardTable(table);
        TestRunner runner = runner(table, database().transactionObserver());
        Scenario scenario = longTransaction(table, runner);
        Deliveries all = scenario.deliveries();

        assertEquals(List.of(), scenario.whileOpen(), "while T1 is open, no row stamped after its start is delivered: T2's newer rows wait too");
        assertTrue(loggedContaining(runner.getLogger().getInfoMessages(), "waits for the open write transaction"),
                "the wait is logged: " + logged(runner.getLogger().getInfoMessages()));
        assertTrue(loggedContaining(runner.getLogger().getInfoMessages(), "first run since the processor started"));

        runUntil(runner, all, () -> all.arrivedAt.size() == scenario.committed().size());
        assertEquals(1, all.count("slow"), "T1's row arrives exactly once after T1 committed");
        assertExactlyOnceInOrder(all.records, scenario.committed().size());
        assertEquals("slow", string(all.records.getFirst(), "name"), "T1's row is the oldest: it comes first");
        assertTrue(loggedContaining(runner.getLogger().getInfoMessages(), "has ended"), "the end of the wait is logged");

        long released = all.arrivedAt.values().stream().mapToLong(Long::longValue).max().orElseThrow() - scenario.t1Committed();
        long longestFastDelay = scenario.committed().entrySet().stream().filter(e -> !e.getKey().equals("slow"))
                .mapToLong(e -> all.arrivedAt.get(e.getKey()) - e.getValue()).max().orElseThrow();
        long t1Open = scenario.t1Committed() - scenario.t1Opened();
        System.out.printf(Locale.ROOT, "%s: T1 open %.1f s (Commit Lag %d s) while T2 committed %d newer rows; every row delivered "
                        + "%.2f s after T1 committed; T2's longest delay %.2f s%n", getClass().getSimpleName(), t1Open / 1e9,
                COMMIT_LAG.toSeconds(), scenario.committed().size() - 1, released / 1e9, longestFastDelay / 1e9);
        assertTrue(released < GENEROUS.toNanos(), "sanity: released within " + GENEROUS);
        assertTrue(longestFastDelay < t1Open + GENEROUS.toNanos(), "sanity: T2's rows wait no longer than T1 stays open, plus a margin");
    }

    @Test
    void withoutThePrivilegeTheCommitLagAloneBoundsARunTheProcessorWarnsAndTheLongTransactionsRowIsLost() throws Exception {
        String table = newTable("blind");
        createStandardTable(table);
        TestRunner runner = runner(table, database().withoutTransactionPrivilege());
        Scenario scenario = longTransaction(table, runner);
        Deliveries all = scenario.deliveries();

        assertTrue(loggedContaining(runner.getLogger().getWarnMessages(), database().transactionPrivilege()),
                "the missing privilege is named: " + logged(runner.getLogger().getWarnMessages()));
        assertFalse(scenario.whileOpen().isEmpty(), "T2's rows older than the Commit Lag are delivered while T1 is open");

        runUntil(runner, all, () -> all.arrivedAt.size() == scenario.committed().size() - 1);
        Thread.sleep(COMMIT_LAG.toMillis() + 500);
        all.runOnce(runner);
        assertEquals(scenario.committed().size() - 1, all.arrivedAt.size(), "every row of T2 arrived, once");
        assertEquals(scenario.committed().size() - 1, all.records.size());
        assertEquals(0, all.count("slow"), "the documented limit: T1's row, older than the watermark when T1 commits, is lost");
    }

    @Test
    void aSteadyStreamOfShortTransactionsDoesNotStallCapture() throws Exception {
        String table = newTable("stream");
        createStandardTable(table);
        TestRunner runner = runner(table, database().transactionObserver());
        Map<String, Long> committed = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<Exception> writerFailure = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().name("short transactions").start(() -> {
            try (Connection c = connect()) {
                c.setAutoCommit(false);
                for (int i = 0; writing.get(); i++) {
                    insert(c, table, "row-" + i);
                    Thread.sleep(20); // each transaction stays open a little
                    c.commit();
                    committed.put("row-" + i, System.nanoTime());
                }
            } catch (Exception e) {
                writerFailure.set(e);
            }
        });
        Deliveries deliveries = new Deliveries();
        long started = System.nanoTime();
        try {
            while (System.nanoTime() - started < COMMIT_LAG.multipliedBy(4).toNanos()) {
                deliveries.runOnce(runner);
                Thread.sleep(RUN_INTERVAL.toMillis());
            }
        } finally {
            writing.set(false);
            writer.join();
        }
        assertNull(writerFailure.get());
        int runsWithRowsDuringStream = deliveries.runsWithRows;
        runUntil(runner, deliveries, () -> deliveries.arrivedAt.size() == committed.size());
        assertExactlyOnceInOrder(deliveries.records, committed.size());
        List<Long> delays = committed.entrySet().stream().map(e -> deliveries.arrivedAt.get(e.getKey()) - e.getValue()).sorted().toList();
        System.out.printf(Locale.ROOT, "%s: %d short transactions in %.1f s; %d runs delivered rows while they ran; capture delay "
                        + "median %.2f s, max %.2f s (Commit Lag %d s, runs every %d ms)%n", getClass().getSimpleName(), committed.size(),
                COMMIT_LAG.multipliedBy(4).toMillis() / 1e3, runsWithRowsDuringStream, delays.get(delays.size() / 2) / 1e9,
                delays.getLast() / 1e9, COMMIT_LAG.toSeconds(), RUN_INTERVAL.toMillis());
        assertTrue(runsWithRowsDuringStream >= 2, "rows kept arriving while the stream ran: " + runsWithRowsDuringStream + " runs with rows");
        assertFalse(loggedContaining(runner.getLogger().getInfoMessages(), "waits for the open write transaction"),
                "short transactions never hold the bound for as long as the Commit Lag");
        assertTrue(delays.get(delays.size() / 2) < COMMIT_LAG.toNanos() + GENEROUS.toNanos(), "sanity");
    }

    @Test
    void verifySaysWhetherOpenTransactionsAreVisible() throws Exception {
        String table = newTable("vis");
        createStandardTable(table);
        try (Connection t1 = connect()) {
            t1.setAutoCommit(false);
            insert(t1, table, "open");
            ConfigVerificationResult seen = verify(runner(table, database().transactionObserver())).get(CaptureTimestampChangeVerifier.STEP_OPEN_TRANSACTIONS);
            assertEquals(Outcome.SUCCESSFUL, seen.getOutcome(), seen.getExplanation());
            assertTrue(seen.getExplanation().contains("the oldest open write transaction now is"), seen.getExplanation());

            ConfigVerificationResult blind = verify(runner(table, database().withoutTransactionPrivilege())).get(CaptureTimestampChangeVerifier.STEP_OPEN_TRANSACTIONS);
            assertEquals(Outcome.FAILED, blind.getOutcome());
            assertTrue(blind.getExplanation().contains(database().transactionPrivilege()), blind.getExplanation());
            assertTrue(blind.getExplanation().contains("falls back to the Commit Lag"), blind.getExplanation());
            t1.rollback();
        }
        TestRunner ignoring = runner(table, database().transactionObserver());
        ignoring.setProperty(TimestampCaptureProperties.OPEN_TRANSACTIONS, OpenTransactionHandling.IGNORE.getValue());
        assertEquals(Outcome.SKIPPED, verify(ignoring).get(CaptureTimestampChangeVerifier.STEP_OPEN_TRANSACTIONS).getOutcome());
    }
}
