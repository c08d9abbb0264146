package dev.nificdc.e2e;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The JDBC side of {@link Demo} common to its sources: the sample table, its change stream and the row-by-row comparison. */
final class DemoTables {
    private DemoTables() {
    }

    /**
     * The sample table's CREATE TABLE statement (int, varchar and decimal columns; no temporal columns), the same on
     * MariaDB and PostgreSQL; {@code tableOptions} (e.g. " ENGINE=InnoDB") follow the column list.
     */
    static String sampleTableStatement(String quotedTable, String tableOptions) {
        return "CREATE TABLE " + quotedTable + " ("
                + "id INT NOT NULL PRIMARY KEY, "
                + "customer VARCHAR(64) NOT NULL, "
                + "amount DECIMAL(10,2) NOT NULL, "
                + "quantity INT NOT NULL, "
                + "status VARCHAR(16) NULL, "
                + "note VARCHAR(200) NULL)" + tableOptions;
    }

    /** The table's primary key columns in key order; {@code catalog} and {@code schema} as the driver names them. */
    static List<String> primaryKey(Connection c, String catalog, String schema, String table) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        List<String> columns = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        try (ResultSet rs = meta.getPrimaryKeys(catalog, schema, table)) {
            while (rs.next()) {
                columns.add(rs.getString("COLUMN_NAME"));
                order.add(rs.getInt("KEY_SEQ"));
            }
        }
        List<String> sorted = new ArrayList<>(columns);
        sorted.sort((a, b) -> Integer.compare(order.get(columns.indexOf(a)), order.get(columns.indexOf(b))));
        if (sorted.isEmpty()) {
            throw new IllegalStateException("Table " + (catalog != null ? catalog : schema) + "." + table + " has no primary key; the replica flow"
                    + " applies updates and deletes by key, so give a table with a primary key (--table)");
        }
        return sorted;
    }

    /** Every row of the table by primary key, each value as the driver's text. */
    static Map<List<String>, List<String>> rows(Connection c, String quotedTable, List<String> primaryKey) throws SQLException {
        Map<List<String>, List<String>> rows = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + quotedTable)) {
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

    /** Regular expression matching exactly {@code text} (for the capture processor's include patterns). */
    static String literalPattern(String text) {
        return text.replaceAll("([\\\\.\\[\\]{}()*+?^$|,])", "\\\\$1");
    }

    /** Writes random inserts, updates and deletes into the sample table, one per call. */
    static final class SampleWriter {
        private static final String[] CUSTOMERS = {"Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances"};
        private static final String[] STATUSES = {"new", "paid", "shipped", "returned"};

        private final Connection connection;
        private final String quotedTable;
        private final Random random = new Random(42);
        private final List<Integer> live = new ArrayList<>();
        private int nextId = 1;

        SampleWriter(Connection connection, String quotedTable) {
            this.connection = connection;
            this.quotedTable = quotedTable;
        }

        /** One change: mostly inserts while the table is small, then a mix of updates, inserts and deletes. */
        void writeOne() throws SQLException {
            double dice = random.nextDouble();
            if (live.size() < 20 || dice < 0.4) {
                int id = nextId++;
                try (PreparedStatement p = connection.prepareStatement("INSERT INTO " + quotedTable + " VALUES (?, ?, ?, ?, ?, ?)")) {
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
                try (PreparedStatement p = connection.prepareStatement("UPDATE " + quotedTable
                        + " SET amount = ?, quantity = quantity + 1, status = ?, note = ? WHERE id = ?")) {
                    p.setBigDecimal(1, amount());
                    p.setString(2, STATUSES[random.nextInt(STATUSES.length)]);
                    p.setString(3, random.nextInt(3) == 0 ? null : "changed " + random.nextInt(1000));
                    p.setInt(4, id);
                    p.executeUpdate();
                }
            } else {
                int id = live.remove(random.nextInt(live.size()));
                try (PreparedStatement p = connection.prepareStatement("DELETE FROM " + quotedTable + " WHERE id = ?")) {
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
