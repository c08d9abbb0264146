package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.engine.ChangeStream;
import dev.nificdc.cdc.core.engine.StreamingSource;

import java.sql.SQLException;
import java.util.Map;

/** Streams a MySQL/MariaDB source's binlog through a {@link BinlogReader} on the first host that answers. */
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
        BinlogReader reader = config.openReader(resumeFrom, logger);
        if (resumeFrom == null) {
            logger.info("No stored binlog position: starting at " + config.startPosition());
        } else {
            logger.info("Resuming binlog capture at " + resumeFrom);
        }
        return reader;
    }

    @Override
    public BinlogOffset currentPosition() {
        try {
            return config.currentPosition();
        } catch (SQLException e) {
            throw new BinlogCaptureException(CaptureException.Reason.CONNECTION, "Could not read the current binlog position"
                    + " (SHOW MASTER STATUS, SHOW BINARY LOG STATUS on MySQL 8.4+): " + e.getMessage() + ". Check the connection"
                    + " and that the capture user has REPLICATION CLIENT (MariaDB: BINLOG MONITOR).", e);
        }
    }
}
