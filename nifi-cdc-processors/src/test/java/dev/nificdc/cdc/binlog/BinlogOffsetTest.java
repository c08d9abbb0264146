package dev.nificdc.cdc.binlog;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinlogOffsetTest {

    @Test
    void roundTripsThroughTheStateMap() {
        BinlogOffset offset = new BinlogOffset("mysql-bin.000042", 1234, 3, "0-1-42,1-2-7", true, 17);
        Map<String, String> state = offset.toStateMap();
        assertEquals("mysql-bin.000042", state.get(BinlogOffset.KEY_FILE));
        assertEquals("1234", state.get(BinlogOffset.KEY_POSITION));
        assertEquals("3", state.get(BinlogOffset.KEY_CHANGES_TO_SKIP));
        assertEquals("0-1-42,1-2-7", state.get(BinlogOffset.KEY_GTID_SET));
        assertEquals(offset, BinlogOffset.fromStateMap(state));
    }

    @Test
    void mariaDbGtidPositionsAreContainedPerDomain() {
        BinlogOffset streamed = BinlogOffset.at("replica1-bin.000007", 9000).withGtidSet("0-1-42,1-2-7");
        assertTrue(streamed.gtidsContainedIn(BinlogOffset.at("replica2-bin.000002", 4).withGtidSet("0-1-42,1-2-7")), "equal");
        assertTrue(streamed.gtidsContainedIn(BinlogOffset.at("b.000001", 4).withGtidSet("1-2-9,0-3-50,5-1-1")),
                "later in every domain, whatever the server that wrote the last GTID and the order of the domains");
        assertFalse(streamed.gtidsContainedIn(BinlogOffset.at("b.000001", 4).withGtidSet("0-1-41,1-2-7")), "one domain behind");
        assertFalse(streamed.gtidsContainedIn(BinlogOffset.at("b.000001", 4).withGtidSet("0-1-99")), "a domain missing");
        assertFalse(streamed.gtidsContainedIn(BinlogOffset.at("b.000001", 4)), "the other's GTIDs unknown");
        assertFalse(BinlogOffset.at("a.000001", 4).gtidsContainedIn(BinlogOffset.at("b.000001", 4).withGtidSet("0-1-1")),
                "this offset's GTIDs unknown");
        assertFalse(new BinlogOffset("a.000001", 400, 2, "0-1-42", true, 2).gtidsContainedIn(
                BinlogOffset.at("b.000001", 4).withGtidSet("0-1-42")), "inside a transaction whose GTID the offset does not hold");
    }

    @Test
    void mySqlGtidSetsAreContainedAsSets() {
        String uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
        BinlogOffset streamed = BinlogOffset.atGtid(uuid + ":1-5");
        assertTrue(streamed.gtidsContainedIn(BinlogOffset.atGtid(uuid + ":1-9")));
        assertFalse(streamed.gtidsContainedIn(BinlogOffset.atGtid(uuid + ":1-3:5")), "a gap");
        assertFalse(streamed.gtidsContainedIn(BinlogOffset.atGtid("0-1-42")), "a MariaDB position is no MySQL set");
    }

    @Test
    void emptyStateHasNoOffset() {
        assertNull(BinlogOffset.fromStateMap(Map.of()));
        assertNull(BinlogOffset.fromStateMap(Map.of("sequence", "5")));
    }

    @Test
    void gtidOnlyOffsetRoundTrips() {
        BinlogOffset offset = BinlogOffset.atGtid("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5");
        assertEquals(offset, BinlogOffset.fromStateMap(offset.toStateMap()));
        assertTrue(offset.gtidMode());
    }

    @Test
    void malformedStateSaysHowToRecover() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BinlogOffset.fromStateMap(Map.of(BinlogOffset.KEY_FILE, "f.000001", BinlogOffset.KEY_POSITION, "x")));
        assertTrue(e.getMessage().contains("Clear the processor state"), e.getMessage());
    }

    @Test
    void ordersByFileNumberThenPositionThenSkippedChanges() {
        BinlogOffset a = BinlogOffset.at("mysql-bin.000009", 5000);
        BinlogOffset b = BinlogOffset.at("mysql-bin.000010", 4);
        BinlogOffset c = new BinlogOffset("mysql-bin.000010", 4, 2, "", false, 0);
        BinlogOffset d = BinlogOffset.at("mysql-bin.000010", 400);
        assertTrue(a.compareTo(b) < 0);
        assertTrue(b.compareTo(c) < 0);
        assertTrue(c.compareTo(d) < 0);
        assertTrue(d.compareTo(a) > 0);
    }

    @Test
    void rejectsNegativeValues() {
        assertThrows(IllegalArgumentException.class, () -> BinlogOffset.at("f.000001", -1));
        assertThrows(IllegalArgumentException.class, () -> new BinlogOffset("f.000001", 4, -1, "", false, 0));
    }
}
