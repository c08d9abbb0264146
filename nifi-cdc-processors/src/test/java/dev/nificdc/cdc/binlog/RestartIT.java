package dev.nificdc.cdc.binlog;

import dev.nificdc.testsupport.MariaDbServer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server dies while the reader streams; after it comes back the reader reconnects and continues without loss or duplicate. */
class RestartIT {

    @Test
    void reconnectsAfterServerCrashWithoutLossOrDuplicate() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("restart");
            String t = db + ".t";
            server.execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, v VARCHAR(10))");
            try (BinlogReader reader = BinlogTestSupport.reader(server, db).startPosition(StartPosition.latest()).build()) {
                reader.start();
                List<Integer> ids = new ArrayList<>();
                for (int i = 1; i <= 5; i++) {
                    server.execute("INSERT INTO " + t + " VALUES (" + i + ", 'before')");
                }
                // a multi-row transaction whose changes are still partly unread when the server dies
                server.execute("BEGIN", "INSERT INTO " + t + " VALUES (6, 'tx'), (7, 'tx'), (8, 'tx')", "COMMIT");
                BinlogTestSupport.poll(reader, 6).forEach(c -> ids.add((Integer) c.event().after()[0]));

                server.kill();
                server.startAgain();
                for (int i = 9; i <= 12; i++) {
                    server.execute("INSERT INTO " + t + " VALUES (" + i + ", 'after')");
                }
                BinlogTestSupport.poll(reader, 6).forEach(c -> ids.add((Integer) c.event().after()[0]));
                BinlogTestSupport.assertNoMore(reader, 500);
                assertEquals(IntStream.rangeClosed(1, 12).boxed().toList(), ids);
                assertTrue(reader.metrics().reconnects() >= 1, "reconnected");
                assertEquals(12, reader.metrics().changes(dev.nificdc.cdc.record.Operation.CREATE));
                assertTrue(reader.metrics().lastChangeSourceMillis() > 0);
            }
        }
    }
}
