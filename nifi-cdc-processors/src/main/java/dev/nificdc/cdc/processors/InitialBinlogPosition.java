package dev.nificdc.cdc.processors;

import org.apache.nifi.components.DescribedValue;

/** Where CaptureBinlogChange starts reading when it has no stored state. */
public enum InitialBinlogPosition implements DescribedValue {
    EARLIEST("Earliest Available", "The oldest binlog file the server still has: replays every change the server kept."),
    LATEST("Current End", "The current end of the binlog: only changes committed after the processor starts."),
    FILE_POSITION("Binlog File and Position", "The given binlog file and position (Initial Binlog File, Initial Binlog Position)."),
    GTID("GTID", "After the given GTID set (MySQL) or GTID position (MariaDB) in Initial GTID.");

    private final String displayName;
    private final String description;

    InitialBinlogPosition(String displayName, String description) {
        this.displayName = displayName;
        this.description = description;
    }

    @Override
    public String getValue() {
        return name();
    }

    @Override
    public String getDisplayName() {
        return displayName;
    }

    @Override
    public String getDescription() {
        return description;
    }
}
