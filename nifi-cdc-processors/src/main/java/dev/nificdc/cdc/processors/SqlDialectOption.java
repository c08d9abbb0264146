package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.timestamp.SqlDialect;
import org.apache.nifi.components.DescribedValue;

/** CaptureTimestampChange's SQL dialect, or detection from the driver's database product name. */
public enum SqlDialectOption implements DescribedValue {
    AUTO_DETECT("Auto-detect", "Chosen from the database product name the JDBC driver reports; Generic SQL when unknown.", null),
    MYSQL("MySQL / MariaDB", "Back-quoted identifiers, LIMIT, CURRENT_TIMESTAMP(6).", SqlDialect.MYSQL),
    POSTGRESQL("PostgreSQL", "Double-quoted identifiers, LIMIT, clock_timestamp().", SqlDialect.POSTGRESQL),
    ORACLE("Oracle", "Double-quoted identifiers, FETCH FIRST n ROWS ONLY (Oracle 12c+), SYSTIMESTAMP.", SqlDialect.ORACLE),
    SQL_SERVER("Microsoft SQL Server", "Bracket-quoted identifiers, TOP (n), SYSDATETIME().", SqlDialect.SQL_SERVER),
    GENERIC("Generic SQL", "SQL standard: double-quoted identifiers, FETCH FIRST n ROWS ONLY, CURRENT_TIMESTAMP.", SqlDialect.GENERIC);

    private final String displayName;
    private final String description;
    private final SqlDialect dialect;

    SqlDialectOption(String displayName, String description, SqlDialect dialect) {
        this.displayName = displayName;
        this.description = description;
        this.dialect = dialect;
    }

    /** The dialect, or null for auto-detection. */
    public SqlDialect dialect() {
        return dialect;
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
