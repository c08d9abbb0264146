package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.core.CaptureLogger;
import org.apache.nifi.logging.ComponentLog;

/** Sends the capture engine's log lines to the processor's log, so warnings become bulletins. */
record ComponentCaptureLogger(ComponentLog log) implements CaptureLogger {
    @Override
    public void info(String message) {
        log.info(message);
    }

    @Override
    public void warn(String message) {
        log.warn(message);
    }

    @Override
    public void warn(String message, Throwable cause) {
        log.warn(message, cause);
    }

    @Override
    public void debug(String message) {
        log.debug(message);
    }
}
