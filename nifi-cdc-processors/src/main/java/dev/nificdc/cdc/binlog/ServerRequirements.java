package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.TableFilter;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that a server can be captured: binlog on, ROW format, FULL row image, FULL row metadata, the replication
 * privileges, GTID mode. The processor's "Verify" and {@link BinlogReader#start()} use the same checks, asking through
 * {@link MySqlServer}.
 */
public final class ServerRequirements {

    /** Outcome of one check. */
    public enum Status {
        OK, WARN, FAIL
    }

    /**
     * One named check.
     *
     * @param name     what was checked, e.g. {@code binlog_format}
     * @param status   OK, WARN (capture works with a limitation) or FAIL (capture cannot work)
     * @param actual   the value found
     * @param required the value needed
     * @param fix      what to do when not OK (empty when OK)
     */
    public record CheckResult(String name, Status status, String actual, String required, String fix) {
        @Override
        public String toString() {
            return name + ": " + status + " (actual " + actual + ", required " + required + ")" + (fix.isEmpty() ? "" : ". " + fix);
        }
    }

    /** What capture does without column names in the binlog; Verify and the reader's start warning say it. */
    static final String WITHOUT_FULL_METADATA = "column names, ENUM/SET labels and the primary key come from information_schema,"
            + " and every table map is checked against it: replaying binlog written before an ALTER TABLE that changed a"
            + " column's type or size, or the number of columns, stops capture with an error (start again after that"
            + " statement); a change that keeps all types, such as RENAME COLUMN, cannot be detected and names the older"
            + " rows as the table is now.";

    private ServerRequirements() {
    }

    /** Runs every check against the server; a failing query yields a FAIL result, never an exception. */
    public static List<CheckResult> check(MySqlServer server) {
        List<CheckResult> results = new ArrayList<>();
        String version = server.version();
        results.add(new CheckResult("server version", Status.OK, version == null ? "unknown" : version, "MariaDB 10.5+ or MySQL 8.0.1+ (tested: MariaDB 10.11)", ""));

        String logBin = server.variable("log_bin");
        results.add(equalsCheck("log_bin", logBin, "ON",
                "Enable the binary log: start the server with log_bin (e.g. log-bin=mysql-bin in my.cnf) and restart it."));
        results.add(equalsCheck("binlog_format", server.variable("binlog_format"), "ROW",
                "Set binlog_format=ROW in the server configuration (SET GLOBAL binlog_format='ROW' affects new sessions only)."));
        results.add(equalsCheck("binlog_row_image", server.variable("binlog_row_image"), "FULL",
                "Set binlog_row_image=FULL so every change carries all columns of the row."));
        String metadata = server.variable("binlog_row_metadata");
        if (metadata == null) {
            results.add(new CheckResult("binlog_row_metadata", Status.WARN, "not supported", "FULL",
                    "This server version cannot write column names into the binlog (MySQL 8.0.1+, MariaDB 10.5+ can): "
                            + WITHOUT_FULL_METADATA + " Signedness and charset changes are not detected either."));
        } else if (!metadata.equalsIgnoreCase("FULL")) {
            results.add(new CheckResult("binlog_row_metadata", Status.WARN, metadata, "FULL",
                    "Set binlog_row_metadata=FULL so each row carries the column names, types and primary key it was written"
                            + " with. With " + metadata + ": " + WITHOUT_FULL_METADATA
                            + (metadata.equalsIgnoreCase("NO_LOG") ? " Signedness and charset changes are not detected either." : "")));
        } else {
            results.add(new CheckResult("binlog_row_metadata", Status.OK, metadata, "FULL", ""));
        }
        CheckResult compression = compression(server);
        if (compression != null) {
            results.add(compression);
        }
        results.add(privileges(server));
        results.add(binlogStatus(server));
        if (ServerFlavor.ofVersion(version) == ServerFlavor.MARIADB) {
            String pos = server.gtidBinlogPosition();
            results.add(new CheckResult("gtid", Status.OK, "MariaDB GTID position " + (pos == null || pos.isEmpty() ? "(empty)" : pos),
                    "optional", ""));
        } else {
            String gtidMode = server.gtidMode();
            results.add(new CheckResult("gtid_mode", Status.OK, gtidMode == null ? "not supported" : gtidMode,
                    "optional (ON allows resuming by GTID after fail-over)", ""));
        }
        return results;
    }

    /**
     * Which existing tables the filter captures: WARN when none (a misspelt database or table name, or tables not created
     * yet), OK with the count and the first few names otherwise. Needs SELECT on the tables (information_schema shows
     * only tables the user can see).
     */
    public static CheckResult checkTables(Connection connection, TableFilter filter) {
        List<String> matched = new ArrayList<>();
        List<String> databases = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'"
                     + " ORDER BY TABLE_SCHEMA, TABLE_NAME")) {
            while (rs.next()) {
                String db = rs.getString(1);
                String table = rs.getString(2);
                if (filter.includesDatabase(db) && !databases.contains(db)) {
                    databases.add(db);
                }
                if (filter.includesTable(db, table)) {
                    matched.add(db + "." + table);
                }
            }
        } catch (SQLException e) {
            return new CheckResult("captured tables", Status.WARN, "information_schema not readable: " + e.getMessage(),
                    "at least one table", "Grant SELECT on the captured tables to the capture user.");
        }
        if (matched.isEmpty()) {
            return new CheckResult("captured tables", Status.WARN, "no existing table matches the filters", "at least one table",
                    "Check the database and table expressions (regular expressions matched against db and db.table; names are"
                            + " case-sensitive). Databases the filters include: " + (databases.isEmpty() ? "none" : String.join(", ", databases))
                            + ". Tables created later are captured when they appear.");
        }
        String sample = String.join(", ", matched.subList(0, Math.min(5, matched.size()))) + (matched.size() > 5 ? ", ..." : "");
        return new CheckResult("captured tables", Status.OK, matched.size() + " tables (" + sample + ")", "at least one table", "");
    }

    /** True when no check failed. */
    public static boolean allPassed(List<CheckResult> results) {
        return results.stream().noneMatch(r -> r.status() == Status.FAIL);
    }

    private static CheckResult equalsCheck(String name, String actual, String required, String fix) {
        boolean ok = actual != null && actual.equalsIgnoreCase(required);
        return new CheckResult(name, ok ? Status.OK : Status.FAIL, actual == null ? "unknown" : actual, required, ok ? "" : fix);
    }

    /** The privileges capture needs, as the checks and Verify name them. */
    static final String REQUIRED_PRIVILEGES = "REPLICATION SLAVE, REPLICATION CLIENT (MariaDB: BINLOG MONITOR), SELECT";
    /**
     * Binlog compression: MariaDB's log_bin_compress (each event of at least log_bin_compress_min_len bytes compressed)
     * and MySQL 8's binlog_transaction_compression (each transaction one compressed payload). Both are decoded; the
     * result says which is on. Null when the server has neither setting.
     */
    private static CheckResult compression(MySqlServer server) {
        boolean mariaDb = ServerFlavor.ofVersion(server.version()) == ServerFlavor.MARIADB;
        String name = mariaDb ? "log_bin_compress" : "binlog_transaction_compression";
        String value = server.variable(name);
        if (value == null) {
            return null;
        }
        String actual = value;
        if (mariaDb && value.equalsIgnoreCase("ON")) {
            actual = value + " (log_bin_compress_min_len=" + server.variable("log_bin_compress_min_len")
                    + "): compressed events are decoded like plain ones";
        } else if (value.equalsIgnoreCase("ON")) {
            actual = value + ": the events inside each compressed transaction are decoded like plain ones";
        }
        return new CheckResult(name, Status.OK, actual, "ON or OFF", "");
    }

    private static CheckResult privileges(MySqlServer server) {
        Grants grants;
        try {
            grants = new Grants(server.grants());
        } catch (SQLException e) {
            return new CheckResult("privileges", Status.WARN, "SHOW GRANTS failed: " + e.getMessage(), REQUIRED_PRIVILEGES,
                    "Check the grants of the capture user.");
        }
        boolean slave = grants.global("REPLICATION SLAVE") || grants.global("REPLICATION REPLICA");
        boolean client = grants.global("REPLICATION CLIENT") || grants.global("BINLOG MONITOR") || grants.global("SUPER");
        boolean select = grants.anywhere("SELECT");
        List<String> held = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        (slave ? held : missing).add("REPLICATION SLAVE");
        (client ? held : missing).add(grants.global("BINLOG MONITOR") && !grants.global("REPLICATION CLIENT") ? "BINLOG MONITOR" : "REPLICATION CLIENT");
        (select ? held : missing).add(select ? grants.describe("SELECT") : "SELECT");
        for (String snapshot : List.of("RELOAD", "LOCK TABLES", "SHOW DATABASES")) {
            if (grants.anywhere(snapshot)) {
                held.add(grants.describe(snapshot));
            }
        }
        String actual = "held: " + (held.isEmpty() ? "none of them" : String.join(", ", held))
                + (missing.isEmpty() ? "" : "; missing: " + String.join(", ", missing));
        if (!slave || !client) {
            List<String> grant = missing.stream().filter(p -> !p.equals("SELECT")).toList();
            return new CheckResult("privileges", Status.FAIL, actual, REQUIRED_PRIVILEGES,
                    "Run GRANT " + String.join(", ", grant) + " ON *.* TO '<user>'@'%' as an administrator.");
        }
        if (!select) {
            return new CheckResult("privileges", Status.WARN, actual, REQUIRED_PRIVILEGES, "Grant SELECT on the captured"
                    + " tables (e.g. GRANT SELECT ON shop.* TO '<user>'@'%'): the snapshot reads them and table metadata comes"
                    + " from information_schema, which shows only tables the user can select from. Privileges given through a"
                    + " role are not seen by this check.");
        }
        return new CheckResult("privileges", Status.OK, actual, REQUIRED_PRIVILEGES, "");
    }

    private static CheckResult binlogStatus(MySqlServer server) {
        try {
            return server.binlogPosition()
                    .map(position -> new CheckResult("binlog position", Status.OK, position.file() + ":" + position.position(), "readable", ""))
                    .orElseGet(() -> new CheckResult("binlog position", Status.FAIL, "none", "readable",
                            "SHOW MASTER STATUS returned nothing: enable the binary log (log_bin)."));
        } catch (SQLException e) {
            return new CheckResult("binlog position", Status.FAIL, e.getMessage(), "readable",
                    "Grant REPLICATION CLIENT (BINLOG MONITOR on MariaDB) to the capture user.");
        }
    }
}
