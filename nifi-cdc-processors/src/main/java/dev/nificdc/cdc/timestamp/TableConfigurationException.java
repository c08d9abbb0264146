package dev.nificdc.cdc.timestamp;

/** The configured table or columns do not exist or cannot be used; the message says which and what to change. */
public class TableConfigurationException extends IllegalArgumentException {
    public TableConfigurationException(String message) {
        super(message);
    }

    public TableConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
