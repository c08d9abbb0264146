package dev.nificdc.e2e;

import java.util.ArrayList;
import java.util.List;

/** The command line of {@link Demo}: {@code --name value} pairs and switches. */
record DemoOptions(
        boolean help,
        boolean exitWhenSynced,
        boolean postgres,
        String sourceHost,
        int sourcePort,
        String sourceUser,
        String sourcePassword,
        String sourceDatabase,
        String table,
        int changes,
        int changesPerSecond,
        int timeoutSeconds) {

    static final String SAMPLE_TABLE = "nifi_cdc_demo_orders";

    static final String USAGE = """
            Usage: ./demo.sh [options]

            Replicates a MySQL/MariaDB table (or a PostgreSQL table) into a second database with the nifi-cdc NAR
            running in a real, headless Apache NiFi (flow templates/binlog-to-database-replica.json, or
            templates/postgres-to-database-replica.json, imported through NiFi's REST API). Without --source-*
            options the demo starts its own MariaDB (binlog on) as the source; the replica is always a private
            database of the source's kind that the demo starts and deletes on exit.

              --source mariadb|postgres
                                       the source database (default mariadb). postgres starts a private PostgreSQL
                                       (wal_level=logical) as the source and another as the replica; the options
                                       --source-host/-port/-user/-password/-database and --table are for MariaDB only
              --exit-when-synced       exit (status 0) as soon as the replica matches the source, instead of
                                       running until Ctrl-C
              --source-host HOST       your MySQL/MariaDB server (binlog_format=ROW, binlog_row_image=FULL)
              --source-port PORT       default 3306
              --source-user USER       needs REPLICATION SLAVE, REPLICATION CLIENT, SELECT (and CREATE, INSERT,
                                       UPDATE, DELETE, DROP on the database for the sample table)
              --source-password PW     default empty; or set NIFI_CDC_DEMO_SOURCE_PASSWORD
              --source-database DB     the database to capture (required with --source-host)
              --table NAME             replicate this existing table (it needs a primary key) instead of creating
                                       the sample table %s and writing changes into it; the demo copies
                                       its current rows and then replicates every change you make
              --changes N              sample changes to write (default 300)
              --rate N                 sample changes per second (default 25)
              --timeout SECONDS        give up if the replica does not match after this long (default 600)
              --help                   this text
            """.formatted(SAMPLE_TABLE);

    boolean ownSource() {
        return sourceHost == null;
    }

    boolean sampleTable() {
        return table == null;
    }

    String tableName() {
        return table != null ? table : SAMPLE_TABLE;
    }

    static DemoOptions parse(String[] args) {
        boolean help = false;
        boolean exitWhenSynced = false;
        String source = "mariadb";
        String host = null;
        boolean portGiven = false;
        boolean passwordGiven = false;
        int port = 3306;
        String user = null;
        String password = System.getenv().getOrDefault("NIFI_CDC_DEMO_SOURCE_PASSWORD", "");
        String database = null;
        String table = null;
        int changes = 300;
        int rate = 25;
        int timeout = 600;
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String arg = rest.removeFirst();
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            switch (name) {
                case "--help", "-h" -> help = true;
                case "--exit-when-synced" -> exitWhenSynced = true;
                case "--source" -> source = value(name, inline, rest).toLowerCase();
                case "--source-host" -> host = value(name, inline, rest);
                case "--source-port" -> {
                    port = number(name, value(name, inline, rest));
                    portGiven = true;
                }
                case "--source-user" -> user = value(name, inline, rest);
                case "--source-password" -> {
                    password = value(name, inline, rest);
                    passwordGiven = true;
                }
                case "--source-database" -> database = value(name, inline, rest);
                case "--table" -> table = value(name, inline, rest);
                case "--changes" -> changes = number(name, value(name, inline, rest));
                case "--rate" -> rate = number(name, value(name, inline, rest));
                case "--timeout" -> timeout = number(name, value(name, inline, rest));
                default -> throw new IllegalArgumentException("Unknown option " + arg + "; see --help");
            }
        }
        boolean postgres = switch (source) {
            case "mariadb", "mysql" -> false;
            case "postgres", "postgresql" -> true;
            default -> throw new IllegalArgumentException("--source is mariadb or postgres, not '" + source + "'; see --help");
        };
        if (postgres && (host != null || user != null || database != null || portGiven || passwordGiven || table != null)) {
            throw new IllegalArgumentException("--source-host, --source-port, --source-user, --source-password, --source-database and --table work"
                    + " with --source mariadb only: with --source postgres the demo starts its own PostgreSQL source and"
                    + " replica with the sample table");
        }
        boolean anySource = user != null || database != null;
        if (host == null && anySource) {
            throw new IllegalArgumentException("--source-user and --source-database need --source-host (your server); see --help");
        }
        if (host != null && (user == null || database == null)) {
            throw new IllegalArgumentException("With --source-host give --source-user and --source-database too; see --help");
        }
        if (table != null && host == null) {
            throw new IllegalArgumentException("--table names an existing table of your server: give --source-host, --source-user and --source-database too");
        }
        if (rate < 1 || changes < 0 || timeout < 1) {
            throw new IllegalArgumentException("--rate and --timeout must be at least 1 and --changes at least 0");
        }
        return new DemoOptions(help, exitWhenSynced, postgres, host, port, user, password, database, table, changes, rate, timeout);
    }

    private static String value(String name, String inline, List<String> rest) {
        if (inline != null) {
            return inline;
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(name + " needs a value; see --help");
        }
        return rest.removeFirst();
    }

    private static int number(String name, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a whole number, not '" + text + "'");
        }
    }
}
