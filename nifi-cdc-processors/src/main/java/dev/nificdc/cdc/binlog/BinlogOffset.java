package dev.nificdc.cdc.binlog;

import com.github.shyiko.mysql.binlog.GtidSet;
import dev.nificdc.cdc.core.SourceOffset;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable resume point in the binlog.
 *
 * <p>{@code file}/{@code position} point at the start of the transaction in progress (its GTID or BEGIN event),
 * or, between transactions, just after the last committed one. {@code changesToSkip} counts the change events
 * already emitted from the transaction that starts there: a reader started from this offset replays that transaction
 * and drops its first {@code changesToSkip} changes, so it emits exactly the changes after this offset (Debezium's
 * restart-inside-a-transaction). {@code gtidSet} holds the GTIDs of the transactions completed before {@code position}:
 * a MySQL GTID set ({@code uuid:1-42,...}) or a MariaDB GTID position ({@code 0-1-42,1-2-7}); empty when unknown.
 * When {@code gtidSet} is not empty and {@link #gtidMode()} is true the reader resumes by GTID, otherwise by file/position.
 * The GTIDs are kept only when they are known completely (from the server, or from the GTID list every binlog file starts
 * with), so that they can always serve to resume on another server.
 *
 * <p>{@code serverId} and {@code serverInstance} name the server the offset was read from ({@link ServerIdentity}):
 * file/position are only ever used on that server; on another one the reader resumes by GTID. A null
 * {@code serverInstance} means unknown (offsets stored before the server was recorded).
 *
 * <p>Offsets of one server compare by file (binlog files are numbered {@code name.000001}, ...), position and
 * {@code changesToSkip}.
 */
public record BinlogOffset(String file, long position, long changesToSkip, String gtidSet, boolean gtidMode,
                           long serverId, String serverInstance) implements SourceOffset<BinlogOffset> {

    /** State key: binlog file name. */
    public static final String KEY_FILE = "binlog.file";
    /** State key: binlog position (decimal). */
    public static final String KEY_POSITION = "binlog.position";
    /** State key: change events already emitted from the transaction starting at the position (decimal). */
    public static final String KEY_CHANGES_TO_SKIP = "binlog.changes.skip";
    /** State key: MySQL GTID set or MariaDB GTID position of the completed transactions; absent when unknown. */
    public static final String KEY_GTID_SET = "binlog.gtid.set";
    /** State key: "true" when the reader should resume by GTID. */
    public static final String KEY_GTID_MODE = "binlog.gtid.mode";
    /** State key: server id of the server the offset was read from (decimal). */
    public static final String KEY_SERVER_ID = "binlog.server.id";
    /** State key: MySQL's server_uuid, or MariaDB's hostname:port, of the server the offset was read from. */
    public static final String KEY_SERVER_INSTANCE = "binlog.server.instance";

    private static final Comparator<BinlogOffset> ORDER = Comparator
            .comparing(BinlogOffset::fileSequence)
            .thenComparing(o -> o.file == null ? "" : o.file)
            .thenComparingLong(BinlogOffset::position)
            .thenComparingLong(BinlogOffset::changesToSkip);

    public BinlogOffset {
        if (position < 0) {
            throw new IllegalArgumentException("Binlog position must not be negative: " + position);
        }
        if (changesToSkip < 0) {
            throw new IllegalArgumentException("Changes to skip must not be negative: " + changesToSkip);
        }
        gtidSet = gtidSet == null ? "" : gtidSet.trim();
    }

    /** An offset whose server is not recorded. */
    public BinlogOffset(String file, long position, long changesToSkip, String gtidSet, boolean gtidMode, long serverId) {
        this(file, position, changesToSkip, gtidSet, gtidMode, serverId, null);
    }

    /** An offset at a file position, without GTIDs. */
    public static BinlogOffset at(String file, long position) {
        return new BinlogOffset(Objects.requireNonNull(file, "file"), position, 0, "", false, 0);
    }

    /** An offset at a GTID set (MySQL) or GTID position (MariaDB); the file/position are learnt while reading. */
    public static BinlogOffset atGtid(String gtidSet) {
        return new BinlogOffset(null, 0, 0, gtidSet, true, 0);
    }

    BinlogOffset withChangesToSkip(long count) {
        return new BinlogOffset(file, position, count, gtidSet, gtidMode, serverId, serverInstance);
    }

    /** This offset with the GTIDs before it ("" or null: unknown). */
    public BinlogOffset withGtidSet(String gtids) {
        return new BinlogOffset(file, position, changesToSkip, gtids, gtidMode, serverId, serverInstance);
    }

    /** This offset as read from {@code server}. */
    public BinlogOffset withServer(ServerIdentity server) {
        return new BinlogOffset(file, position, changesToSkip, gtidSet, gtidMode, server.serverId(), server.instance());
    }

    /** The server the offset was read from, or null when it was not recorded. */
    public ServerIdentity server() {
        return serverInstance == null ? null : new ServerIdentity(serverId, serverInstance);
    }

    /**
     * Whether every transaction before this offset is also before {@code other}, told by GTIDs alone, so that it holds
     * across the servers of one replication topology (each writes its own binlog files, but the same GTIDs). True only
     * when that is certain: this offset lies between transactions (no change of a transaction in progress was handed
     * out, whose GTID the offset does not hold), both offsets' GTIDs are known, and each GTID of this offset is in
     * {@code other}'s: for MariaDB GTID positions, every domain of this offset is in {@code other}'s with a sequence
     * number at least as high; for MySQL GTID sets, this set is a subset of {@code other}'s.
     */
    public boolean gtidsContainedIn(BinlogOffset other) {
        if (changesToSkip > 0 || gtidSet.isEmpty() || other.gtidSet.isEmpty()) {
            return false;
        }
        boolean mariaDb = GtidTracker.isMariaDbFormat(gtidSet);
        if (mariaDb != GtidTracker.isMariaDbFormat(other.gtidSet)) {
            return false;
        }
        if (!mariaDb) {
            return new GtidSet(gtidSet).isContainedWithin(new GtidSet(other.gtidSet));
        }
        Map<Long, Long> outer = mariaDbSequences(other.gtidSet);
        return mariaDbSequences(gtidSet).entrySet().stream()
                .allMatch(e -> outer.containsKey(e.getKey()) && outer.get(e.getKey()) >= e.getValue());
    }

    /** Domain to sequence number of a MariaDB GTID position ({@code domain-server-sequence,...}); the highest per domain. */
    private static Map<Long, Long> mariaDbSequences(String position) {
        Map<Long, Long> sequences = new HashMap<>();
        for (String gtid : position.split(",")) {
            String[] parts = gtid.trim().split("-");
            sequences.merge(Long.parseLong(parts[0]), Long.parseLong(parts[2]), Math::max);
        }
        return sequences;
    }

    /** The offset as a NiFi-state map, with the {@code KEY_*} keys; absent values are left out. */
    @Override
    public Map<String, String> toStateMap() {
        Map<String, String> map = new LinkedHashMap<>();
        if (file != null) {
            map.put(KEY_FILE, file);
        }
        map.put(KEY_POSITION, Long.toString(position));
        map.put(KEY_CHANGES_TO_SKIP, Long.toString(changesToSkip));
        if (!gtidSet.isEmpty()) {
            map.put(KEY_GTID_SET, gtidSet);
        }
        map.put(KEY_GTID_MODE, Boolean.toString(gtidMode));
        map.put(KEY_SERVER_ID, Long.toString(serverId));
        if (serverInstance != null) {
            map.put(KEY_SERVER_INSTANCE, serverInstance);
        }
        return map;
    }

    /**
     * Reads an offset from a state map written by {@link #toStateMap()}; other keys are ignored.
     *
     * @return the offset, or null when the map holds no binlog offset (neither a file nor a GTID set)
     * @throws IllegalArgumentException when a value is malformed
     */
    public static BinlogOffset fromStateMap(Map<String, String> state) {
        if (state == null) {
            return null;
        }
        String file = state.get(KEY_FILE);
        String gtid = state.getOrDefault(KEY_GTID_SET, "");
        if (file == null && gtid.isBlank()) {
            return null;
        }
        return new BinlogOffset(file, parse(state, KEY_POSITION, 0), parse(state, KEY_CHANGES_TO_SKIP, 0), gtid,
                Boolean.parseBoolean(state.getOrDefault(KEY_GTID_MODE, "false")), parse(state, KEY_SERVER_ID, 0),
                state.get(KEY_SERVER_INSTANCE));
    }

    private static long parse(Map<String, String> state, String key, long fallback) {
        String value = state.get(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Stored binlog offset has a malformed " + key + ": '" + value
                    + "'. Clear the processor state to start over.", e);
        }
    }

    private long fileSequence() {
        if (file == null) {
            return -1;
        }
        int dot = file.lastIndexOf('.');
        try {
            return dot < 0 ? -1 : Long.parseLong(file.substring(dot + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public int compareTo(BinlogOffset other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder().append(file).append(':').append(position);
        if (changesToSkip > 0) {
            s.append(" (+").append(changesToSkip).append(" changes)");
        }
        if (!gtidSet.isEmpty()) {
            s.append(" gtid=").append(gtidSet);
        }
        if (serverInstance != null) {
            s.append(" on ").append(server());
        }
        return s.toString();
    }
}
