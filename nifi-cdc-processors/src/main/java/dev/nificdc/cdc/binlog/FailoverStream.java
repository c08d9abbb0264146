package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CaptureMetrics;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.engine.ChangeStream;

import java.time.Duration;

/**
 * The binlog of a source with several hosts, read through one {@link BinlogReader} at a time: when the connected host is
 * lost for longer than the fail-over timeout, the stream continues on the next host of the list, right after the last
 * change it handed out (by GTID, since the other host is another server), so the caller sees neither a gap nor a repeat.
 * When no host can continue, {@link #poll} throws as the reader did.
 */
final class FailoverStream implements ChangeStream<BinlogOffset> {
    private final BinlogSourceConfig config;
    private final CaptureLogger logger;
    private final CaptureMetrics metrics = new CaptureMetrics();
    private final ServerIdentity requiredServer;
    private BinlogReader reader;
    private int hostIndex;

    /**
     * @param requiredServer when not null, the only server to stream from (while streaming catches up with a snapshot
     *                       read in several read views there, whose binlog positions mean nothing on another server)
     */
    FailoverStream(BinlogSourceConfig config, BinlogOffset resumeFrom, ServerIdentity requiredServer, CaptureLogger logger) {
        this.config = config;
        this.logger = logger;
        this.requiredServer = requiredServer;
        BinlogSourceConfig.OpenReader opened = config.openReader(resumeFrom, 0, requiredServer, metrics, logger);
        reader = opened.reader();
        hostIndex = opened.hostIndex();
    }

    @Override
    public CapturedChange<BinlogOffset> poll(Duration timeout) throws InterruptedException {
        try {
            return reader.poll(timeout);
        } catch (BinlogCaptureException e) {
            if (!reader.hostLost()) {
                throw e;
            }
            failOver(e);
            return null;
        }
    }

    private void failOver(BinlogCaptureException lost) {
        reader.close();
        BinlogOffset resume = reader.resumeOffset();
        logger.warn(lost.getMessage() + ". Moving to the next host in Hosts, continuing after " + resume);
        try {
            BinlogSourceConfig.OpenReader opened = config.openReader(resume, (hostIndex + 1) % config.hosts().size(), requiredServer,
                    metrics, logger);
            reader = opened.reader();
            hostIndex = opened.hostIndex();
        } catch (BinlogCaptureException none) {
            none.addSuppressed(lost);
            throw none;
        }
        metrics.recordFailover();
        logger.info("Streaming from " + config.hosts().get(hostIndex) + " (" + reader.server() + ") after losing the previous host");
    }

    @Override
    public CaptureMetrics metrics() {
        return metrics;
    }

    @Override
    public BinlogOffset position() {
        return reader.position();
    }

    /** The host streamed from now, as configured. */
    BinlogSourceConfig.HostPort host() {
        return config.hosts().get(hostIndex);
    }

    @Override
    public void close() {
        reader.close();
    }
}
