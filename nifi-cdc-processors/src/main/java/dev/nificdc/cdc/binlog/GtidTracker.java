package dev.nificdc.cdc.binlog;

import com.github.shyiko.mysql.binlog.GtidSet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The GTIDs of completed transactions: a MySQL GTID set ({@code uuid:1-42}) or a MariaDB GTID position (the last
 * {@code domain-server-sequence} per domain).
 *
 * <p>The set is <em>complete</em> when it started from a complete value (a stored or configured GTID set, the server's
 * answer) or once the GTID list at the start of a binlog file (MySQL's PREVIOUS_GTIDS, MariaDB's GTID_LIST) has been
 * merged: only a complete set may be used to resume on another server, since a partial one would replay or skip
 * transactions there.
 */
final class GtidTracker {
    private GtidSet mysql;
    private final Map<Long, String> mariadb = new TreeMap<>();
    private boolean isMariaDb;
    private boolean complete;

    /**
     * @param initial  the GTIDs before the start ("" when none or unknown)
     * @param complete whether {@code initial} is every GTID before the start
     */
    GtidTracker(String initial, boolean complete) {
        String value = initial == null ? "" : initial.trim();
        this.complete = complete;
        if (!value.isEmpty() && isMariaDbFormat(value)) {
            isMariaDb = true;
            mergeMariaDb(value);
        } else {
            mysql = new GtidSet(value);
        }
    }

    static boolean isMariaDbFormat(String gtids) {
        return gtids.matches("\\s*\\d+-\\d+-\\d+\\s*(,\\s*\\d+-\\d+-\\d+\\s*)*");
    }

    /** True when the set holds every GTID before the current position. */
    boolean complete() {
        return complete;
    }

    /** The set when it is complete, else "" (unknown). */
    String known() {
        return complete ? toString() : "";
    }

    void addMySql(String gtid) {
        if (mysql == null) {
            mysql = new GtidSet("");
        }
        mysql.add(gtid);
    }

    /** A MariaDB transaction's GTID: the new position of its domain. */
    void addMariaDb(String gtid) {
        if (gtid.isEmpty()) {
            return;
        }
        isMariaDb = true;
        mariadb.put(domain(gtid), gtid);
    }

    /**
     * MySQL's PREVIOUS_GTIDS event: the GTIDs of every transaction before the binlog file it starts. Taken as a union,
     * since a server resuming a GTID connection may start with an older file whose list is a subset of ours.
     */
    void mergeMySqlSet(String gtidSet) {
        GtidSet other = new GtidSet(gtidSet == null ? "" : gtidSet.replaceAll("\\s+", ""));
        if (mysql == null) {
            mysql = new GtidSet("");
        }
        for (GtidSet.UUIDSet set : other.getUUIDSets()) {
            GtidSet.UUIDSet mine = mysql.getUUIDSet(set.getServerId().toString());
            List<GtidSet.Interval> intervals = new ArrayList<>(set.getIntervals());
            if (mine != null) {
                intervals.addAll(mine.getIntervals());
            }
            mysql.putUUIDSet(new GtidSet.UUIDSet(set.getServerId(), union(intervals)));
        }
        complete = true;
    }

    /**
     * MariaDB's GTID_LIST event: the binlog state before the file it starts (possibly several GTIDs per domain, one per
     * originating server). Per domain the highest sequence number wins, ours or the list's.
     */
    void mergeMariaDbList(String list) {
        isMariaDb = true;
        mergeMariaDb(list == null ? "" : list);
        complete = true;
    }

    private void mergeMariaDb(String list) {
        for (String gtid : list.split(",")) {
            String value = gtid.trim();
            if (!value.isEmpty()) {
                mariadb.merge(domain(value), value, (a, b) -> sequence(a) >= sequence(b) ? a : b);
            }
        }
    }

    private static long domain(String gtid) {
        return Long.parseLong(gtid.substring(0, gtid.indexOf('-')));
    }

    private static long sequence(String gtid) {
        return Long.parseLong(gtid.substring(gtid.lastIndexOf('-') + 1));
    }

    private static List<GtidSet.Interval> union(List<GtidSet.Interval> intervals) {
        intervals.sort(Comparator.comparingLong(GtidSet.Interval::getStart));
        List<GtidSet.Interval> merged = new ArrayList<>();
        for (GtidSet.Interval next : intervals) {
            GtidSet.Interval last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && next.getStart() <= last.getEnd() + 1) {
                merged.set(merged.size() - 1, new GtidSet.Interval(last.getStart(), Math.max(last.getEnd(), next.getEnd())));
            } else {
                merged.add(next);
            }
        }
        return merged;
    }

    @Override
    public String toString() {
        if (isMariaDb) {
            return mariadb.values().stream().collect(Collectors.joining(","));
        }
        return mysql == null ? "" : mysql.toString();
    }
}
