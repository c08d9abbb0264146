package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.SourceOffset;
import org.postgresql.replication.LogSequenceNumber;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A resume point in a PostgreSQL server's WAL as logical replication sends it (whole transactions in commit order).
 *
 * <p>Between transactions, {@code lsn} is the end of the last transaction committed downstream (its commit record's
 * end) or a read view's position, and {@code changesToSkip} is 0: a stream started here emits every transaction that
 * commits at or after {@code lsn}. Inside a transaction, {@code lsn} is that transaction's commit LSN and
 * {@code changesToSkip} counts its captured changes already emitted: the server sends the transaction again and the
 * stream drops those first changes. Transactions committed before {@code lsn} are dropped whole. Offsets compare by
 * {@code lsn}, then {@code changesToSkip}.
 */
public record PgOffset(long lsn, long changesToSkip) implements SourceOffset<PgOffset> {
    /** State key: the LSN, as PostgreSQL writes it ({@code 16/B374D848}). */
    public static final String KEY_LSN = "pg.lsn";
    /** State key: changes of the transaction committing at the LSN already emitted (decimal). */
    public static final String KEY_CHANGES_TO_SKIP = "pg.changes.skip";

    private static final Comparator<PgOffset> ORDER = Comparator.comparing(PgOffset::lsn, Long::compareUnsigned)
            .thenComparingLong(PgOffset::changesToSkip);

    public PgOffset {
        if (changesToSkip < 0) {
            throw new IllegalArgumentException("Changes to skip must not be negative: " + changesToSkip);
        }
    }

    /** A point between transactions. */
    public static PgOffset at(long lsn) {
        return new PgOffset(lsn, 0);
    }

    @Override
    public Map<String, String> toStateMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(KEY_LSN, format(lsn));
        map.put(KEY_CHANGES_TO_SKIP, Long.toString(changesToSkip));
        return map;
    }

    /**
     * @return the offset in {@code state}, or null when it holds none
     * @throws IllegalArgumentException when a value is malformed
     */
    public static PgOffset fromStateMap(Map<String, String> state) {
        String lsn = state == null ? null : state.get(KEY_LSN);
        if (lsn == null) {
            return null;
        }
        try {
            return new PgOffset(parse(lsn), Long.parseLong(state.getOrDefault(KEY_CHANGES_TO_SKIP, "0").trim()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Stored PostgreSQL offset is malformed (" + KEY_LSN + "=" + lsn + ", "
                    + KEY_CHANGES_TO_SKIP + "=" + state.get(KEY_CHANGES_TO_SKIP) + "). Clear the processor state to start over.", e);
        }
    }

    /** An LSN as PostgreSQL writes it. */
    public static String format(long lsn) {
        return LogSequenceNumber.valueOf(lsn).asString();
    }

    /** Reads {@code X/Y}. */
    public static long parse(String lsn) {
        int slash = lsn.indexOf('/');
        if (slash < 1) {
            throw new IllegalArgumentException("Not an LSN: " + lsn);
        }
        return (Long.parseLong(lsn.substring(0, slash).trim(), 16) << 32) | Long.parseLong(lsn.substring(slash + 1).trim(), 16);
    }

    @Override
    public int compareTo(PgOffset other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return format(lsn) + (changesToSkip > 0 ? " (+" + changesToSkip + " changes)" : "");
    }
}
