package dev.nificdc.cdc.timestamp;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.temporal.Temporal;

/**
 * The upper bound of one run: every row with an update timestamp below it is taken as committed.
 * {@code upper = min(database clock - Commit Lag, start of the oldest open write transaction - CLOCK_MARGIN)}.
 *
 * @param upper             the bound, a value of the timestamp column's type
 * @param databaseNow       the database clock when the bound was computed (the clock type)
 * @param commitLag         the Commit Lag
 * @param transactions      what the server showed of its open write transactions; null when they were not read
 * @param heldByTransaction whether the oldest open write transaction, not the Commit Lag, set the bound
 */
public record UpperBound(Temporal upper, Temporal databaseNow, Duration commitLag, OpenTransactions.Snapshot transactions,
                         boolean heldByTransaction) {
    /**
     * Kept between an open transaction's start and the bound. It covers rounding to the column's precision (down to
     * whole seconds), MySQL's whole-second {@code trx_started}, and the moment between a MySQL statement's start (its
     * {@code NOW()}) and the start of its InnoDB transaction.
     */
    public static final Duration CLOCK_MARGIN = Duration.ofSeconds(1);

    static UpperBound of(TimestampType type, Temporal databaseNow, Duration commitLag, OpenTransactions.Snapshot transactions) {
        Temporal byLag = type.minus(databaseNow, commitLag);
        if (transactions == null || transactions.oldestStart() == null) {
            return new UpperBound(byLag, databaseNow, commitLag, transactions, false);
        }
        Temporal byTransaction = type.minus(transactions.oldestStart(), CLOCK_MARGIN);
        boolean held = type.compare(byTransaction, byLag) < 0;
        return new UpperBound(held ? byTransaction : byLag, databaseNow, commitLag, transactions, held);
    }

    /**
     * The bound of a run whose commit was interrupted, stored before that commit ({@link WatermarkState.Intent}): the
     * run that repeats it reads with the same bound instead of the clock, so it reads the same rows.
     */
    public static UpperBound repeated(Temporal upper, Duration commitLag) {
        return new UpperBound(upper, null, commitLag, null, false);
    }

    /** How long the oldest open write transaction has been open, or null when none is known. */
    public Duration oldestTransactionAge() {
        if (transactions == null || transactions.oldestStart() == null) {
            return null;
        }
        Temporal start = transactions.oldestStart();
        if (start instanceof OffsetDateTime && databaseNow instanceof OffsetDateTime || start instanceof LocalDateTime && databaseNow instanceof LocalDateTime) {
            return Duration.between(start, databaseNow);
        }
        return null;
    }

    /** E.g. {@code 2024-05-06T07:08:04 (database clock 2024-05-06T07:08:09 minus Commit Lag 5 s)}. */
    public String describe(TimestampType type) {
        if (databaseNow == null) {
            return type.format(upper) + " (the bound of the run whose commit was interrupted, read again)";
        }
        String clock = "database clock " + TimestampType.formatClock(databaseNow);
        if (!heldByTransaction) {
            return type.format(upper) + " (" + clock + " minus Commit Lag " + seconds(commitLag) + ")";
        }
        Duration age = oldestTransactionAge();
        return type.format(upper) + " (held " + seconds(CLOCK_MARGIN) + " before the start of the oldest open write transaction, "
                + transactions.oldest() + ", started " + TimestampType.formatClock(transactions.oldestStart())
                + (age == null ? "" : ", open for " + seconds(age)) + "; " + clock + ")";
    }

    /** A duration for messages: {@code 5 s}, {@code 0.250 s}. */
    public static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.3f s", millis / 1000.0);
    }
}
