package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.engine.ChangeStream;
import dev.nificdc.cdc.core.engine.StreamingSource;
import dev.nificdc.cdc.core.snapshot.SnapshotProgress;

import java.sql.SQLException;
import java.util.Map;

/**
 * Streams a MySQL/MariaDB source's binlog through a {@link BinlogReader} on the first host that answers, moving to the
 * next host when the connected one is lost ({@link FailoverStream}).
 *
 * <p>While streaming still catches up with a snapshot that was read in several read views, the changes are compared
 * with those views by binlog position, which means something only on the server the views were read on: the stream
 * opened then stays on that server. {@link #storedOffset} notes this from the state the stream is opened for.
 */
public final class BinlogStreamingSource implements StreamingSource<BinlogOffset> {
    private final BinlogSourceConfig config;
    private final CaptureLogger logger;
    /** The server a snapshot still being caught up with was read on, from the state last given to storedOffset. */
    private ServerIdentity snapshotServer;

    public BinlogStreamingSource(BinlogSourceConfig config, CaptureLogger logger) {
        this.config = config;
        this.logger = logger;
    }

    @Override
    public BinlogOffset storedOffset(Map<String, String> state) {
        BinlogOffset offset = BinlogOffset.fromStateMap(state);
        SnapshotProgress<BinlogOffset> snapshot = SnapshotProgress.fromStateMap(state, BinlogPositions.INSTANCE);
        snapshotServer = snapshot != null && !snapshot.running() && snapshot.filterNeeded(offset) ? snapshot.streamStart().server() : null;
        return offset;
    }

    @Override
    public ChangeStream<BinlogOffset> open(BinlogOffset resumeFrom) {
        FailoverStream stream = new FailoverStream(config, resumeFrom, snapshotServer, logger);
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
