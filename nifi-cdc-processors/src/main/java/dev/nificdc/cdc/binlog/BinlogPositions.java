package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.snapshot.LogPositions;
import dev.nificdc.cdc.core.snapshot.SnapshotProgress;
import dev.nificdc.cdc.record.ChangeEvent;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Binlog positions in the snapshot state: each read view as {@code file:position}, followed by {@code |} and the GTIDs
 * before it when they are known, so that streaming can start from the snapshot on another server too; the server the
 * views were read from once, under {@code snapshot.server.id} and {@code snapshot.server.instance}. A streamed change lies
 * at the binlog position of its row event.
 */
public final class BinlogPositions implements LogPositions<BinlogOffset> {
    public static final BinlogPositions INSTANCE = new BinlogPositions();
    static final String KEY_SERVER_ID = SnapshotProgress.PREFIX + "server.id";
    static final String KEY_SERVER_INSTANCE = SnapshotProgress.PREFIX + "server.instance";
    private static final char GTID_SEPARATOR = '|';

    private BinlogPositions() {
    }

    @Override
    public String encode(BinlogOffset view) {
        return view.file() + ":" + view.position() + (view.gtidSet().isEmpty() ? "" : GTID_SEPARATOR + view.gtidSet());
    }

    @Override
    public BinlogOffset decode(String encoded, Map<String, String> state) {
        long serverId = Long.parseLong(state.getOrDefault(KEY_SERVER_ID, "0"));
        int bar = encoded.indexOf(GTID_SEPARATOR);
        String position = bar < 0 ? encoded : encoded.substring(0, bar);
        String gtids = bar < 0 ? "" : encoded.substring(bar + 1);
        int colon = position.lastIndexOf(':');
        return new BinlogOffset(position.substring(0, colon), Long.parseLong(position.substring(colon + 1)), 0, gtids, false,
                serverId, state.get(KEY_SERVER_INSTANCE));
    }

    @Override
    public Map<String, String> sharedEntries(List<BinlogOffset> views) {
        if (views.isEmpty()) {
            return Map.of();
        }
        Map<String, String> entries = new HashMap<>();
        entries.put(KEY_SERVER_ID, String.valueOf(views.get(0).serverId()));
        if (views.get(0).serverInstance() != null) {
            entries.put(KEY_SERVER_INSTANCE, views.get(0).serverInstance());
        }
        return entries;
    }

    @Override
    public BinlogOffset positionOf(ChangeEvent change) {
        BinlogSourceInfo source = BinlogSourceInfo.of(change);
        return source.file() == null ? null : BinlogOffset.at(source.file(), source.pos());
    }
}
