package dev.nificdc.cdc.binlog;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Snapshot read views keep their GTIDs and server in the state, so that streaming can start from them on any server. */
class BinlogPositionsTest {

    @Test
    void aViewRoundTripsWithItsGtidsAndServer() {
        BinlogOffset view = new BinlogOffset("mysql-bin.000007", 1234, 0, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,"
                + "0a1b2c3d-0000-1111-2222-333344445555:1-2", false, 3, "3e11fa47-71ca-11e1-9e33-c80aa9429562");
        Map<String, String> state = new HashMap<>(BinlogPositions.INSTANCE.sharedEntries(List.of(view)));
        String encoded = BinlogPositions.INSTANCE.encode(view);
        assertEquals(view, BinlogPositions.INSTANCE.decode(encoded, state));
    }

    @Test
    void viewsStoredBeforeGtidsWereKeptStillDecode() {
        BinlogOffset view = BinlogPositions.INSTANCE.decode("mysql-bin.000007:1234", Map.of("snapshot.server.id", "1"));
        assertEquals(new BinlogOffset("mysql-bin.000007", 1234, 0, "", false, 1), view);
    }
}
