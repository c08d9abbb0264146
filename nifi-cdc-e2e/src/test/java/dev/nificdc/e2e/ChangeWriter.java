package dev.nificdc.e2e;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread that keeps changing numbered rows of {@code items (id INT PRIMARY KEY, n BIGINT, label VARCHAR, amount
 * DECIMAL, note TEXT)} while a crash test kills NiFi: an insert per step, and regularly an update of an earlier row,
 * an update of five rows in one statement (one binlog event with several rows) and a delete. It counts the row
 * changes the database committed (every update changes its rows, so matched rows are changed rows).
 */
final class ChangeWriter implements AutoCloseable {
    interface ConnectionSource {
        Connection open() throws SQLException;
    }

    private final String table;
    private final ConnectionSource database;
    private final boolean deletes;
    private final int firstId;
    private final AtomicLong rowChanges = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private final Thread thread;
    private volatile boolean stop;
    private volatile Throwable failure;

    ChangeWriter(ConnectionSource database, String table, boolean deletes) {
        this(database, table, deletes, 1);
    }

    /** A writer whose inserted rows are numbered from {@code firstId} on (rows below it may exist already). */
    ChangeWriter(ConnectionSource database, String table, boolean deletes, int firstId) {
        this.database = database;
        this.table = table;
        this.deletes = deletes;
        this.firstId = firstId;
        this.thread = new Thread(this::run, "change writer " + table);
    }

    ChangeWriter start() {
        thread.start();
        return this;
    }

    private void run() {
        try (Connection c = database.open(); Statement s = c.createStatement()) {
            for (int i = firstId; !stop; i++) {
                long changed = s.executeUpdate("INSERT INTO " + table + " (id, n, label, amount, note) VALUES (" + i + ", " + (i * 1000L)
                        + ", 'row " + i + "', " + i + ".25, 'inserted in step " + i + "')");
                if (i % 3 == 0) {
                    changed += s.executeUpdate("UPDATE " + table + " SET n = n + 1, label = CONCAT(label, '+') WHERE id = " + (i - 1));
                }
                if (i % 5 == 0) {
                    changed += s.executeUpdate("UPDATE " + table + " SET amount = amount + 1, note = 'batch " + i + "' WHERE id BETWEEN "
                            + (i - 4) + " AND " + i);
                }
                if (deletes && i % 10 == 0) {
                    changed += s.executeUpdate("DELETE FROM " + table + " WHERE id = " + (i - 7));
                }
                rowChanges.addAndGet(changed);
                steps.incrementAndGet();
                NiFiInstance.sleep(25);
            }
        } catch (Throwable e) {
            failure = e;
        }
    }

    long steps() {
        return steps.get();
    }

    /** Row changes committed so far; after {@link #close()}, all of them. */
    long rowChanges() {
        return rowChanges.get();
    }

    /** Stops the writer and waits for it; fails if writing failed. */
    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(30_000);
        if (thread.isAlive()) {
            throw new IllegalStateException("The change writer did not stop within 30 s");
        }
        if (failure != null) {
            throw new IllegalStateException("The change writer failed after " + steps() + " steps", failure);
        }
    }
}
