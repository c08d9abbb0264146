package dev.nificdc.cdc.postgres;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rule that decides whether an incremental snapshot's read view contains what the stream handed out. */
class PgStreamedTransactionsTest {
    private static final long EPOCH_5 = 5L << 32;
    /** A status lookup that must not be needed. */
    private static final PgStreamedTransactions.CommitStatus NOT_ASKED = txids -> {
        throw new AssertionError("the commit status of " + txids + " should not be needed");
    };

    @Test
    void snapshotsAreParsedAndJudgeVisibility() {
        PgTxidSnapshot snapshot = PgTxidSnapshot.parse("10:20:15,12");
        assertEquals(10, snapshot.xmin());
        assertEquals(20, snapshot.xmax());
        assertArrayEquals(new long[]{12, 15}, snapshot.xip());
        assertEquals("10:20:12,15", snapshot.toString());
        assertTrue(snapshot.visible(9), "ended before xmin");
        assertTrue(snapshot.visible(10), "xmin itself is not running when not listed");
        assertFalse(snapshot.visible(12), "running");
        assertTrue(snapshot.visible(13));
        assertTrue(snapshot.visible(19));
        assertFalse(snapshot.visible(20), "xmax and above had not ended");
        assertArrayEquals(new long[0], PgTxidSnapshot.parse("7:7:").xip());
        assertThrows(IllegalArgumentException.class, () -> PgTxidSnapshot.parse("7:7"));
        assertThrows(IllegalArgumentException.class, () -> PgTxidSnapshot.parse("9:7:"));
    }

    @Test
    void thirtyTwoBitXidsTakeTheEpochOfTheTxidsAroundTheSnapshot() {
        PgTxidSnapshot snapshot = new PgTxidSnapshot(EPOCH_5 + 90, EPOCH_5 + 100, new long[0]);
        assertEquals(EPOCH_5 + 95, snapshot.txidOf(95));
        assertEquals(EPOCH_5 + 130, snapshot.txidOf(130), "a little after xmax: same epoch");
        assertEquals(EPOCH_5 - 16, snapshot.txidOf(0xFFFF_FFF0L), "just before the epoch began");
        PgTxidSnapshot nearWrap = new PgTxidSnapshot(EPOCH_5 + 0xFFFF_FF00L, EPOCH_5 + 0xFFFF_FFF0L, new long[0]);
        assertEquals(EPOCH_5 + (1L << 32) + 5, nearWrap.txidOf(5), "just after the next epoch began");
        assertEquals(EPOCH_5 + 0xFFFF_FF10L, nearWrap.txidOf(0xFFFF_FF10L));
    }

    @Test
    void noViewIsAcceptedBeforeAStreamStartedWithABound() {
        PgStreamedTransactions streamed = new PgStreamedTransactions();
        assertNotNull(streamed.refusal(new PgTxidSnapshot(100, 100, new long[0]), 1000, NOT_ASKED));
        streamed.streamStartedWithoutBound();
        assertNotNull(streamed.refusal(new PgTxidSnapshot(100, 100, new long[0]), 1000, NOT_ASKED));
        streamed.streamStarted(50);
        assertNull(streamed.refusal(new PgTxidSnapshot(100, 100, new long[0]), 1000, NOT_ASKED));
        assertEquals(3, streamed.judged());
        assertEquals(2, streamed.refused());
    }

    @Test
    void aTransactionHandedOutThatTheViewDoesNotSeeRefusesIt() {
        PgStreamedTransactions streamed = new PgStreamedTransactions();
        streamed.streamStarted(EPOCH_5 + 100);
        streamed.begin(120, 1_000); // committed at LSN 1000
        streamed.begin(125, 2_000);
        // 120 still running for the view (e.g. waiting for a synchronous standby), though streamed: not up to 999
        PgTxidSnapshot view = new PgTxidSnapshot(EPOCH_5 + 120, EPOCH_5 + 130, new long[]{EPOCH_5 + 120});
        assertNull(streamed.refusal(view, 999, NOT_ASKED), "nothing handed out up to 999 is missing");
        String refusal = streamed.refusal(view, 1_000, NOT_ASKED);
        assertNotNull(refusal);
        assertTrue(refusal.contains("[" + (EPOCH_5 + 120) + "]"), refusal);
    }

    @Test
    void aTransactionHandedOutWithATxidFromTheViewsXmaxOnIsNotSeen() {
        PgStreamedTransactions streamed = new PgStreamedTransactions();
        streamed.streamStarted(EPOCH_5 + 100);
        streamed.begin(120, 1_000);
        streamed.begin(125, 2_000);
        PgTxidSnapshot view = new PgTxidSnapshot(EPOCH_5 + 110, EPOCH_5 + 121, new long[0]);
        assertNull(streamed.refusal(view, 1_999, NOT_ASKED), "120 < xmax and not running: seen");
        assertNotNull(streamed.refusal(view, 2_000, NOT_ASKED), "125 >= xmax: not seen");
        assertNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 110, EPOCH_5 + 126, new long[0]), 2_000, NOT_ASKED));
        assertEquals(0, streamed.size());
    }

    @Test
    void transactionsAViewSeesAreForgottenAndTheOthersKept() {
        PgStreamedTransactions streamed = new PgStreamedTransactions();
        streamed.streamStarted(EPOCH_5 + 100);
        for (long xid = 101; xid <= 110; xid++) {
            streamed.begin(xid, xid * 10);
        }
        PgTxidSnapshot view = new PgTxidSnapshot(EPOCH_5 + 104, EPOCH_5 + 111, new long[]{EPOCH_5 + 104, EPOCH_5 + 108});
        assertNotNull(streamed.refusal(view, 2_000, NOT_ASKED));
        assertEquals(2, streamed.size(), "all but the two running ones are seen by every later view");
        assertNotNull(streamed.refusal(view, 1_040, NOT_ASKED), "104 commits at 1040");
        assertNull(streamed.refusal(view, 1_039, NOT_ASKED), "the running ones were handed out after 1039");
    }

    @Test
    void untrackedTransactionsOlderThanTheStreamDecideByTheirCommitStatusUntilXminPassesTheBound() {
        PgStreamedTransactions streamed = new PgStreamedTransactions();
        streamed.streamStarted(EPOCH_5 + 100);
        // 90 and 95 began before the stream started and were running for the view; 110 began after it
        PgTxidSnapshot view = new PgTxidSnapshot(EPOCH_5 + 90, EPOCH_5 + 120, new long[]{EPOCH_5 + 90, EPOCH_5 + 95, EPOCH_5 + 110});
        List<List<Long>> asked = new ArrayList<>();
        assertNull(streamed.refusal(view, 5_000, txids -> {
            asked.add(txids);
            return List.of();
        }), "still running (or rolled back): not handed out");
        assertEquals(List.of(List.of(EPOCH_5 + 90, EPOCH_5 + 95)), asked);
        String refusal = streamed.refusal(view, 5_000, txids -> List.of(EPOCH_5 + 95));
        assertNotNull(refusal, "95 committed before the view could see it: it may have been handed out");
        assertTrue(refusal.contains(String.valueOf(EPOCH_5 + 95)), refusal);
        assertNotNull(streamed.refusal(view, 5_000, txids -> {
            throw new SQLException("connection lost");
        }), "an unknown status refuses");
        // a view older than the bound's end: txids in [xmax, bound) cannot be listed
        assertNotNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 90, EPOCH_5 + 99, new long[]{EPOCH_5 + 90}), 5_000, NOT_ASKED));
        // xmin at the bound: every older transaction has ended for this view and all later ones
        assertNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 100, EPOCH_5 + 120, new long[]{EPOCH_5 + 100}), 5_000, NOT_ASKED));
        assertNull(streamed.refusal(view, 5_000, NOT_ASKED), "the bound is gone once a view passed it");
    }

    @Test
    void beyondTheCapacityTheOldestHalfIsForgottenAndRaisesTheBound() {
        PgStreamedTransactions streamed = new PgStreamedTransactions(4);
        streamed.streamStarted(EPOCH_5 + 10);
        for (long xid = 200; xid <= 204; xid++) {
            streamed.begin(xid, xid);
        }
        assertEquals(2, streamed.forgotten(), "200 and 201");
        assertEquals(3, streamed.size());
        // 201 forgotten and running for the view: its status decides; 150 too (below the bound); 203 is kept and seen
        PgTxidSnapshot view = new PgTxidSnapshot(EPOCH_5 + 150, EPOCH_5 + 205, new long[]{EPOCH_5 + 150, EPOCH_5 + 201});
        List<Long> asked = new ArrayList<>();
        assertNull(streamed.refusal(view, 204, txids -> {
            asked.addAll(txids);
            return List.of();
        }));
        assertEquals(List.of(EPOCH_5 + 150, EPOCH_5 + 201), asked);
        assertNotNull(streamed.refusal(view, 204, txids -> List.of(EPOCH_5 + 201)));
        assertNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 202, EPOCH_5 + 205, new long[0]), 204, NOT_ASKED),
                "xmin above every forgotten xid");
    }

    @Test
    void aNewStreamStartsAfresh() {
        PgStreamedTransactions streamed = new PgStreamedTransactions();
        streamed.streamStarted(EPOCH_5 + 100);
        streamed.begin(150, 1_000);
        PgTxidSnapshot view = new PgTxidSnapshot(EPOCH_5 + 150, EPOCH_5 + 160, new long[]{EPOCH_5 + 150});
        assertNotNull(streamed.refusal(view, 1_000, NOT_ASKED));
        streamed.streamStarted(EPOCH_5 + 170);
        assertEquals(0, streamed.size());
        assertNotNull(streamed.refusal(view, 1_000, NOT_ASKED), "xmax 160 is below the new bound 170: refused before any status");
        // 150 now counts as older than the stream: running for the view, so its status decides
        PgTxidSnapshot later = new PgTxidSnapshot(EPOCH_5 + 150, EPOCH_5 + 175, new long[]{EPOCH_5 + 150});
        assertNotNull(streamed.refusal(later, 1_000, txids -> txids), "committed: refused");
        assertNull(streamed.refusal(later, 1_000, txids -> List.of()), "still running: accepted");
    }
}
