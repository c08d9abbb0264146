package dev.nificdc.cdc.postgres;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The transactions a replication stream has handed out since it started, kept so that an incremental snapshot can tell
 * exactly whether a read view sees all of them ({@link PgReadView#contains}). Shared by the {@link PgStreamingSource},
 * whose reader records each transaction at its Begin message (before any of its changes is handed out), and the
 * {@link PgSnapshotSource}, whose incremental views judge against it. Thread-safe.
 *
 * <p>What it knows about a stream that started at offset {@code R}:
 * <ul>
 * <li>every transaction with a commit LSN after {@code R} that the stream received: its 32-bit xid and commit LSN,
 * in commit order;</li>
 * <li>a bound for the others: every transaction committed at or before {@code R} has a txid below
 * {@link #streamStarted start bound} {@code X0}, a txid assigned when the stream started (a transaction's xid is assigned
 * before its commit record is written, and that record was in the WAL before the stream started); transactions dropped
 * when more than {@code capacity} are kept raise the bound to above their xids.</li>
 * </ul>
 * A transaction visible in a read view is visible in every later one (it had ended when the first was taken), so
 * {@link #judge} forgets every transaction the view sees, and the bound once a view's {@code xmin} passes it: what stays is
 * the few transactions the last view did not see yet.
 */
public final class PgStreamedTransactions {
    /** How many transactions are kept at most (16 bytes each); beyond it the oldest half is forgotten. */
    public static final int DEFAULT_CAPACITY = 500_000;
    private static final long NO_STREAM = -1;

    private final int capacity;
    private int[] xids = new int[1024];
    private long[] commitLsns = new long[1024];
    private int size;
    /** {@code X0}: transactions not kept have txids below it (0 once every later view sees them); NO_STREAM before a start. */
    private long startBound = NO_STREAM;
    /** The latest (circularly) 32-bit xid forgotten because of the capacity, when {@code dropped}. */
    private int droppedMax;
    private boolean dropped;
    private long forgotten;
    private long judged;
    private long refused;

    public PgStreamedTransactions() {
        this(DEFAULT_CAPACITY);
    }

    PgStreamedTransactions(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity must be at least 2: " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * A stream starts: what an earlier one recorded is forgotten, since everything it handed out committed before
     * {@code startTxid}, a txid assigned now (see the class comment).
     */
    public synchronized void streamStarted(long startTxid) {
        size = 0;
        dropped = false;
        startBound = startTxid;
    }

    /**
     * A stream starts but no bound could be assigned (e.g. on a standby, where no txid can be): every view is refused until
     * a stream starts with one.
     */
    public synchronized void streamStartedWithoutBound() {
        size = 0;
        dropped = false;
        startBound = NO_STREAM;
    }

    /** The stream received the Begin of a transaction committing at {@code commitLsn}; {@code xid} as pgoutput sends it (32 bits). */
    public synchronized void begin(long xid, long commitLsn) {
        if (size == capacity) {
            forget(capacity / 2);
        }
        if (size == xids.length) {
            int grown = Math.min(capacity, size * 2);
            xids = Arrays.copyOf(xids, grown);
            commitLsns = Arrays.copyOf(commitLsns, grown);
        }
        xids[size] = (int) xid;
        commitLsns[size] = commitLsn;
        size++;
    }

    private void forget(int count) {
        for (int i = 0; i < count; i++) {
            if (!dropped || xids[i] - droppedMax > 0) {
                droppedMax = xids[i];
                dropped = true;
            }
        }
        System.arraycopy(xids, count, xids, 0, size - count);
        System.arraycopy(commitLsns, count, commitLsns, 0, size - count);
        size -= count;
        forgotten += count;
    }

    /**
     * Whether {@code view} sees every transaction the stream handed out up to {@code upToLsn} (a stored offset's LSN; every
     * transaction whose commit LSN is not after it counts, one more than strictly needed at most): the kept ones are judged
     * here; for the others it returns the txids whose commit status decides (see {@link Verdict}). Forgets what the view sees.
     */
    public synchronized Verdict judge(PgTxidSnapshot view, long upToLsn) {
        if (startBound == NO_STREAM) {
            return Verdict.refused("no stream with a known start has run in this processor yet");
        }
        List<Long> missing = new ArrayList<>();
        int kept = 0;
        for (int i = 0; i < size; i++) {
            long txid = view.txidOf(Integer.toUnsignedLong(xids[i]));
            if (view.visible(txid)) {
                continue; // visible in every later view too
            }
            if (Long.compareUnsigned(commitLsns[i], upToLsn) <= 0) {
                missing.add(txid);
            }
            xids[kept] = xids[i];
            commitLsns[kept] = commitLsns[i];
            kept++;
        }
        size = kept;
        if (!missing.isEmpty()) {
            return Verdict.refused("the view does not see " + missing.size() + " transactions the stream handed out (txids "
                    + sample(missing) + ")");
        }
        long bound = startBound;
        if (dropped) {
            bound = Math.max(bound, view.txidOf(Integer.toUnsignedLong(droppedMax)) + 1);
        }
        if (view.xmin() >= bound) {
            startBound = 0; // every later view's xmin is at least this one's
            dropped = false;
            return Verdict.CONTAINED;
        }
        if (view.xmax() < bound) {
            return Verdict.refused("transactions older than the stream's start (txids below " + bound + ") may not have ended"
                    + " for the view (its xmax is " + view.xmax() + ")");
        }
        List<Long> undecided = new ArrayList<>();
        for (long txid : view.xip()) {
            if (txid < bound) {
                undecided.add(txid);
            }
        }
        return undecided.isEmpty() ? Verdict.CONTAINED : new Verdict(true, "", undecided);
    }

    /** Asks the server which of some txids have committed. */
    @FunctionalInterface
    public interface CommitStatus {
        List<Long> committed(List<Long> txids) throws SQLException;
    }

    /**
     * The whole rule: {@link #judge} and, when it leaves txids undecided, their commit status now. Counts the views judged
     * and refused.
     *
     * @return null when {@code view} contains everything handed out up to {@code upToLsn}, else why not
     */
    public String refusal(PgTxidSnapshot view, long upToLsn, CommitStatus status) {
        Verdict verdict = judge(view, upToLsn);
        String reason = verdict.contained() ? null : verdict.reason();
        if (reason == null && !verdict.mustNotHaveCommitted().isEmpty()) {
            try {
                List<Long> committed = status.committed(verdict.mustNotHaveCommitted());
                if (!committed.isEmpty()) {
                    reason = "transactions older than the stream's start that the view does not see have committed (txids "
                            + sample(committed) + ")";
                }
            } catch (SQLException e) {
                reason = "the commit status of transactions older than the stream's start could not be read: " + e.getMessage();
            }
        }
        synchronized (this) {
            judged++;
            if (reason != null) {
                refused++;
            }
        }
        return reason;
    }

    /** Views judged by {@link #refusal} so far. */
    public synchronized long judged() {
        return judged;
    }

    /** Views {@link #refusal} refused so far. */
    public synchronized long refused() {
        return refused;
    }

    /** Transactions kept now (for tests and logs). */
    public synchronized int size() {
        return size;
    }

    /** Transactions forgotten because of the capacity since this object was made. */
    public synchronized long forgotten() {
        return forgotten;
    }

    private static String sample(List<Long> txids) {
        return txids.size() <= 5 ? txids.toString() : txids.subList(0, 5) + " and " + (txids.size() - 5) + " more";
    }

    /**
     * What {@link #judge} decided.
     *
     * @param contained  false: the view is refused ({@code reason} says why)
     * @param mustNotHaveCommitted when the view is not refused: txids of transactions the view does not see that began before
     *                   the stream started (or were forgotten); the view contains everything handed out only if none of
     *                   them has committed (an untracked transaction that committed may have been handed out; one still
     *                   running or rolled back was not)
     */
    public record Verdict(boolean contained, String reason, List<Long> mustNotHaveCommitted) {
        static final Verdict CONTAINED = new Verdict(true, "", List.of());

        static Verdict refused(String reason) {
            return new Verdict(false, reason, List.of());
        }
    }
}
