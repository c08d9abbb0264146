package dev.nificdc.cdc.record;

/** The change operation, with Debezium's single-letter codes. */
public enum Operation {
    CREATE("c"), UPDATE("u"), DELETE("d"), READ("r");

    private final String code;

    Operation(String code) {
        this.code = code;
    }

    /** "c", "u", "d" or "r" as in the envelope's {@code op} field. */
    public String code() {
        return code;
    }
}
