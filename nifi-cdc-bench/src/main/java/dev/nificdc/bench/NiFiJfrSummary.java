package dev.nificdc.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the real NiFi's CPU, allocation and GC pauses went during {@link NiFiCapture}'s timed windows, from a JFR
 * recording of NiFi's JVM ({@code -Dnifi.cdc.bench.nifi.jfr=FILE}): the basis of what BENCHMARKS.md says (c) costs on top of (b).
 * Execution samples are counted inclusively per marker (a sample whose stack holds a marker's frame counts for it),
 * so nested markers (indented) are parts of their parent. Also usable on its own:
 * {@code java -cp ... dev.nificdc.bench.NiFiJfrSummary nifi.jfr FROM TO [FROM TO ...]} with ISO-8601 instants.
 */
final class NiFiJfrSummary {
    /** One timed window of a capture. */
    record Window(Instant from, Instant to) {
        boolean contains(Instant t) {
            return !t.isBefore(from) && !t.isAfter(to);
        }
    }

    /** Label and the frame prefix ({@code class.method} or a package) that marks it. */
    private static final List<Map.Entry<String, String>> MARKERS = List.of(
            Map.entry("CaptureBinlogChange.onTrigger", "dev.nificdc.cdc.processors.CaptureBinlogChange.onTrigger"),
            Map.entry("  change records and Avro writing", "dev.nificdc.cdc.emit.ChangeFlowFileWriter.write"),
            Map.entry("    NiFi's Avro record conversion and encoding", "org.apache.nifi.avro."),
            Map.entry("  session commit (FlowFile WAL, provenance, enqueue)", "org.apache.nifi.controller.repository.StandardProcessSession.commit"),
            Map.entry("  content repository writes", "org.apache.nifi.controller.repository.FileSystemRepository"),
            Map.entry("binlog reading and deserialising", "com.github.shyiko.mysql.binlog.BinaryLogClient"),
            Map.entry("provenance repository (incl. Lucene indexing)", "org.apache.nifi.provenance."),
            Map.entry("FlowFile repository write-ahead log", "org.apache.nifi.wali."),
            Map.entry("REST API (Jetty), e.g. the benchmark's polls", "org.eclipse.jetty."));

    private NiFiJfrSummary() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3 || args.length % 2 == 0) {
            System.err.println("Usage: NiFiJfrSummary RECORDING.jfr FROM TO [FROM TO ...]   (ISO-8601 instants, e.g. from NiFiCapture.lastRun())");
            System.exit(2);
        }
        List<Window> windows = new ArrayList<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            windows.add(new Window(Instant.parse(args[i]), Instant.parse(args[i + 1])));
        }
        System.out.print(summarize(Path.of(args[0]), windows));
    }

    static String summarize(Path recording, List<Window> windows) throws IOException {
        int samples = 0;
        Map<String, Integer> byMarker = new LinkedHashMap<>();
        Map<String, Integer> byThread = new HashMap<>();
        long allocated = 0;
        Map<String, Long> allocatedByMarker = new LinkedHashMap<>();
        int collections = 0;
        Duration paused = Duration.ZERO;
        Duration longestPause = Duration.ZERO;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                if (windows.stream().noneMatch(w -> w.contains(event.getStartTime()))) {
                    continue;
                }
                switch (event.getEventType().getName()) {
                    case "jdk.ExecutionSample" -> {
                        samples++;
                        RecordedThread thread = event.getThread("sampledThread");
                        String name = thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName().replaceAll("\\d+", "N");
                        byThread.merge(name, 1, Integer::sum);
                        for (String marker : markersOf(event.getStackTrace())) {
                            byMarker.merge(marker, 1, Integer::sum);
                        }
                    }
                    case "jdk.ObjectAllocationSample" -> {
                        long weight = event.getLong("weight");
                        allocated += weight;
                        for (String marker : markersOf(event.getStackTrace())) {
                            allocatedByMarker.merge(marker, weight, Long::sum);
                        }
                    }
                    case "jdk.GarbageCollection" -> {
                        collections++;
                        Duration pauses = event.getDuration("sumOfPauses");
                        paused = paused.plus(pauses);
                        longestPause = pauses.compareTo(longestPause) > 0 ? pauses : longestPause;
                    }
                    default -> {
                        // other events are not summarised
                    }
                }
            }
        }
        double seconds = windows.stream().mapToLong(w -> Duration.between(w.from(), w.to()).toMillis()).sum() / 1000.0;
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "NiFi JVM during %d timed window(s), %.1f s in all (JFR %s)%n", windows.size(), seconds, recording));
        text.append(String.format(Locale.ROOT, "  CPU: %d execution samples; inclusive share by code path:%n", samples));
        for (Map.Entry<String, String> marker : MARKERS) {
            int n = byMarker.getOrDefault(marker.getKey(), 0);
            text.append(String.format(Locale.ROOT, "    %5.1f%%  %s%n", percent(n, samples), marker.getKey()));
        }
        text.append("  CPU by thread:");
        int total = samples;
        byThread.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(6)
                .forEach(e -> text.append(String.format(Locale.ROOT, " %s %.1f%%;", e.getKey(), percent(e.getValue(), total))));
        text.append(String.format(Locale.ROOT, "%n  Allocation: %.0f MB (sampled estimate); processor onTrigger %.1f%%, binlog reader %.1f%%, "
                        + "session commit %.1f%%, provenance %.1f%%, REST API %.1f%%%n", allocated / 1e6,
                percent(allocatedByMarker.getOrDefault(MARKERS.get(0).getKey(), 0L), allocated),
                percent(allocatedByMarker.getOrDefault(MARKERS.get(5).getKey(), 0L), allocated),
                percent(allocatedByMarker.getOrDefault(MARKERS.get(3).getKey(), 0L), allocated),
                percent(allocatedByMarker.getOrDefault(MARKERS.get(6).getKey(), 0L), allocated),
                percent(allocatedByMarker.getOrDefault(MARKERS.get(8).getKey(), 0L), allocated)));
        text.append(String.format(Locale.ROOT, "  GC: %d collections, %.1f s of pauses (%.0f%% of the windows), longest %d ms%n",
                collections, paused.toMillis() / 1000.0, percent(paused.toMillis(), (long) (seconds * 1000)), longestPause.toMillis()));
        return text.toString();
    }

    private static List<String> markersOf(RecordedStackTrace stack) {
        List<String> found = new ArrayList<>();
        if (stack == null) {
            return found;
        }
        for (Map.Entry<String, String> marker : MARKERS) {
            for (RecordedFrame frame : stack.getFrames()) {
                String method = frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
                if (method.startsWith(marker.getValue())) {
                    found.add(marker.getKey());
                    break;
                }
            }
        }
        return found;
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }
}
