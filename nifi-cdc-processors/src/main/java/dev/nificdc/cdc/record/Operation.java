package dev.nificdc.cdc.record;

/**
 * The change operation, with Debezium's single-letter codes. A TRUNCATE empties the whole table: its event has neither
 * a before nor an after image.
 */
public enum Operation {
    CREATE("c"), UPDATE("u"), DELETE("d"), READ("r"), TRUNCATE("t");

    private final String code;

    Operation(String code) {
        this.code = code;
    }

    /** "c", "u", "d", "r" or "t" as in the envelope's {@code op} field. */
    public String code() {
        return code;
    }
}
