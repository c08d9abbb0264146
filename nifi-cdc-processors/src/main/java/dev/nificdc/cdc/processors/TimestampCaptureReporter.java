package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.timestamp.OpenTransactions;
import dev.nificdc.cdc.timestamp.TimestampType;
import dev.nificdc.cdc.timestamp.UpperBound;
import dev.nificdc.cdc.timestamp.Watermark;
import org.apache.nifi.logging.ComponentLog;

import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

import static dev.nificdc.cdc.timestamp.UpperBound.seconds;

/**
 * Says in CaptureTimestampChange's log why rows wait or do not come: explains each table's first run after the
 * processor is scheduled (rows younger than the Commit Lag arrive later), warns once when open transactions cannot be
 * seen or no table matches, and reports when an open write transaction starts and stops holding the upper bound back,
 * with a warning when it holds it for long. One per schedule.
 */
final class TimestampCaptureReporter {
    /** A transaction holding the bound this long (at least; or 10 Commit Lags) is worth a warning. */
    static final Duration LONG_HOLD = Duration.ofMinutes(1);

    private final ComponentLog log;
    private final Set<String> explained = new HashSet<>();
    private final Set<String> warnedColumns = new HashSet<>();
    private boolean warnedVisibility;
    private boolean warnedNoTables;
    private int hidden;
    private Object holder;
    private String holderDescription;
    private boolean warnedLongHold;

    TimestampCaptureReporter(ComponentLog log) {
        this.log = log;
    }

    /**
     * After a table's run.
     *
     * @param initialStart where a table without stored watermark started (null from the Beginning)
     * @param initial      whether the table had no stored watermark
     */
    void ran(String table, TimestampType type, UpperBound bound, Watermark initialStart, boolean initial) {
        if (explained.add(table)) {
            String from = !initial ? "its stored watermark" : initialStart == null ? "the beginning of the table (Initial Position)"
                    : initialStart.describe(type) + " (Initial Position)";
            log.info("{}: first run since the processor started, from {}. Each run fetches the rows whose update timestamp is below "
                            + "the upper bound, this time {}: rows stamped less than the Commit Lag ({}) ago{} arrive in a later run",
                    table, from, bound.describe(type), seconds(bound.commitLag()),
                    bound.transactions() == null ? "" : ", or after the start of a write transaction that is still open,");
        }
        OpenTransactions.Snapshot transactions = bound.transactions();
        if (transactions == null) {
            return;
        }
        if (transactions.visibility() != OpenTransactions.Visibility.ALL && !warnedVisibility) {
            warnedVisibility = true;
            log.warn("Open Transactions is Wait, but {}. The upper bound is the Commit Lag ({}) alone for the transactions it cannot "
                            + "see{}: a write transaction that stays open longer than the Commit Lag can lose its rows",
                    transactions.limitation(), seconds(bound.commitLag()),
                    transactions.visibility() == OpenTransactions.Visibility.OWN_ROLE ? " (other roles')" : " (all of them)");
        }
        if (transactions.hidden() > 0 && hidden == 0) {
            log.warn("{} open write transaction(s) do not show their start to this user; only the Commit Lag ({}) protects their rows",
                    transactions.hidden(), seconds(bound.commitLag()));
        }
        hidden = transactions.hidden();
        reportHolder(type, bound);
    }

    /**
     * Reports a transaction holding the bound once it has been open for the Commit Lag: a steady stream of short
     * transactions (on MySQL, whose transaction starts have whole seconds) can hold it by a moment in every run.
     */
    private void reportHolder(TimestampType type, UpperBound bound) {
        OpenTransactions.Snapshot transactions = bound.transactions();
        Duration age = bound.oldestTransactionAge();
        boolean holding = bound.heldByTransaction() && age != null && age.compareTo(bound.commitLag()) >= 0;
        Object current = holding ? transactions.oldestStart() : null; // the description also holds the session's changing state
        if (!Objects.equals(current, holder)) {
            if (current != null) {
                holderDescription = transactions.oldest() + ", started " + TimestampType.formatClock(transactions.oldestStart());
                log.info("The upper bound waits for the open write transaction {}: rows stamped after {} are held back until it ends",
                        holderDescription, type.format(bound.upper()));
            } else {
                log.info("The write transaction that held the upper bound back ({}) has ended; the bound follows the Commit Lag again",
                        holderDescription);
            }
            holder = current;
            warnedLongHold = false;
        }
        Duration longHold = LONG_HOLD.compareTo(bound.commitLag().multipliedBy(10)) > 0 ? LONG_HOLD : bound.commitLag().multipliedBy(10);
        if (current != null && !warnedLongHold && age.compareTo(longHold) > 0) {
            warnedLongHold = true;
            log.warn("The write transaction {} has been open for {}; rows stamped after its start wait until it ends. End it "
                    + "(PostgreSQL: pg_terminate_backend, idle_in_transaction_session_timeout; MySQL: KILL) or set Open Transactions "
                    + "to Ignore to let the Commit Lag alone bound the runs", holderDescription, seconds(age));
        }
    }

    /** No table is selected yet (the patterns match none). */
    void noTables() {
        if (!warnedNoTables) {
            warnedNoTables = true;
            log.warn("No table matches Table Include Pattern yet; the processor fetches nothing until one does (checked at every run)");
        }
    }

    /** A stored watermark was ignored because the table's ordering columns changed. */
    void otherColumns(String table, String stored, String configured) {
        if (warnedColumns.add(table)) {
            log.warn("The stored watermark of {} belongs to the columns [{}], not to the configured [{}]; the table starts from the "
                    + "Initial Position", table, stored, configured);
        }
    }
}
