package dev.nificdc.cdc.core.engine;

import dev.nificdc.cdc.core.SourceOffset;

import java.util.HashMap;
import java.util.Map;

/**
 * Where the streamed output of a run ends, stored before that output is committed ({@link CaptureRun#intent()}): after a
 * crash inside the commit, the next run streams from the same stored offset exactly to {@code end}, whatever has arrived
 * since, so it hands out the same changes in the same units with the same sequence ids, and stores the same state.
 *
 * @param end         the offset after the last change of the output
 * @param sequenceEnd the sequence id after the output's last unit
 * @param stateEnd    the offset the output's state stores: {@code end}, or further when the stream had read past it
 *                    (changes of other tables, rotations) with no captured change in between; null in intents stored
 *                    before this was recorded
 * @param <O>         the source's offset type
 */
record StreamingIntent<O extends SourceOffset<O>>(O end, long sequenceEnd, O stateEnd) {
    /** Prefix of the state keys of a stored intent; the offsets' own keys follow {@code intent.end.} and {@code intent.state.}. */
    static final String PREFIX = "intent.";
    private static final String KEY_END = PREFIX + "end.";
    private static final String KEY_STATE_END = PREFIX + "state.";
    private static final String KEY_SEQUENCE_END = PREFIX + "sequence.end";

    /** The intent stored in {@code state}, or null when it holds none. */
    static <O extends SourceOffset<O>> StreamingIntent<O> from(Map<String, String> state, StreamingSource<O> source) {
        O offset = offset(state, KEY_END, source);
        return offset == null ? null : new StreamingIntent<>(offset, Long.parseLong(state.getOrDefault(KEY_SEQUENCE_END, "0")),
                offset(state, KEY_STATE_END, source));
    }

    private static <O extends SourceOffset<O>> O offset(Map<String, String> state, String prefix, StreamingSource<O> source) {
        Map<String, String> keys = new HashMap<>();
        state.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                keys.put(key.substring(prefix.length()), value);
            }
        });
        return keys.isEmpty() ? null : source.storedOffset(keys);
    }

    /** {@code state} without any intent, plus this one. */
    Map<String, String> storedWith(Map<String, String> state) {
        Map<String, String> intent = new HashMap<>(state);
        removeFrom(intent);
        end.toStateMap().forEach((key, value) -> intent.put(KEY_END + key, value));
        if (stateEnd != null) {
            stateEnd.toStateMap().forEach((key, value) -> intent.put(KEY_STATE_END + key, value));
        }
        intent.put(KEY_SEQUENCE_END, String.valueOf(sequenceEnd));
        return intent;
    }

    static void removeFrom(Map<String, String> state) {
        state.keySet().removeIf(key -> key.startsWith(PREFIX));
    }
}
