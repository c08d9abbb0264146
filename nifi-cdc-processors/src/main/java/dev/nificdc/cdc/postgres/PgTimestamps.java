package dev.nificdc.cdc.postgres;

/** PostgreSQL's protocol timestamps: microseconds since 2000-01-01 00:00 UTC. */
final class PgTimestamps {
    /** 2000-01-01 in microseconds since 1970-01-01. */
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    private PgTimestamps() {
    }

    static long epochMillis(long postgresMicros) {
        return Math.floorDiv(postgresMicros + POSTGRES_EPOCH_MICROS, 1000);
    }
}
