package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.CaptureException.Reason;

import java.sql.SQLException;

/**
 * Where a reader starts on the server it connects to, worked out before it connects: the stored offset, or the start
 * position when there is none, with the GTIDs before it whenever the server can tell them.
 *
 * <p>A binlog file and position are used only on the server that wrote them. An offset read from another server (after
 * a fail-over to another host, or a restart against another host of the list) is resumed by GTID; without GTIDs that is
 * impossible, and the plan says so instead of reading the other server's binlog at a position that means nothing there.
 * Offsets stored before the server was recorded are resumed by file/position as before (their GTIDs, which may be
 * incomplete, are asked again).
 *
 * @param offset     where to start; null: let the server say (the oldest binlog, or its current end without JDBC)
 * @param gtidsKnown true when {@code offset}'s GTIDs are every GTID before it (possibly none)
 * @param server     the server connected to, null without JDBC access
 */
record ResumePlan(BinlogOffset offset, boolean gtidsKnown, ServerIdentity server) {

    /** True when the offset was read from another server, so that the reader must ask for it by GTID. */
    boolean foreign() {
        return isForeign(offset, server);
    }

    static boolean isForeign(BinlogOffset offset, ServerIdentity server) {
        return offset != null && offset.file() != null && offset.server() != null && server != null
                && !offset.server().equals(server);
    }

    /**
     * @param stored   the offset stored by an earlier run, or null
     * @param start    where to start without one
     * @param server   the server to connect to, or null when there is no JDBC access
     * @param here     its identity (null without JDBC access)
     * @param hostPort the host as configured, for messages
     * @throws BinlogCaptureException POSITION_UNAVAILABLE when {@code stored} belongs to another server and holds no GTIDs
     */
    static ResumePlan resolve(BinlogOffset stored, StartPosition start, MySqlServer server, ServerIdentity here, String hostPort)
            throws SQLException {
        BinlogOffset offset = stored;
        if (offset != null) {
            if (offset.server() == null && offset.file() != null && !offset.gtidMode()) {
                offset = offset.withGtidSet(""); // stored by a version that kept the GTIDs it had seen, possibly not all
            }
            if (isForeign(offset, here) && offset.gtidSet().isEmpty()) {
                throw new BinlogCaptureException(Reason.POSITION_UNAVAILABLE, "The stored position " + offset.file() + ":"
                        + offset.position() + " was read from " + offset.server() + ", but " + hostPort + " is " + here
                        + ". A binlog position means nothing on another server, and the stored position holds no GTIDs to"
                        + " find the same place there (the servers write no GTIDs). Connect to the server the position was read"
                        + " from (put it first in Hosts), or clear the processor state and start over, e.g. with a snapshot.");
            }
        } else if (start instanceof StartPosition.FilePosition fp) {
            offset = BinlogOffset.at(fp.file(), fp.position());
        } else if (start instanceof StartPosition.Gtid g) {
            offset = BinlogOffset.atGtid(g.gtidSet());
        } else if (start instanceof StartPosition.Latest && server != null) {
            offset = server.binlogPosition().orElseThrow(() -> new BinlogCaptureException(Reason.SERVER_SETTINGS,
                    hostPort + " reports no binlog position: enable the binary log (log_bin)."));
            return new ResumePlan(offset.withServer(here), server.flavor() == ServerFlavor.MARIADB || !offset.gtidSet().isEmpty(), here);
        }
        boolean known = offset != null && !offset.gtidSet().isEmpty();
        if (!known && offset != null && offset.file() != null && server != null && !isForeign(offset, here)) {
            String gtids = server.gtidPositionAt(offset);
            if (gtids != null) {
                offset = offset.withGtidSet(gtids);
                known = true;
            }
        }
        if (offset != null && offset.file() != null && here != null && !isForeign(offset, here)) {
            offset = offset.withServer(here);
        }
        return new ResumePlan(offset, known, here);
    }
}
