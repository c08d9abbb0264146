package dev.nificdc.cdc.postgres.types;

import java.util.Map;

/** STAND-IN until branch i18t lands the session settings under which text output is exact. */
public final class PgSessionSettings {
    private PgSessionSettings() {
    }

    /** The settings as GUC name to value. */
    public static Map<String, String> settings() {
        return Map.of("DateStyle", "ISO", "IntervalStyle", "postgres", "TimeZone", "UTC", "extra_float_digits", "3",
                "bytea_output", "hex");
    }
}
