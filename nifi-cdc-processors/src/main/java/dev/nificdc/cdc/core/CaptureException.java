package dev.nificdc.cdc.core;

/**
 * A failure of capture that the user has to act on, for any source; {@link #reason()} classifies it and the message
 * says what happened and what to do.
 */
public class CaptureException extends RuntimeException {

    /** What went wrong. */
    public enum Reason {
        /** User name or password rejected. */
        AUTHENTICATION,
        /** The user lacks a privilege. */
        PRIVILEGES,
        /** The server does not write a change log capture can read (e.g. MySQL's log_bin off, binlog_format not ROW). */
        SERVER_SETTINGS,
        /** The resume position is no longer on the server (purged) or does not exist. */
        POSITION_UNAVAILABLE,
        /** The server could not be reached. */
        CONNECTION,
        /** An event could not be decoded or mapped. */
        DECODING,
        /** A configuration value is invalid (e.g. a regular expression). */
        CONFIGURATION,
        /** The initial snapshot could not read the tables. */
        SNAPSHOT
    }

    private final Reason reason;

    public CaptureException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public CaptureException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
