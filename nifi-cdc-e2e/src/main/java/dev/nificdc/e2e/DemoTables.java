package dev.nificdc.e2e;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The JDBC side of {@link Demo}: the sample table, its change stream, the initial copy and the row-by-row comparison. */
final class DemoTables {
    /** A binlog file and offset: where capture starts. */
    record BinlogPosition(String file, long offset) {
        @Override
        public String toString() {
            return file + ":" + offset;
        }
    }

    private DemoTables() {
    }

    /** Creates the sample table (int, varchar and decimal columns; no temporal columns), dropping an old one first. */
    static void createSampleTable(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + quote(table));
            s.execute("CREATE TABLE " + quote(table) + " ("
                    + "id INT NOT NULL PRIMARY KEY, "
                    + "customer VARCHAR(64) NOT NULL, "
                    + "amount DECIMAL(10,2) NOT NULL, "
                    + "quantity INT NOT NULL, "
                    + "status VARCHAR(16) NULL, "
                    + "note VARCHAR(200) NULL) ENGINE=InnoDB");
        }
    }

    /** The table's CREATE TABLE statement, made acceptable to the MariaDB replica (MySQL 8 collations). */
    static String createStatement(Connection source, String table) throws SQLException {
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SHOW CREATE TABLE " + quote(table))) {
            if (!rs.next()) {
                throw new IllegalStateException("Table " + table + " not found in the source database");
            }
            return rs.getString(2).replaceAll("utf8mb4_0900_\\w+", "utf8mb4_unicode_ci");
        }
    }

    static List<String> primaryKey(Connection c, String database, String table) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        List<String> columns = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        try (ResultSet rs = meta.getPrimaryKeys(database, null, table)) {
            while (rs.next()) {
                columns.add(rs.getString("COLUMN_NAME"));
                order.add(rs.getInt("KEY_SEQ"));
            }
        }
        List<String> sorted = new ArrayList<>(columns);
        sorted.sort((a, b) -> Integer.compare(order.get(columns.indexOf(a)), order.get(columns.indexOf(b))));
        if (sorted.isEmpty()) {
            throw new IllegalStateException("Table " + database + "." + table + " has no primary key; the replica flow"
                    + " applies updates and deletes by key, so give a table with a primary key (--table)");
        }
        return sorted;
    }

    /**
     * Reads the binlog position and copies every current row of the table into the replica table. On MariaDB the
     * position is the one of the consistent snapshot the rows are read from (exact even while the table changes);
     * on MySQL it is read just before the copy, so the table should be quiet for that moment.
     */
    static BinlogPosition positionAndCopy(Connection source, Connection replica, String table) throws SQLException {
        boolean autoCommit = source.getAutoCommit();
        source.setAutoCommit(false);
        try (Statement s = source.createStatement()) {
            s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            BinlogPosition position = snapshotPosition(s);
            if (position == null) {
                position = masterStatus(s);
            }
            copyRows(s, replica, table);
            source.commit();
            return position;
        } finally {
            source.setAutoCommit(autoCommit);
        }
    }

    private static BinlogPosition snapshotPosition(Statement s) throws SQLException {
        String file = null;
        long offset = -1;
        try (ResultSet rs = s.executeQuery("SHOW STATUS LIKE 'binlog_snapshot_%'")) {
            while (rs.next()) {
                switch (rs.getString(1).toLowerCase()) {
                    case "binlog_snapshot_file" -> file = rs.getString(2);
                    case "binlog_snapshot_position" -> offset = Long.parseLong(rs.getString(2));
                    default -> { }
                }
            }
        }
        return file == null || file.isEmpty() || offset < 0 ? null : new BinlogPosition(file, offset);
    }

    private static BinlogPosition masterStatus(Statement s) throws SQLException {
        for (String query : List.of("SHOW BINARY LOG STATUS", "SHOW MASTER STATUS")) {
            try (ResultSet rs = s.executeQuery(query)) {
                if (rs.next()) {
                    return new BinlogPosition(rs.getString(1), rs.getLong(2));
                }
                throw new IllegalStateException("The source server has no binary log (" + query + " is empty): enable it"
                        + " with log_bin, binlog_format=ROW and binlog_row_image=FULL");
            } catch (SQLException unknownStatement) {
                // MySQL before 8.2 and MariaDB only know SHOW MASTER STATUS; MySQL 8.4+ only SHOW BINARY LOG STATUS
            }
        }
        throw new IllegalStateException("Could not read the source's binlog position (SHOW MASTER STATUS failed): the"
                + " source user needs REPLICATION CLIENT");
    }

    private static void copyRows(Statement s, Connection replica, String table) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT * FROM " + quote(table))) {
            int n = rs.getMetaData().getColumnCount();
            String marks = String.join(", ", Collections.nCopies(n, "?"));
            try (PreparedStatement insert = replica.prepareStatement("INSERT INTO " + quote(table) + " VALUES (" + marks + ")")) {
                int batch = 0;
                while (rs.next()) {
                    for (int i = 1; i <= n; i++) {
                        insert.setObject(i, rs.getObject(i));
                    }
                    insert.addBatch();
                    if (++batch % 500 == 0) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
        }
    }

    /** Every row of the table by primary key, each value as the driver's text. */
    static Map<List<String>, List<String>> rows(Connection c, String table, List<String> primaryKey) throws SQLException {
        Map<List<String>, List<String>> rows = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + quote(table))) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                List<String> row = new ArrayList<>(meta.getColumnCount());
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                List<String> key = new ArrayList<>(primaryKey.size());
                for (String column : primaryKey) {
                    key.add(rs.getString(column));
                }
                rows.put(key, row);
            }
        }
        return rows;
    }

    /** How many rows differ between source and replica: missing, extra or with other values. */
    static int differences(Map<List<String>, List<String>> source, Map<List<String>, List<String>> replica) {
        int differences = 0;
        for (Map.Entry<List<String>, List<String>> row : source.entrySet()) {
            if (!row.getValue().equals(replica.get(row.getKey()))) {
                differences++;
            }
        }
        for (List<String> key : replica.keySet()) {
            if (!source.containsKey(key)) {
                differences++;
            }
        }
        return differences;
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    /** Regular expression matching exactly {@code text} (for the capture processor's include patterns). */
    static String literalPattern(String text) {
        return text.replaceAll("([\\\\.\\[\\]{}()*+?^$|,])", "\\\\$1");
    }

    /** Writes random inserts, updates and deletes into the sample table, one per call. */
    static final class SampleWriter {
        private static final String[] CUSTOMERS = {"Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances"};
        private static final String[] STATUSES = {"new", "paid", "shipped", "returned"};

        private final Connection connection;
        private final String table;
        private final Random random = new Random(42);
        private final List<Integer> live = new ArrayList<>();
        private int nextId = 1;

        SampleWriter(Connection connection, String table) {
            this.connection = connection;
            this.table = table;
        }

        /** One change: mostly inserts while the table is small, then a mix of updates, inserts and deletes. */
        void writeOne() throws SQLException {
            double dice = random.nextDouble();
            if (live.size() < 20 || dice < 0.4) {
                int id = nextId++;
                try (PreparedStatement p = connection.prepareStatement("INSERT INTO " + quote(table) + " VALUES (?, ?, ?, ?, ?, ?)")) {
                    p.setInt(1, id);
                    p.setString(2, CUSTOMERS[random.nextInt(CUSTOMERS.length)]);
                    p.setBigDecimal(3, amount());
                    p.setInt(4, 1 + random.nextInt(9));
                    p.setString(5, STATUSES[0]);
                    p.setString(6, random.nextInt(4) == 0 ? null : "order #" + id + " – ünïcödé ✓");
                    p.executeUpdate();
                }
                live.add(id);
            } else if (dice < 0.85) {
                int id = live.get(random.nextInt(live.size()));
                try (PreparedStatement p = connection.prepareStatement("UPDATE " + quote(table)
                        + " SET amount = ?, quantity = quantity + 1, status = ?, note = ? WHERE id = ?")) {
                    p.setBigDecimal(1, amount());
                    p.setString(2, STATUSES[random.nextInt(STATUSES.length)]);
                    p.setString(3, random.nextInt(3) == 0 ? null : "changed " + random.nextInt(1000));
                    p.setInt(4, id);
                    p.executeUpdate();
                }
            } else {
                int id = live.remove(random.nextInt(live.size()));
                try (PreparedStatement p = connection.prepareStatement("DELETE FROM " + quote(table) + " WHERE id = ?")) {
                    p.setInt(1, id);
                    p.executeUpdate();
                }
            }
        }

        private java.math.BigDecimal amount() {
            return java.math.BigDecimal.valueOf(random.nextInt(1_000_000), 2);
        }
    }
}
