package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.engine.ChangeStream;
import dev.nificdc.cdc.core.engine.StreamingSource;

import java.sql.SQLException;
import java.util.Map;

/**
 * Streams a MySQL/MariaDB source's binlog through a {@link BinlogReader} on the first host that answers, moving to the
 * next host when the connected one is lost ({@link FailoverStream}).
 */
public final class BinlogStreamingSource implements StreamingSource<BinlogOffset> {
    private final BinlogSourceConfig config;
    private final CaptureLogger logger;

    public BinlogStreamingSource(BinlogSourceConfig config, CaptureLogger logger) {
        this.config = config;
        this.logger = logger;
    }

    @Override
    public BinlogOffset storedOffset(Map<String, String> state) {
        return BinlogOffset.fromStateMap(state);
    }

    @Override
    public ChangeStream<BinlogOffset> open(BinlogOffset resumeFrom) {
        FailoverStream stream = new FailoverStream(config, resumeFrom, logger);
        if (resumeFrom == null) {
            logger.info("No stored binlog position: starting at " + config.startPosition() + " on " + stream.host());
        } else {
            logger.info("Resuming binlog capture at " + resumeFrom + " on " + stream.host());
        }
        return stream;
    }

    @Override
    public BinlogOffset currentPosition() {
        try {
            return config.currentPosition();
        } catch (SQLException e) {
            // a host answered but refused (unreachable hosts are reported by config.currentPosition itself)
            throw new BinlogCaptureException(CaptureException.Reason.PRIVILEGES, "Could not read the current binlog position"
                    + " (SHOW MASTER STATUS, SHOW BINARY LOG STATUS on MySQL 8.4+): " + e.getMessage() + ". Check that the"
                    + " capture user has REPLICATION CLIENT (MariaDB: BINLOG MONITOR).", e);
        }
    }
}
