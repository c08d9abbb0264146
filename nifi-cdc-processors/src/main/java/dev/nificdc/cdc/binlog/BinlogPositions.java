package dev.nificdc.cdc.binlog;

import dev.nificdc.cdc.core.snapshot.LogPositions;
import dev.nificdc.cdc.core.snapshot.SnapshotProgress;
import dev.nificdc.cdc.record.ChangeEvent;

import java.util.List;
import java.util.Map;

/**
 * Binlog positions in the snapshot state: each read view as {@code file:position}, the server id once under
 * {@code snapshot.server.id}; a streamed change lies at the binlog position of its row event.
 */
public final class BinlogPositions implements LogPositions<BinlogOffset> {
    public static final BinlogPositions INSTANCE = new BinlogPositions();
    static final String KEY_SERVER_ID = SnapshotProgress.PREFIX + "server.id";

    private BinlogPositions() {
    }

    @Override
    public String encode(BinlogOffset view) {
        return view.file() + ":" + view.position();
    }

    @Override
    public BinlogOffset decode(String encoded, Map<String, String> state) {
        long serverId = Long.parseLong(state.getOrDefault(KEY_SERVER_ID, "0"));
        int colon = encoded.lastIndexOf(':');
        return new BinlogOffset(encoded.substring(0, colon), Long.parseLong(encoded.substring(colon + 1)), 0, "", false, serverId);
    }

    @Override
    public Map<String, String> sharedEntries(List<BinlogOffset> views) {
        return views.isEmpty() ? Map.of() : Map.of(KEY_SERVER_ID, String.valueOf(views.get(0).serverId()));
    }

    @Override
    public BinlogOffset positionOf(ChangeEvent change) {
        BinlogSourceInfo source = BinlogSourceInfo.of(change);
        return source.file() == null ? null : BinlogOffset.at(source.file(), source.pos());
    }
}
