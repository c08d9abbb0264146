package dev.nificdc.bench;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.Random;

/**
 * The benchmark's fixed, seeded workload on an {@code orders} table: {@code rows} inserts in 1000-row transactions,
 * then 10% of the rows updated and 5% deleted, also in transactions of at most 1000 rows. The same seed gives the same
 * rows on every run and on every database.
 */
final class OrdersWorkload {
    static final int TRANSACTION_ROWS = 1000;
    static final long SEED = 20261126L;
    private static final String[] STATUSES = {"new", "paid", "packed", "shipped", "delivered", "returned"};
    private static final LocalDateTime BASE_TIME = LocalDateTime.of(2026, 1, 1, 0, 0);

    /** How many row changes of each kind a run wrote. */
    record Counts(long inserts, long updates, long deletes) {
        long total() {
            return inserts + updates + deletes;
        }

        Counts plus(Counts other) {
            return new Counts(inserts + other.inserts, updates + other.updates, deletes + other.deletes);
        }

        @Override
        public String toString() {
            return inserts + " inserts, " + updates + " updates, " + deletes + " deletes";
        }
    }

    enum Dialect { MARIADB, POSTGRESQL }

    private final int rows;

    OrdersWorkload(int rows) {
        if (rows % (TRANSACTION_ROWS * 20) != 0) {
            throw new IllegalArgumentException("The row count must be a multiple of 20,000 (whole 1000-row transactions for 10% and 5%): " + rows);
        }
        this.rows = rows;
    }

    int rows() {
        return rows;
    }

    static String createTable(Dialect dialect, String table) {
        return switch (dialect) {
            case MARIADB -> "CREATE TABLE " + table + " (id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT, customer_id INT, "
                    + "status VARCHAR(16), amount DECIMAL(12,2), note VARCHAR(255), created_at DATETIME(6), "
                    + "updated_at TIMESTAMP(6) NULL, payload JSON, KEY updated_at_id (updated_at, id))";
            case POSTGRESQL -> "CREATE TABLE " + table + " (id BIGSERIAL PRIMARY KEY, customer_id INT, "
                    + "status VARCHAR(16), amount NUMERIC(12,2), note VARCHAR(255), created_at TIMESTAMP(6), "
                    + "updated_at TIMESTAMP(6), payload JSONB)";
        };
    }

    /** Creates {@code table} and inserts every row, in 1000-row transactions. Ids run 1..rows. */
    Counts insertAll(Connection connection, Dialect dialect, String table) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(createTable(dialect, table));
            if (dialect == Dialect.POSTGRESQL) {
                s.execute("CREATE INDEX ON " + table + " (updated_at, id)");
            }
        }
        String cast = dialect == Dialect.POSTGRESQL ? "CAST(? AS JSONB)" : "?";
        Random random = new Random(SEED);
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table
                + " (id, customer_id, status, amount, note, created_at, updated_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, " + cast + ")")) {
            for (int id = 1; id <= rows; id++) {
                insert.setLong(1, id);
                insert.setInt(2, random.nextInt(100_000));
                insert.setString(3, STATUSES[random.nextInt(STATUSES.length)]);
                insert.setBigDecimal(4, BigDecimal.valueOf(random.nextInt(10_000_000), 2));
                insert.setString(5, note(random));
                LocalDateTime created = BASE_TIME.plusSeconds(id).plusNanos(random.nextInt(1_000_000) * 1000L);
                insert.setTimestamp(6, Timestamp.valueOf(created));
                insert.setTimestamp(7, Timestamp.valueOf(updatedAt(id)));
                insert.setString(8, payload(random, id));
                insert.addBatch();
                if (id % TRANSACTION_ROWS == 0) {
                    insert.executeBatch();
                    connection.commit();
                }
            }
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        return new Counts(rows, 0, 0);
    }

    /**
     * Updates the rows with {@code id % 10 = 3} (10%) and then deletes those with {@code id % 20 = 7} (5%), one
     * statement per 1000 affected rows, each its own transaction.
     */
    Counts updateAndDelete(Connection connection, String table) throws SQLException {
        long updated = 0;
        long deleted = 0;
        int span = TRANSACTION_ROWS * 10;
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + table
                + " SET status = 'changed', amount = amount + 1, note = CONCAT('updated: ', note), updated_at = ? WHERE id % 10 = 3 AND id BETWEEN ? AND ?")) {
            for (int from = 1; from <= rows; from += span) {
                update.setTimestamp(1, Timestamp.valueOf(updatedAt(rows + from)));
                update.setLong(2, from);
                update.setLong(3, from + span - 1L);
                updated += update.executeUpdate();
            }
        }
        span = TRANSACTION_ROWS * 20;
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE id % 20 = 7 AND id BETWEEN ? AND ?")) {
            for (int from = 1; from <= rows; from += span) {
                delete.setLong(1, from);
                delete.setLong(2, from + span - 1L);
                deleted += delete.executeUpdate();
            }
        }
        Counts counts = new Counts(0, updated, deleted);
        Counts expected = new Counts(0, rows / 10, rows / 20);
        if (!counts.equals(expected)) {
            throw new IllegalStateException("The workload changed " + counts + ", expected " + expected);
        }
        return counts;
    }

    /** Every row's update timestamp is distinct and in the past, 10 ms apart (so timestamp fetches page through ties only on purpose). */
    static LocalDateTime updatedAt(long step) {
        return BASE_TIME.plusNanos(step * 10_000_000L);
    }

    private static String note(Random random) {
        int length = 20 + random.nextInt(100);
        StringBuilder note = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            note.append((char) ('a' + random.nextInt(26)));
        }
        return note.toString();
    }

    private static String payload(Random random, int id) {
        return "{\"sku\": \"SKU-" + random.nextInt(50_000) + "\", \"qty\": " + (1 + random.nextInt(9))
                + ", \"gift\": " + random.nextBoolean() + ", \"tags\": [\"t" + random.nextInt(20) + "\", \"t" + random.nextInt(20)
                + "\"], \"order\": " + id + "}";
    }
}
