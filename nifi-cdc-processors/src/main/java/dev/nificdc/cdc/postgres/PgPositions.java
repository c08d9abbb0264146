package dev.nificdc.cdc.postgres;

import dev.nificdc.cdc.core.snapshot.LogPositions;
import dev.nificdc.cdc.record.ChangeEvent;

import java.util.Map;

/**
 * LSNs in the snapshot state: each read view as its LSN ({@code 16/B374D848}); a streamed change lies at its
 * transaction's commit LSN, so a read view at {@code P} contains exactly the changes whose transaction committed before
 * {@code P} (a slot's exported snapshot shows the transactions committed before the slot's consistent point, and the
 * slot sends those committing at or after it).
 */
public final class PgPositions implements LogPositions<PgOffset> {
    public static final PgPositions INSTANCE = new PgPositions();

    private PgPositions() {
    }

    @Override
    public String encode(PgOffset view) {
        return PgOffset.format(view.lsn());
    }

    @Override
    public PgOffset decode(String encoded, Map<String, String> state) {
        return PgOffset.at(PgOffset.parse(encoded));
    }

    @Override
    public PgOffset positionOf(ChangeEvent change) {
        return PgOffset.at(PgSourceInfo.of(change).commitLsn());
    }
}
