package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.TableFilter;
import dev.nificdc.cdc.core.engine.ChangeStream;
import dev.nificdc.testsupport.PostgresServer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The private PostgreSQL server the engine tests share (started on first use, stopped when the test JVM exits; 14, or
 * 18 in the postgres-18 test run), a database per test, and helpers to read changes.
 */
final class PgTestSupport {
    private static PostgresServer server;

    private PgTestSupport() {
    }

    static synchronized PostgresServer server() {
        if (server == null) {
            server = PostgresServer.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }
        return server;
    }

    /**
     * A source capturing the tables of schema {@code public} matching {@code tables} in {@code database}, with a slot and
     * a publication named after the database (slots are per server).
     */
    static PgSourceConfig config(PostgresServer server, String database, String tables) {
        TableFilter filter = TableFilter.of(List.of("public"), List.of(), List.of(tables), List.of(), List.of())
                .withSystemNames(TableFilter.POSTGRES_SYSTEM_SCHEMAS);
        return PgSourceConfig.of(server.host(), server.port(), database, PostgresServer.USER, "", database, "nifi_cdc_pub",
                filter, "test").withStatusInterval(Duration.ofMillis(500));
    }

    static CaptureLogger logger() {
        return CaptureLogger.slf4j(PgTestSupport.class);
    }

    /** Polls exactly {@code count} changes, failing when they do not arrive within 30 s. */
    static List<CapturedChange<PgOffset>> poll(ChangeStream<PgOffset> stream, int count) throws InterruptedException {
        List<CapturedChange<PgOffset>> changes = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (changes.size() < count && System.currentTimeMillis() < deadline) {
            CapturedChange<PgOffset> c = stream.poll(Duration.ofMillis(200));
            if (c != null) {
                changes.add(c);
            }
        }
        if (changes.size() < count) {
            throw new AssertionError("Expected " + count + " changes, got " + changes.size() + ": " + changes);
        }
        return changes;
    }

    /** Asserts that no further change arrives within {@code millis}. */
    static void assertNoMore(ChangeStream<PgOffset> stream, long millis) throws InterruptedException {
        CapturedChange<PgOffset> extra = stream.poll(Duration.ofMillis(millis));
        if (extra != null) {
            throw new AssertionError("Unexpected extra change " + extra.event().op() + " " + java.util.Arrays.toString(
                    extra.event().after() != null ? extra.event().after() : extra.event().before()));
        }
    }

    /** Drops the slot once no connection streams from it (slots are per server; a test leaves none behind). */
    static void dropSlot(PostgresServer server, String slot) throws Exception {
        await("slot " + slot + " to be released", Duration.ofSeconds(20), () -> {
            try (Connection c = server.connection(null); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
                return !rs.next() || !rs.getBoolean(1);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        server.execute(null, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }

    /** The slot's confirmed flush LSN, or null. */
    static Long confirmedFlush(PostgresServer server, String slot) throws SQLException {
        try (Connection c = server.connection(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return rs.next() && rs.getString(1) != null ? PgOffset.parse(rs.getString(1)) : null;
        }
    }

    /** WAL the slot holds back: {@code pg_current_wal_lsn() - confirmed_flush_lsn} in bytes. */
    static long retainedWal(PostgresServer server, String slot) throws SQLException {
        try (Connection c = server.connection(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint FROM pg_replication_slots"
                     + " WHERE slot_name = '" + slot + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
