package dev.nificdc.cdc.binlog;

import java.util.Objects;

/**
 * Which server a binlog position was read from. A binlog file and offset mean something only on the server that wrote
 * them: on any other server (a replica, a promoted primary, a rebuilt host behind the same address) capture resumes by
 * GTID or not at all.
 *
 * @param serverId the server's {@code @@server_id}
 * @param instance what tells servers with one server id apart: MySQL's {@code @@server_uuid}; on MariaDB, which has no
 *                 server UUID, the server's {@code @@hostname:@@port}
 */
public record ServerIdentity(long serverId, String instance) {
    public ServerIdentity {
        Objects.requireNonNull(instance, "instance");
    }

    @Override
    public String toString() {
        return "server_id " + serverId + " (" + instance + ")";
    }
}
