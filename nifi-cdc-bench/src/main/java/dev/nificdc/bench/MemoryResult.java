package dev.nificdc.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one memory scenario measured in its child JVM, as the one parseable line the child prints
 * ({@code MEMORY-RESULT key=value ...}) and the parent reads back.
 *
 * @param peakHeapBytes   the sum of the heap pools' peak used bytes since the measurement started (each pool's own
 *                        peak, so an upper bound of the heap in use at any one time, which can exceed the maximum heap)
 * @param inUseMaxBytes   the most heap in use at one time (just before a collection, or at the end)
 * @param afterGcMaxBytes the most heap in use right after any collection: an upper bound of the live data
 * @param avroBytes       bytes the real Avro writer serialised (counted, then discarded)
 */
record MemoryResult(String scenario, boolean success, String reason, long records, long expected, long millis,
                    long peakHeapBytes, long inUseMaxBytes, long maxHeapBytes, long afterGcMaxBytes, long gcCount, long gcMillis,
                    long avroBytes, long flowFiles, long runs) {
    static final String PREFIX = "MEMORY-RESULT ";
    private static final Pattern PAIR = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)");

    /** A scenario that failed before measuring anything (e.g. the child JVM died without a result line). */
    static MemoryResult failedBeforeMeasuring(MemoryScenario scenario, String reason) {
        return new MemoryResult(scenario.id(), false, reason, 0, scenario.rows(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    MemoryResult withFailure(String why) {
        return new MemoryResult(scenario, false, why, records, expected, millis, peakHeapBytes, inUseMaxBytes, maxHeapBytes, afterGcMaxBytes,
                gcCount, gcMillis, avroBytes, flowFiles, runs);
    }

    double rowsPerSecond() {
        return millis <= 0 ? 0 : records * 1000.0 / millis;
    }

    String line() {
        return String.format(Locale.ROOT, PREFIX + "scenario=%s success=%d records=%d expected=%d millis=%d peakHeapBytes=%d "
                        + "inUseMaxBytes=%d maxHeapBytes=%d afterGcMaxBytes=%d gcCount=%d gcMillis=%d avroBytes=%d flowFiles=%d runs=%d reason=\"%s\"",
                scenario, success ? 1 : 0, records, expected, millis, peakHeapBytes, inUseMaxBytes, maxHeapBytes, afterGcMaxBytes, gcCount,
                gcMillis, avroBytes, flowFiles, runs, reason.replace('"', '\'').replace('\n', ' '));
    }

    /** Reads a {@link #line()} back; null when {@code line} is not a result line. */
    static MemoryResult parse(String line) {
        int start = line.indexOf(PREFIX);
        if (start < 0) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        Matcher m = PAIR.matcher(line.substring(start + PREFIX.length()));
        while (m.find()) {
            String value = m.group(2);
            values.put(m.group(1), value.startsWith("\"") ? value.substring(1, value.length() - 1) : value);
        }
        try {
            return new MemoryResult(values.get("scenario"), "1".equals(values.get("success")), values.getOrDefault("reason", ""),
                    number(values, "records"), number(values, "expected"), number(values, "millis"),
                    number(values, "peakHeapBytes"), number(values, "inUseMaxBytes"), number(values, "maxHeapBytes"), number(values, "afterGcMaxBytes"),
                    number(values, "gcCount"), number(values, "gcMillis"), number(values, "avroBytes"),
                    number(values, "flowFiles"), number(values, "runs"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Unreadable memory result line (" + e.getMessage() + "): " + line, e);
        }
    }

    private static long number(Map<String, String> values, String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return Long.parseLong(value);
    }
}
