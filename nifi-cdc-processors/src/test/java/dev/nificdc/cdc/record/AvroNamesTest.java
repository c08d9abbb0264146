package dev.nificdc.cdc.record;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class AvroNamesTest {
    @Test
    void validNamesAreReturnedAsTheyAre() {
        String name = "updated_at2";
        assertSame(name, AvroNames.sanitize(name));
        assertEquals("_id", AvroNames.sanitize("_id"));
    }

    @Test
    void invalidCharactersBecomeUnderscoresAndALeadingDigitGetsAPrefix() {
        assertEquals("order_total__", AvroNames.sanitize("order total $"));
        assertEquals("_2fa", AvroNames.sanitize("2fa"));
        assertEquals("_", AvroNames.sanitize(""));
        assertEquals("a.b_c", AvroNames.namespace("a", null, "", "b-c"));
    }
}
