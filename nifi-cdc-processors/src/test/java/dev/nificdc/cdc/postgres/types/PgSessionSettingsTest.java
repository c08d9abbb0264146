package dev.nificdc.cdc.postgres.types;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PgSessionSettingsTest {
    @Test
    void theOptionsOfAReplicationConnectionSetEverySettingAndEscapeSpaces() {
        PgSessionSettings settings = PgSessionSettings.withMonetaryLocale("German_Germany 1252\\x");
        assertEquals("-c DateStyle=ISO -c IntervalStyle=iso_8601 -c TimeZone=UTC -c extra_float_digits=3 -c bytea_output=hex"
                + " -c lc_monetary=German_Germany\\ 1252\\\\x", settings.connectionOptions());
        assertEquals(List.of("DateStyle", "IntervalStyle", "TimeZone", "extra_float_digits", "bytea_output", "lc_monetary"),
                List.copyOf(settings.asMap().keySet()));
    }
}
