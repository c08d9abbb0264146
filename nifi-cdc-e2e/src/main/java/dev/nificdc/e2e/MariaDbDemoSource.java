package dev.nificdc.e2e;

import dev.nificdc.e2e.DatabaseSink.JdbcTarget;
import dev.nificdc.testsupport.MariaDbServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@link Demo}'s default source: a private MariaDB with the binlog on (or the user's MySQL/MariaDB server given with
 * {@code --source-*}), a private MariaDB replica and templates/binlog-to-database-replica.json. The demo copies the
 * table's rows into the replica itself and starts capture at the binlog position of that copy.
 */
final class MariaDbDemoSource implements DemoSource {
    private static final String DEMO_DATABASE = "nifi_cdc_demo";
    private static final String REPLICA_USER = "nifi_replica";
    private static final String REPLICA_PASSWORD = "replica-Secret-1";

    private DemoOptions options;
    private String host;
    private int port;
    private String database;
    private String captureUser;
    private String capturePassword;
    private SourceConnector connector;
    private Connection source;
    private MariaDbServer replicaServer;
    private Connection replica;
    private List<String> primaryKey;
    private BinlogPosition position;

    @FunctionalInterface
    private interface SourceConnector {
        Connection connect() throws SQLException;
    }

    @Override
    public String template() {
        return "binlog-to-database-replica.json";
    }

    @Override
    public String groupName() {
        return "CDC Binlog to Database Replica (demo)";
    }

    @Override
    public String captureProcessor() {
        return "Capture binlog changes";
    }

    @Override
    public String lagCounter() {
        return "Binlog lag (ms)";
    }

    @Override
    public void start(DemoOptions options, Consumer<String> step, Consumer<AutoCloseable> track) throws Exception {
        this.options = options;
        if (options.ownSource()) {
            step.accept("Starting the source: a private MariaDB " + MariaDbServer.SERVER_VERSION + " with the binlog on (ROW, FULL row image)");
            MariaDbServer server = MariaDbServer.start();
            track.accept(server);
            database = DEMO_DATABASE;
            server.execute("CREATE DATABASE " + quote(database) + " CHARACTER SET utf8mb4");
            host = server.host();
            port = server.port();
            captureUser = MariaDbServer.CDC_USER;
            capturePassword = MariaDbServer.CDC_PASSWORD;
            connector = () -> {
                Connection c = server.adminConnection();
                c.setCatalog(DEMO_DATABASE);
                return c;
            };
        } else {
            host = options.sourceHost();
            port = options.sourcePort();
            database = options.sourceDatabase();
            captureUser = options.sourceUser();
            capturePassword = options.sourcePassword();
            step.accept("Connecting to your source " + host + ":" + port + "/" + database + " as " + captureUser);
            String url = "jdbc:mariadb://" + host + ":" + port + "/" + database;
            String user = captureUser;
            String password = capturePassword;
            connector = () -> DriverManager.getConnection(url, user, password);
        }
        source = connector.connect();
        track.accept(source);
        String table = options.tableName();
        if (options.sampleTable()) {
            step.accept("Creating the sample table " + tableLabel() + " in the source (int, varchar, decimal columns)"
                    + (options.ownSource() ? "" : "; it is dropped again when the demo exits"));
            try (Statement s = source.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + quotedTable());
                s.execute(DemoTables.sampleTableStatement(quotedTable(), " ENGINE=InnoDB"));
            }
            if (!options.ownSource()) {
                Connection dropper = source;
                track.accept(() -> {
                    try (Statement s = dropper.createStatement()) {
                        s.execute("DROP TABLE IF EXISTS " + quotedTable());
                    }
                });
            }
        }
        primaryKey = DemoTables.primaryKey(source, database, null, table);

        step.accept("Starting the replica: a second private MariaDB");
        replicaServer = MariaDbServer.start();
        track.accept(replicaServer);
        replicaServer.execute("CREATE DATABASE " + quote(database) + " CHARACTER SET utf8mb4",
                "CREATE USER '" + REPLICA_USER + "'@'%' IDENTIFIED BY '" + REPLICA_PASSWORD + "'",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON " + quote(database) + ".* TO '" + REPLICA_USER + "'@'%'");
        replica = replicaServer.adminConnection();
        track.accept(replica);
        replica.setCatalog(database);
        try (Statement s = replica.createStatement()) {
            s.execute(createStatement(source, table));
        }
        position = positionAndCopy(source, replica, table);
        int copied = DemoTables.rows(replica, quotedTable(), primaryKey).size();
        step.accept("Replica table created" + (copied > 0 ? ", " + copied + " existing rows copied" : "") + "; capture starts at binlog " + position);
    }

    @Override
    public Connection source() {
        return source;
    }

    @Override
    public Connection replica() {
        return replica;
    }

    @Override
    public Connection connectSource() throws SQLException {
        return connector.connect();
    }

    @Override
    public String quotedTable() {
        return quote(options.tableName());
    }

    @Override
    public List<String> primaryKey() {
        return primaryKey;
    }

    @Override
    public String tableLabel() {
        return database + "." + options.tableName();
    }

    @Override
    public Map<String, String> flowParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("mysql.hosts", host + ":" + port);
        parameters.put("mysql.username", captureUser);
        parameters.put("mysql.password", capturePassword);
        parameters.put("cdc.database.include", DemoTables.literalPattern(database));
        parameters.putAll(FlowDefinitions.replicaParameters(new JdbcTarget(replicaServer.jdbcUrl(null), "org.mariadb.jdbc.Driver",
                JdbcTarget.jarOf(org.mariadb.jdbc.Driver.class), REPLICA_USER, REPLICA_PASSWORD, "MySQL")));
        return parameters;
    }

    @Override
    public List<String> sensitiveParameters() {
        return List.of("mysql.password", "replica.db.password");
    }

    /** The demo copied the rows itself at a known binlog position, so the processor streams from there without a snapshot. */
    @Override
    public Map<String, String> captureProperties() {
        return Map.of(
                "Snapshot Mode", "never",
                "Initial Binlog Position", "FILE_POSITION",
                "Initial Binlog File", position.file(),
                "Initial Binlog Position Offset", Long.toString(position.offset()),
                "Table Include Pattern", DemoTables.literalPattern(tableLabel()));
    }

    @Override
    public String canvasNote() {
        return "./demo.sh imported binlog-to-database-replica.json and set it up: its parameters point"
                + " at the demo's two MariaDB servers, the demo copied the table's rows into the replica and started capture at that"
                + " binlog position, and it writes changes into the source. Nothing to set here: watch the queue and the processors'"
                + " counters. Ctrl-C in the demo's terminal stops it and deletes everything it started.";
    }

    @Override
    public String clientHint() {
        return options.ownSource() ? String.format("mysql -h %s -P %d -u root %s", host, port, database) : null;
    }

    /** A binlog file and offset: where capture starts. */
    private record BinlogPosition(String file, long offset) {
        @Override
        public String toString() {
            return file + ":" + offset;
        }
    }

    /** The table's CREATE TABLE statement, made acceptable to the MariaDB replica (MySQL 8 collations). */
    private static String createStatement(Connection source, String table) throws SQLException {
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SHOW CREATE TABLE " + quote(table))) {
            if (!rs.next()) {
                throw new IllegalStateException("Table " + table + " not found in the source database");
            }
            return rs.getString(2).replaceAll("utf8mb4_0900_\\w+", "utf8mb4_unicode_ci");
        }
    }

    /**
     * Reads the binlog position and copies every current row of the table into the replica table. On MariaDB the
     * position is the one of the consistent snapshot the rows are read from (exact even while the table changes);
     * on MySQL it is read just before the copy, so the table should be quiet for that moment.
     */
    private static BinlogPosition positionAndCopy(Connection source, Connection replica, String table) throws SQLException {
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

    private static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }
}
