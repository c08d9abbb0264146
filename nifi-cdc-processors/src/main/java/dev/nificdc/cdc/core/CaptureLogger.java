package dev.nificdc.cdc.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few log calls the capture engine makes; the NiFi processor adapts its {@code ComponentLog} to it so warnings
 * show up as bulletins. {@link #slf4j(Class)} logs through SLF4J.
 */
public interface CaptureLogger {
    void info(String message);

    void warn(String message);

    void warn(String message, Throwable cause);

    void debug(String message);

    static CaptureLogger slf4j(Class<?> owner) {
        Logger logger = LoggerFactory.getLogger(owner);
        return new CaptureLogger() {
            @Override
            public void info(String message) {
                logger.info(message);
            }

            @Override
            public void warn(String message) {
                logger.warn(message);
            }

            @Override
            public void warn(String message, Throwable cause) {
                logger.warn(message, cause);
            }

            @Override
            public void debug(String message) {
                logger.debug(message);
            }
        };
    }
}
