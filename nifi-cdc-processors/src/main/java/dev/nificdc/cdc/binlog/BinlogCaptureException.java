package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CaptureException;

/**
 * A failure of binlog capture that the user has to act on (credentials, REPLICATION SLAVE / REPLICATION CLIENT / SELECT
 * privileges, binlog settings, a purged position); {@link #reason()} classifies it and the message says what happened
 * and what to do.
 */
public class BinlogCaptureException extends CaptureException {

    public BinlogCaptureException(Reason reason, String message) {
        super(reason, message);
    }

    public BinlogCaptureException(Reason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
