package dev.nificdc.cdc.record;

/** The change operation, with Debezium's single-letter codes. */
public enum Operation {
    CREATE("c"), UPDATE("u"), DELETE("d"), READ("r"),
    /** Every row of the table was removed at once (SQL TRUNCATE): no before and no after image. */
    TRUNCATE("t");

    private final String code;

    Operation(String code) {
        this.code = code;
    }

    /** "c", "u", "d", "r" or "t" as in the envelope's {@code op} field. */
    public String code() {
        return code;
    }
}
