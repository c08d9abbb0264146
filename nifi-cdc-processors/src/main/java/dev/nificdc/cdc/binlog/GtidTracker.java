package dev.nificdc.cdc.binlog;

import com.github.shyiko.mysql.binlog.GtidSet;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The GTIDs of completed transactions: a MySQL GTID set ({@code uuid:1-42}) or a MariaDB GTID position
 * (the last {@code domain-server-sequence} per domain).
 */
final class GtidTracker {
    private GtidSet mysql;
    private final Map<Long, String> mariadb = new TreeMap<>();
    private boolean isMariaDb;

    GtidTracker(String initial) {
        String value = initial == null ? "" : initial.trim();
        if (!value.isEmpty() && isMariaDbFormat(value)) {
            isMariaDb = true;
            for (String gtid : value.split(",")) {
                addMariaDb(gtid.trim());
            }
        } else {
            mysql = new GtidSet(value);
        }
    }

    static boolean isMariaDbFormat(String gtids) {
        return gtids.matches("\\s*\\d+-\\d+-\\d+\\s*(,\\s*\\d+-\\d+-\\d+\\s*)*");
    }

    void addMySql(String gtid) {
        if (mysql == null) {
            mysql = new GtidSet("");
        }
        mysql.add(gtid);
    }

    void addMariaDb(String gtid) {
        if (gtid.isEmpty()) {
            return;
        }
        isMariaDb = true;
        long domain = Long.parseLong(gtid.substring(0, gtid.indexOf('-')));
        mariadb.put(domain, gtid);
    }

    @Override
    public String toString() {
        if (isMariaDb) {
            return mariadb.values().stream().collect(Collectors.joining(","));
        }
        return mysql == null ? "" : mysql.toString();
    }
}
