package dev.nificdc.cdc.postgres;

import java.util.Arrays;

/**
 * A transaction snapshot as {@code txid_current_snapshot()} writes it ({@code xmin:xmax:xip,...}, 64-bit txids: the
 * 32-bit xid with the epoch above it): which transactions a read view sees. A committed transaction is visible when its
 * txid is below {@code xmin}, or below {@code xmax} and not in {@code xip} (it was still running when the snapshot was
 * taken). PostgreSQL's visibility follows its list of running transactions, not the WAL order: a transaction whose commit
 * record is written (and even streamed) may still be running for a snapshot, e.g. while it waits for a synchronous standby.
 */
public record PgTxidSnapshot(long xmin, long xmax, long[] xip) {
    private static final long EPOCH_MASK = 0xFFFF_FFFFL;

    public PgTxidSnapshot {
        xip = xip.clone();
        Arrays.sort(xip);
        if (xmin > xmax) {
            throw new IllegalArgumentException("xmin " + xmin + " is above xmax " + xmax);
        }
    }

    /** Reads {@code txid_current_snapshot()::text}, e.g. {@code 10:20:10,14,15}. */
    public static PgTxidSnapshot parse(String text) {
        String[] parts = text.trim().split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("Not a txid snapshot: " + text);
        }
        long[] xip = parts[2].isEmpty() ? new long[0]
                : Arrays.stream(parts[2].split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray();
        return new PgTxidSnapshot(Long.parseLong(parts[0].trim()), Long.parseLong(parts[1].trim()), xip);
    }

    /** Whether the snapshot sees {@code txid} (a committed transaction's 64-bit txid). */
    public boolean visible(long txid) {
        return txid < xmin || (txid < xmax && Arrays.binarySearch(xip, txid) < 0);
    }

    /**
     * The 64-bit txid of a 32-bit xid (as pgoutput's Begin message sends it): the one within 2^31 of this snapshot's
     * {@code xmax}. That is the xid's own txid for every transaction that has not been frozen away, which is what wraparound
     * protection guarantees for the transactions a stream hands out and a snapshot taken soon after judges.
     */
    public long txidOf(long xid32) {
        int distance = (int) ((xid32 & EPOCH_MASK) - (xmax & EPOCH_MASK));
        return xmax + distance;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PgTxidSnapshot s && xmin == s.xmin && xmax == s.xmax && Arrays.equals(xip, s.xip);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(xmin) * 31 + Long.hashCode(xmax) * 17 + Arrays.hashCode(xip);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder().append(xmin).append(':').append(xmax).append(':');
        for (int i = 0; i < xip.length; i++) {
            text.append(i > 0 ? "," : "").append(xip[i]);
        }
        return text.toString();
    }
}
