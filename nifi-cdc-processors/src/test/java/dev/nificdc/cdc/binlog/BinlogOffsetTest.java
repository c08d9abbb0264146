package dev.nificdc.cdc.binlog;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
