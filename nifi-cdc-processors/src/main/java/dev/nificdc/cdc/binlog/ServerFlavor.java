package dev.nificdc.cdc.binlog;

import java.util.Locale;

/** Which server writes the binlog: MySQL and MariaDB differ in GTIDs, snapshot positions, privileges and metadata. */
public enum ServerFlavor {
    MYSQL("mysql"),
    MARIADB("mariadb");

    private final String connector;

    ServerFlavor(String connector) {
        this.connector = connector;
    }

    /** The name written into {@code source.connector} of every record, as Debezium's connectors name themselves. */
    public String connector() {
        return connector;
    }

    /** The flavour of a server reporting this version string ({@code SELECT VERSION()}); MySQL when unknown. */
    public static ServerFlavor ofVersion(String version) {
        return version != null && version.toLowerCase(Locale.ROOT).contains("mariadb") ? MARIADB : MYSQL;
    }
}
