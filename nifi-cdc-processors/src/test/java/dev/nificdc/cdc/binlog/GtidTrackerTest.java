package dev.nificdc.cdc.binlog;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GTIDs are handed on only once they are complete; the lists at the start of binlog files complete them. */
class GtidTrackerTest {
    private static final String UUID = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    private static final String OTHER = "0a1b2c3d-0000-1111-2222-333344445555";

    @Test
    void seenGtidsAloneAreNotHandedOn() {
        GtidTracker tracker = new GtidTracker("", false);
        tracker.addMySql(UUID + ":41");
        assertFalse(tracker.complete());
        assertEquals("", tracker.known(), "a set of seen transactions would replay every earlier one on another server");
        assertEquals(UUID + ":41-41", tracker.toString());
    }

    @Test
    void mySqlPreviousGtidsAreMergedAsAUnion() {
        GtidTracker tracker = new GtidTracker("", false);
        tracker.addMySql(UUID + ":41");
        tracker.mergeMySqlSet(UUID + ":1-40,\n" + OTHER + ":1-7");
        assertTrue(tracker.complete());
        assertEquals(UUID + ":1-41," + OTHER + ":1-7", tracker.known());
        // an older file's list (a subset) takes nothing away
        tracker.mergeMySqlSet(UUID + ":1-20");
        assertEquals(UUID + ":1-41," + OTHER + ":1-7", tracker.known());
    }

    @Test
    void mariaDbGtidListsKeepTheHighestSequencePerDomain() {
        GtidTracker tracker = new GtidTracker("0-1-50", true);
        tracker.mergeMariaDbList("0-1-40,0-2-45,1-3-7");
        assertEquals("0-1-50,1-3-7", tracker.known(), "domain 0 stays at our later GTID, domain 1 is learnt");
        tracker.addMariaDb("0-2-51");
        assertEquals("0-2-51,1-3-7", tracker.known(), "a transaction's GTID is its domain's new position");
    }

    @Test
    void aStartingSetGivenAsCompleteIsHandedOn() {
        GtidTracker tracker = new GtidTracker(UUID + ":1-5", true);
        tracker.addMySql(UUID + ":6");
        assertEquals(UUID + ":1-6", tracker.known());
    }
}
