package dev.nificdc.bench;

import dev.nificdc.testsupport.PostgresServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A stretch of PostgreSQL WAL written by the workload, and how to read it again and again: {@code templateSlot} was
 * created before the workload and is never streamed, so each capture reads from a fresh copy of it
 * ({@link #copySlot}), from exactly the same position, and must count exactly {@code expected} row changes of
 * {@code public.orders}. {@code publication} publishes every table of {@code database}.
 */
record PgWalRange(PostgresServer server, String database, String templateSlot, String publication, OrdersWorkload.Counts expected) {
    /** Linux clock ticks per second, the unit of a process's CPU times in /proc (USER_HZ: 100 on every common build). */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    String host() {
        return server.host();
    }

    int port() {
        return server.port();
    }

    String user() {
        return PostgresServer.USER;
    }

    /** A new slot at the template's position; drop it with {@link #dropSlot}. */
    void copySlot(String slot) throws SQLException {
        try (Connection c = server.connection(database); PreparedStatement s = c.prepareStatement("SELECT pg_copy_logical_replication_slot(?, ?)")) {
            s.setString(1, templateSlot);
            s.setString(2, slot);
            s.execute();
        }
    }

    /** Drops {@code slot} once its walsender has let go of it (a closed stream's walsender ends a moment later). */
    void dropSlot(String slot) throws SQLException, InterruptedException {
        for (int attempt = 0; attempt < 100 && activePid(slot) != 0; attempt++) {
            Thread.sleep(100);
        }
        try (Connection c = server.connection(database); PreparedStatement s = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            s.setString(1, slot);
            s.execute();
        }
    }

    /**
     * The CPU time (user + system) the server's walsender streaming {@code slot} has used since it started, in
     * nanoseconds, read from /proc with 10 ms resolution; -1 when no walsender streams it or /proc is unreadable. The
     * walsender decodes the WAL and encodes pgoutput: the server's share of a change's cost. Read it while the stream is
     * still open: its process ends with the stream.
     */
    long walSenderCpuNanos(String slot) {
        try {
            int pid = activePid(slot);
            if (pid == 0) {
                return -1;
            }
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15 of stat)
            return ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | SQLException | RuntimeException e) {
            return -1;
        }
    }

    private int activePid(String slot) throws SQLException {
        try (Connection c = server.connection(database);
             PreparedStatement s = c.prepareStatement("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, slot);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }
}
