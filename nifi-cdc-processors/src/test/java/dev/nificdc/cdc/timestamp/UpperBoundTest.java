package dev.nificdc.cdc.timestamp;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpperBoundTest {
    private static final LocalDateTime NOW = LocalDateTime.of(2024, 5, 6, 7, 8, 9, 500_000_000);
    private static final Duration LAG = Duration.ofSeconds(5);

    private static OpenTransactions.Snapshot openSince(LocalDateTime start) {
        return new OpenTransactions.Snapshot(OpenTransactions.Visibility.ALL, start, "pid 42 of app, idle in transaction", 0, null);
    }

    @Test
    void theCommitLagBoundsARunWhenNoOldWriteTransactionIsOpen() {
        UpperBound none = UpperBound.of(TimestampType.LOCAL_DATE_TIME, NOW, LAG, openSince(null));
        assertEquals(NOW.minusSeconds(5), none.upper());
        assertFalse(none.heldByTransaction());
        assertNull(none.oldestTransactionAge());
        assertEquals("2024-05-06T07:08:04.5 (database clock 2024-05-06T07:08:09.5 minus Commit Lag 5 s)", none.describe(TimestampType.LOCAL_DATE_TIME));

        UpperBound young = UpperBound.of(TimestampType.LOCAL_DATE_TIME, NOW, LAG, openSince(NOW.minusSeconds(3)));
        assertEquals(NOW.minusSeconds(5), young.upper(), "a transaction younger than Commit Lag minus the margin does not hold the bound");
        assertFalse(young.heldByTransaction());

        UpperBound ignored = UpperBound.of(TimestampType.LOCAL_DATE_TIME, NOW, LAG, null);
        assertEquals(NOW.minusSeconds(5), ignored.upper());
    }

    @Test
    void anOlderOpenWriteTransactionHoldsTheBoundAMarginBeforeItsStart() {
        LocalDateTime start = NOW.minusSeconds(60);
        UpperBound held = UpperBound.of(TimestampType.LOCAL_DATE_TIME, NOW, LAG, openSince(start));
        assertEquals(start.minus(UpperBound.CLOCK_MARGIN), held.upper());
        assertTrue(held.heldByTransaction());
        assertEquals(Duration.ofSeconds(60), held.oldestTransactionAge());
        assertTrue(held.describe(TimestampType.LOCAL_DATE_TIME).contains("pid 42 of app, idle in transaction, started 2024-05-06T07:07:09.5, open for 60 s"),
                held.describe(TimestampType.LOCAL_DATE_TIME));

        OffsetDateTime zonedNow = NOW.atOffset(ZoneOffset.ofHours(2));
        OpenTransactions.Snapshot zonedOpen = new OpenTransactions.Snapshot(OpenTransactions.Visibility.ALL,
                NOW.minusSeconds(60).atOffset(ZoneOffset.UTC).minusHours(2), "x", 0, null);
        UpperBound zoned = UpperBound.of(TimestampType.OFFSET_DATE_TIME, zonedNow, LAG, zonedOpen);
        assertTrue(zoned.heldByTransaction(), "instants are compared, whatever their offsets");
        assertEquals(Duration.ofSeconds(60), zoned.oldestTransactionAge());

        UpperBound day = UpperBound.of(TimestampType.DATE, LocalDateTime.of(2024, 5, 6, 0, 0, 3), LAG,
                openSince(LocalDateTime.of(2024, 5, 4, 23, 0)));
        assertEquals(LocalDate.of(2024, 5, 4), day.upper(), "a DATE column waits for the day the transaction started in");
    }
}
