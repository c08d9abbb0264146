package dev.nificdc.cdc.postgres;

import org.junit.jupiter.api.Test;


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
    void noViewIsAcceptedWithoutARunningStreamWithABound() {
        PgStreamedTransactions streamed = new PgStreamedTransactions();
        assertNotNull(streamed.refusal(new PgTxidSnapshot(100, 100, new long[0]), 1000));
        streamed.streamStopped();
        assertNotNull(streamed.refusal(new PgTxidSnapshot(100, 100, new long[0]), 1000));
        streamed.streamStarted(50);
        assertNull(streamed.refusal(new PgTxidSnapshot(100, 100, new long[0]), 1000));
        streamed.streamStopped();
        assertNotNull(streamed.refusal(new PgTxidSnapshot(100, 100, new long[0]), 1000), "the stream stopped");
        assertEquals(4, streamed.judged());
        assertEquals(3, streamed.refused());
    }

    @Test
    void aTransactionHandedOutThatTheViewDoesNotSeeRefusesIt() {
        PgStreamedTransactions streamed = new PgStreamedTransactions();
        streamed.streamStarted(EPOCH_5 + 100);
        streamed.begin(120, 1_000); // committed at LSN 1000
        streamed.begin(125, 2_000);
        // 120 still running for the view (e.g. waiting for a synchronous standby), though streamed: not up to 999
        PgTxidSnapshot view = new PgTxidSnapshot(EPOCH_5 + 120, EPOCH_5 + 130, new long[]{EPOCH_5 + 120});
        assertNull(streamed.refusal(view, 999), "nothing handed out up to 999 is missing");
        String refusal = streamed.refusal(view, 1_000);
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
        assertNull(streamed.refusal(view, 1_999), "120 < xmax and not running: seen");
        assertNotNull(streamed.refusal(view, 2_000), "125 >= xmax: not seen");
        assertNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 110, EPOCH_5 + 126, new long[0]), 2_000));
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
        assertNotNull(streamed.refusal(view, 2_000));
        assertEquals(2, streamed.size(), "all but the two running ones are seen by every later view");
        assertNotNull(streamed.refusal(view, 1_040), "104 commits at 1040");
        assertNull(streamed.refusal(view, 1_039), "the running ones were handed out after 1039");
    }

    @Test
    void aViewIsRefusedUntilEveryTransactionRunningWhenTheStreamStartedHasEnded() {
        PgStreamedTransactions streamed = new PgStreamedTransactions();
        streamed.streamStarted(EPOCH_5 + 100);
        // 90 began before the stream started and is running for the view: it may have committed before the stream's start
        // and still be waiting for a synchronous standby, so the view may lack it
        String refusal = streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 90, EPOCH_5 + 120, new long[]{EPOCH_5 + 90, EPOCH_5 + 110}), 5_000);
        assertNotNull(refusal);
        assertTrue(refusal.contains(String.valueOf(EPOCH_5 + 90)), refusal);
        assertNotNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 99, EPOCH_5 + 120, new long[]{EPOCH_5 + 99}), 5_000));
        // xmin at the bound: every older transaction has ended for this view and all later ones
        assertNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 100, EPOCH_5 + 120, new long[]{EPOCH_5 + 100}), 5_000));
        assertNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 90, EPOCH_5 + 120, new long[]{EPOCH_5 + 90}), 5_000),
                "the bound is gone once a view passed it (later views' xmin cannot be lower)");
        assertEquals(4, streamed.judged());
        assertEquals(2, streamed.refused());
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
        // 202..204 are kept and seen; a view whose xmin is not above 201 may lack the forgotten 201
        assertNotNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 150, EPOCH_5 + 205, new long[]{EPOCH_5 + 150}), 204));
        assertEquals(0, streamed.size(), "the kept ones were seen");
        assertNotNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 201, EPOCH_5 + 205, new long[]{EPOCH_5 + 201}), 204));
        assertNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 202, EPOCH_5 + 205, new long[]{EPOCH_5 + 202}), 204),
                "xmin above every forgotten xid");
    }

    @Test
    void aNewStreamStartsAfresh() {
        PgStreamedTransactions streamed = new PgStreamedTransactions();
        streamed.streamStarted(EPOCH_5 + 100);
        streamed.begin(150, 1_000);
        assertNotNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 150, EPOCH_5 + 160, new long[]{EPOCH_5 + 150}), 1_000));
        streamed.streamStarted(EPOCH_5 + 170);
        assertEquals(0, streamed.size());
        // 150 now counts as running when the stream started
        assertNotNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 150, EPOCH_5 + 175, new long[]{EPOCH_5 + 150}), 1_000));
        assertNull(streamed.refusal(new PgTxidSnapshot(EPOCH_5 + 170, EPOCH_5 + 175, new long[0]), 1_000));
    }
}
