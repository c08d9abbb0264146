package dev.nificdc.cdc.binlog;

import java.util.Objects;

/**
 * Where a reader without a stored offset starts: the oldest binlog still on the server, the current end, an explicit
 * file/position, or a GTID set (MySQL) / GTID position (MariaDB).
 */
public sealed interface StartPosition {

    /** The oldest binlog file the server still has ({@code SHOW BINARY LOGS}). */
    record Earliest() implements StartPosition {
        @Override
        public String toString() {
            return "the oldest binlog on the server";
        }
    }

    /** The current end of the binlog ({@code SHOW MASTER STATUS}): only changes made from now on. */
    record Latest() implements StartPosition {
        @Override
        public String toString() {
            return "the current end of the binlog";
        }
    }

    /** An explicit binlog file and position (the position of an event start, 4 for the start of a file). */
    record FilePosition(String file, long position) implements StartPosition {
        public FilePosition {
            Objects.requireNonNull(file, "file");
            if (file.isBlank()) {
                throw new IllegalArgumentException("Binlog file name must not be blank");
            }
            if (position < 4) {
                throw new IllegalArgumentException("Binlog position must be at least 4 (the first event of a file), was " + position);
            }
        }

        @Override
        public String toString() {
            return file + ":" + position;
        }
    }

    /**
     * Start after the given GTIDs: a MySQL GTID set ({@code uuid:1-42}) or MariaDB GTID position ({@code 0-1-42});
     * an empty string starts at the oldest binlog in GTID mode.
     */
    record Gtid(String gtidSet) implements StartPosition {
        public Gtid {
            gtidSet = gtidSet == null ? "" : gtidSet.trim();
        }

        @Override
        public String toString() {
            return "GTID " + (gtidSet.isEmpty() ? "(none)" : gtidSet);
        }
    }

    static StartPosition earliest() {
        return new Earliest();
    }

    static StartPosition latest() {
        return new Latest();
    }

    static StartPosition filePosition(String file, long position) {
        return new FilePosition(file, position);
    }

    static StartPosition gtid(String gtidSet) {
        return new Gtid(gtidSet);
    }
}
