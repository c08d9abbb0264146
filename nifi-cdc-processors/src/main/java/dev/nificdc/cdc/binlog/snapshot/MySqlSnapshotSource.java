package dev.nificdc.cdc.binlog.snapshot;

import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.cdc.binlog.BinlogPositions;
import dev.nificdc.cdc.binlog.BinlogSourceConfig;
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
        SQLException last = null;
        for (BinlogSourceConfig.HostPort host : config.hosts()) {
            try {
                return ConsistentSnapshot.open(config.jdbc(host), method, config.filter(), config.logicalName(), logger);
            } catch (SQLException e) {
                if (e instanceof SQLNonTransientConnectionException || e.getCause() instanceof ConnectException) {
                    logger.warn("Could not connect to " + host + " for the snapshot: " + e.getMessage());
                    last = e;
                    continue;
                }
                throw e;
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
        return failure.getErrorCode() == 1045
                ? "Check the Username and Password; if the server requires TLS (require_secure_transport=ON or a user"
                + " created with REQUIRE SSL), configure an SSL Context Service."
                : "It resumes with the tables not yet committed on the next run; check the capture user's privileges"
                + " (SELECT, RELOAD) if this repeats.";
    }
}
