package dev.nificdc.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTransactionRollbackException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Threads that insert, update (values and primary keys) and delete random rows of one table {@code (key, v VARCHAR, n
 * BIGINT)} as fast as they can, in transactions of one to four statements, until closed. Keys are drawn from
 * {@code 1..keySpace} and turned into key values by {@code keyOf} (numbers, or text for a text key); statements that hit
 * an existing or missing key simply do nothing or fail and are skipped (on PostgreSQL, where a failed statement aborts its
 * transaction, the whole transaction is rolled back). Two writers may deadlock: the server then rolls one transaction
 * back, and it is not counted. Works on MariaDB/MySQL and PostgreSQL (identifiers quoted for the connection's server).
 */
public final class RandomRowWriter implements AutoCloseable {
    /** Opens a connection of a writer thread. */
    @FunctionalInterface
    public interface Connector {
        Connection open() throws SQLException;
    }

    private final Connector connector;
    private final String table;
    private final String keyColumn;
    private final int keySpace;
    private final IntFunction<Object> keyOf;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile long pauseMillis;

    public RandomRowWriter(Connector connector, String table, String keyColumn, int keySpace, IntFunction<Object> keyOf) {
        this.connector = connector;
        this.table = table;
        this.keyColumn = keyColumn;
        this.keySpace = keySpace;
        this.keyOf = keyOf;
    }

    /** Each thread sleeps this long after each transaction (0, the default: none), to hold the rate a sink can follow. */
    public RandomRowWriter pauseBetweenTransactions(long millis) {
        this.pauseMillis = millis;
        return this;
    }

    public RandomRowWriter start(int threadCount) {
        for (int i = 0; i < threadCount; i++) {
            Thread thread = new Thread(this::write, "random-writer-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        return this;
    }

    /** Transactions committed so far. */
    public long transactions() {
        return transactions.get();
    }

    private void write() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (Connection c = connector.open()) {
            write(c, random);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private void write(Connection c, ThreadLocalRandom random) throws SQLException, InterruptedException {
        boolean postgres = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
        String k = postgres ? "\"" + keyColumn + "\"" : "`" + keyColumn + "`";
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (" + k + ", v, n) VALUES (?, ?, ?)");
             PreparedStatement update = c.prepareStatement("UPDATE " + table + " SET v = ?, n = n + ? WHERE " + k + " = ?");
             PreparedStatement move = c.prepareStatement("UPDATE " + table + " SET " + k + " = ? WHERE " + k + " = ?");
             PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE " + k + " = ?")) {
            c.setAutoCommit(false);
            while (running) {
                int statements = 1 + random.nextInt(4);
                try {
                    for (int i = 0; i < statements; i++) {
                        Object key = keyOf.apply(1 + random.nextInt(keySpace));
                        int dice = random.nextInt(100);
                        try {
                            if (dice < 30) {
                                insert.setObject(1, key);
                                insert.setString(2, "ins-" + random.nextInt(1_000_000));
                                insert.setLong(3, random.nextLong(1_000_000));
                                insert.executeUpdate();
                            } else if (dice < 65) {
                                update.setString(1, "upd-" + random.nextInt(1_000_000));
                                update.setLong(2, 1 + random.nextInt(100));
                                update.setObject(3, key);
                                update.executeUpdate();
                            } else if (dice < 80) {
                                move.setObject(1, keyOf.apply(1 + random.nextInt(keySpace)));
                                move.setObject(2, key);
                                move.executeUpdate();
                            } else {
                                delete.setObject(1, key);
                                delete.executeUpdate();
                            }
                        } catch (SQLIntegrityConstraintViolationException duplicateKey) {
                            // the key exists already: the statement did nothing, the transaction goes on
                        }
                    }
                    c.commit();
                    transactions.incrementAndGet();
                } catch (SQLTransactionRollbackException deadlock) {
                    c.rollback(); // two writers deadlocked: InnoDB rolled this one back
                } catch (SQLException e) {
                    String state = e.getSQLState() == null ? "" : e.getSQLState();
                    if (!postgres || !(state.startsWith("23") || state.startsWith("40"))) {
                        throw e;
                    }
                    c.rollback(); // PostgreSQL: a duplicate key, a deadlock or a serialization failure ended the transaction
                }
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
            }
        }
    }

    /** Stops the threads after their current transaction and rethrows the first failure of one. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread thread : threads) {
            thread.join(30_000);
        }
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError("A writer thread failed", t);
        }
    }
}
