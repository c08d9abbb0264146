package dev.nificdc.cdc.binlog.snapshot;

import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.cdc.binlog.BinlogPositions;
import dev.nificdc.cdc.binlog.BinlogSourceConfig;
import dev.nificdc.cdc.binlog.ConnectionProblems;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.snapshot.LogPositions;
import dev.nificdc.cdc.core.snapshot.SnapshotSource;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;

/** Opens {@link ConsistentSnapshot} read views of a MySQL/MariaDB source on the first host that answers. */
public final class MySqlSnapshotSource implements SnapshotSource<BinlogOffset> {
    private final BinlogSourceConfig config;
    private final ConsistencyMethod method;
    private final CaptureLogger logger;

    public MySqlSnapshotSource(BinlogSourceConfig config, ConsistencyMethod method, CaptureLogger logger) {
        this.config = config;
        this.method = method;
        this.logger = logger;
    }

    @Override
    public ConsistentSnapshot openReadView() throws SQLException {
        SQLException unreachable = null;
        for (BinlogSourceConfig.HostPort host : config.hosts()) {
            try {
                return ConsistentSnapshot.open(config.jdbc(host), method, config.filter(), config.logicalName(), logger);
            } catch (SQLException e) {
                if (!connectionFailed(e)) {
                    throw e;
                }
                String problem = ConnectionProblems.describe(host.toString(), e);
                logger.warn("Could not connect to " + host + " for the snapshot: " + problem);
                if (unreachable == null) {
                    // the snapshot's error message adds its own full stop
                    String sentence = problem.endsWith(".") ? problem.substring(0, problem.length() - 1) : problem;
                    unreachable = new SQLNonTransientConnectionException(sentence, e.getSQLState(), e.getErrorCode(), e);
                }
            }
        }
        throw unreachable;
    }

    private static boolean connectionFailed(SQLException e) {
        return e instanceof SQLNonTransientConnectionException || e.getCause() instanceof ConnectException
                || ConnectionProblems.unreachable(e) || ConnectionProblems.tls(e);
    }

    /** What a snapshot would read and how it would lock, on the first host that answers, without opening a read view. */
    public SnapshotPreview preview() throws SQLException {
        SQLException last = null;
        for (BinlogSourceConfig.HostPort host : config.hosts()) {
            try {
                return SnapshotPreview.of(config.jdbc(host), method, config.filter(), logger);
            } catch (SQLException e) {
                if (!connectionFailed(e)) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    @Override
    public LogPositions<BinlogOffset> positions() {
        return BinlogPositions.INSTANCE;
    }

    @Override
    public String advice(SQLException failure) {
        if (failure instanceof SQLNonTransientConnectionException && failure.getErrorCode() != 1045) {
            return "The snapshot is tried again at the next run.";
        }
        return failure.getErrorCode() == 1045
                ? "Check the Username and Password; if the server requires TLS (require_secure_transport=ON or a user"
                + " created with REQUIRE SSL), configure an SSL Context Service."
                : "It resumes with the tables not yet committed on the next run; check the capture user's privileges"
                + " (SELECT; on MySQL RELOAD, or LOCK TABLES where RELOAD is not granted, as on Amazon RDS) if this repeats.";
    }
}
