package dev.nificdc.cdc.postgres;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The transactions a replication stream has handed out since it started, kept so that an incremental snapshot can tell
 * exactly whether a read view sees all of them ({@link PgReadView#contains}). Shared by the {@link PgStreamingSource},
 * whose reader records each transaction at its Begin message (before any of its changes is handed out), and the
 * {@link PgSnapshotSource}, whose incremental views are judged against it. Thread-safe.
 *
 * <p>A view (a transaction snapshot: xmin, xmax, running xids) contains what the stream handed out up to a stored offset
 * {@code S} when it sees every transaction committed at or before {@code S}. Visibility follows the server's list of
 * running transactions, not the WAL: a transaction whose commit record is written, streamed and handed out is still
 * running for new snapshots while it waits for a synchronous standby. So, for a stream that started at offset {@code R}:
 * <ul>
 * <li>every transaction committed after {@code R} that the stream received is kept (32-bit xid and commit LSN, in commit
 * order), and each one committed at or before {@code S} must be visible in the view;</li>
 * <li>every transaction committed at or before {@code R} has a txid below the stream's start bound {@code X0}, a txid
 * assigned when the stream started (a transaction's xid is assigned before its commit record is written, and that record
 * was in the WAL before). Whether such a transaction has ended cannot be asked (PostgreSQL reports a committed transaction
 * that is still in its list of running ones as "in progress"), so the view must have {@code xmin >= X0}: every
 * transaction running when the stream started has ended for it. A transaction running since before the stream started
 * delays chunks until it ends; it never makes one wrong;</li>
 * <li>beyond {@code capacity} kept transactions the oldest half is forgotten, and the bound rises above their xids.</li>
 * </ul>
 * A transaction visible in a view is visible in every later one (it had ended when the first was taken), so
 * {@link #refusal} forgets every kept transaction the view sees, and the bound once a view's {@code xmin} passes it: what
 * stays is the few transactions the last view did not see yet.
 */
public final class PgStreamedTransactions {
    /** How many transactions are kept at most (12 bytes each); beyond it the oldest half is forgotten. */
    public static final int DEFAULT_CAPACITY = 500_000;
    private static final long NO_STREAM = -1;

    private final int capacity;
    private int[] xids = new int[1024];
    private long[] commitLsns = new long[1024];
    private int size;
    /** {@code X0}: transactions not kept have txids below it (0 once a view passed it); NO_STREAM before a start. */
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
     * The stream stopped, or started without a bound (e.g. on a standby, where no txid can be assigned): every view is
     * refused until a stream starts with one. A stored offset may then come from elsewhere (another node of a cluster
     * streamed meanwhile), beyond what this stream received.
     */
    public synchronized void streamStopped() {
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
     * Why {@code view} may not contain every transaction the stream handed out up to {@code upToLsn} (a stored offset's
     * LSN; every transaction whose commit LSN is not after it counts, one more than strictly needed at most), or null when
     * it contains them all. Forgets what the view sees; counts the views judged and refused.
     */
    public synchronized String refusal(PgTxidSnapshot view, long upToLsn) {
        String reason = judge(view, upToLsn);
        judged++;
        if (reason != null) {
            refused++;
        }
        return reason;
    }

    private String judge(PgTxidSnapshot view, long upToLsn) {
        if (startBound == NO_STREAM) {
            return "no stream with a known start is running in this processor";
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
            return "the view does not see " + missing.size() + " transactions the stream handed out (txids " + sample(missing) + ")";
        }
        long bound = startBound;
        if (dropped) {
            bound = Math.max(bound, view.txidOf(Integer.toUnsignedLong(droppedMax)) + 1);
        }
        if (view.xmin() < bound) {
            return "transaction " + view.xmin() + " was running when the stream started (or before a transaction no longer kept)"
                    + " and has not ended for the view";
        }
        startBound = 0; // every later view's xmin is at least this one's
        dropped = false;
        return null;
    }

    /** Views judged by {@link #refusal} so far. */
    public synchronized long judged() {
        return judged;
    }

    /** Views {@link #refusal} refused so far. */
    public synchronized long refused() {
        return refused;
    }

    /** Transactions kept now. */
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
}
