package dev.nificdc.cdc.processors;

import org.apache.nifi.components.DescribedValue;

/** Whether CaptureTimestampChange's upper bound waits for open write transactions or follows the Commit Lag alone. */
public enum OpenTransactionHandling implements DescribedValue {
    WAIT("Wait", """
            The upper bound also stays before the start of the oldest open write transaction (PostgreSQL and MySQL/MariaDB), \
            so rows that transaction stamped with the database clock are not skipped, however long it stays open. Needs \
            pg_read_all_stats (or the writers' role) on PostgreSQL and PROCESS on MySQL/MariaDB; without them the Commit \
            Lag alone applies and the processor warns."""),
    IGNORE("Ignore", """
            The Commit Lag alone bounds each run, as in QueryDatabaseTable and Kafka Connect JDBC: a transaction that stays \
            open longer than the Commit Lag can lose its rows.""");

    private final String displayName;
    private final String description;

    OpenTransactionHandling(String displayName, String description) {
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
