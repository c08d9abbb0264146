package dev.nificdc.bench;

/**
 * The bounded-heap scenarios of the memory benchmark (issue 9, section 3; the incremental snapshot: issue 19). Their
 * sizes are fixed by the issues, independent of {@code --rows}.
 */
enum MemoryScenario {
    /** One transaction updating every row of a 1,000,000-row orders table, streamed from the binlog position just before it. */
    UPDATE_1M("update-1m", 1_000_000, "u", "one UPDATE transaction of 1,000,000 rows, streamed from the binlog"),
    /** An initial snapshot (Snapshot Mode initial) of a 2,000,000-row orders table. */
    SNAPSHOT_2M("snapshot-2m", 2_000_000, "r", "initial snapshot of a 2,000,000-row table"),
    /** An incremental snapshot, requested by a FlowFile while streaming, of a 2,000,000-row orders table. */
    INCREMENTAL_2M("incremental-2m", 2_000_000, "r", "incremental snapshot (requested while streaming) of a 2,000,000-row table");

    /** The heap every scenario's child JVM gets. */
    static final String MAX_HEAP = "256m";

    private final String id;
    private final long rows;
    private final String op;
    private final String description;

    MemoryScenario(String id, long rows, String op, String description) {
        this.id = id;
        this.rows = rows;
        this.op = op;
        this.description = description;
    }

    /** The name used in report lines and on the child's command line. */
    String id() {
        return id;
    }

    /** How many change records the scenario must produce, exactly. */
    long rows() {
        return rows;
    }

    /** The envelope {@code op} every one of those records carries. */
    String op() {
        return op;
    }

    String description() {
        return description;
    }

    static MemoryScenario of(String id) {
        for (MemoryScenario scenario : values()) {
            if (scenario.id.equals(id)) {
                return scenario;
            }
        }
        throw new IllegalArgumentException("Unknown memory scenario '" + id + "'");
    }
}
