package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.CaptureException;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.engine.ChangeStream;
import dev.nificdc.testsupport.PostgresServer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A slot the server invalidated (its WAL removed past {@code max_slot_wal_keep_size}): capture stops with the reason,
 * and with Snapshot Mode when_needed the slot is dropped, so the coordinator starts a new snapshot, whose read view
 * creates the slot anew.
 */
class PgSlotInvalidationIT {

    @Test
    void anInvalidatedSlotStopsCaptureOrIsReplacedWithWhenNeeded() throws Exception {
        try (PostgresServer server = PostgresServer.start("max_slot_wal_keep_size", "1MB")) {
            String db = server.createDatabase("lost");
            server.execute(db, "CREATE TABLE a (id INT PRIMARY KEY, pad TEXT)");
            PgSourceConfig config = PgTestSupport.config(server, db, "public\\.a");
            PgOffset committed;
            try (ChangeStream<PgOffset> stream = new PgStreamingSource(config, PgTestSupport.logger()).open(null)) {
                server.execute(db, "INSERT INTO a VALUES (1, 'x')");
                CapturedChange<PgOffset> change = PgTestSupport.poll(stream, 1).get(0);
                stream.committed(change.offsetAfter());
                committed = change.offsetAfter();
            }
            PgTestSupport.await("the stream to release the slot", java.time.Duration.ofSeconds(20), () -> !active(server, db));
            for (int i = 0; i < 40 && !"lost".equals(walStatus(server, db)); i++) {
                server.execute(db, "INSERT INTO a SELECT g, repeat('y', 200) FROM generate_series(" + (i * 20_000 + 10) + ", "
                        + ((i + 1) * 20_000 + 9) + ") g", "SELECT pg_switch_wal()", "CHECKPOINT");
            }
            assertEquals("lost", walStatus(server, db), "the server invalidated the slot");

            CaptureException stopped = assertThrows(CaptureException.class,
                    () -> new PgStreamingSource(config, PgTestSupport.logger()).open(committed).close());
            assertEquals(CaptureException.Reason.POSITION_UNAVAILABLE, stopped.reason());
            assertTrue(stopped.getMessage().contains("was invalidated by the server"), stopped.getMessage());

            PgSourceConfig whenNeeded = config.withDropInvalidatedSlot(true);
            CaptureException gone = assertThrows(CaptureException.class,
                    () -> new PgStreamingSource(whenNeeded, PgTestSupport.logger()).open(committed).close());
            assertEquals(CaptureException.Reason.POSITION_UNAVAILABLE, gone.reason(), "the coordinator re-snapshots on this reason");
            try (PgReadView view = new PgSnapshotSource(whenNeeded, PgTestSupport.logger()).openReadView()) {
                assertTrue(view.position().compareTo(committed) > 0, "the new slot starts after the lost WAL");
            }
            assertEquals("reserved", walStatus(server, db), "a new, valid slot");
        }
    }

    private static String walStatus(PostgresServer server, String slot) {
        try (Connection c = server.connection(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return rs.next() ? rs.getString(1) : null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean active(PostgresServer server, String slot) {
        try (Connection c = server.connection(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return rs.next() && rs.getBoolean(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
