package dev.nificdc.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nificdc.e2e.NiFiHome;
import dev.nificdc.e2e.NiFiInstance;
import dev.nificdc.e2e.NiFiRestClient;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Candidate (c): CaptureBinlogChange, as packaged in our freshly built NAR, running in a real headless Apache NiFi
 * 2.3.0 whose repositories are on disk as in NiFi's default configuration (write-ahead FlowFile repository, file-system
 * content repository with archiving, write-ahead provenance repository) and whose JVM runs with NiFi's default heap
 * (1 GB) and full JIT (the e2e harness limits NiFi to C1 for faster test starts; this candidate lifts that).
 *
 * <p>One NiFi is started by {@link #start()} and kept for all repetitions. Each {@link #capture(BinlogRange)} builds a
 * new process group (so a new processor with empty state): an AvroRecordSetWriter (inherit record schema), a
 * CaptureBinlogChange reading {@code range.database()} from {@code range.startFile():range.startPosition()} with
 * Snapshot Mode {@code never} and defaults otherwise, its {@code success} connected to a funnel that has no outgoing
 * connection, so every FlowFile stays queued in NiFi's repositories. The clock starts at the REST request that starts
 * the processor and stops at the first poll of NiFi's counters ({@code Changes captured: create/update/delete} of this
 * processor) that shows every change of the range. NiFi adjusts these counters in the same session commit that
 * enqueues the FlowFiles, after the FlowFile repository update and the enqueueing, so a counted change is a change
 * queued downstream. The processor is then stopped, the counters are read once more (a duplicate would show there),
 * the queue is listed and its FlowFiles' {@code cdc.operations} and {@code record.count} attributes are summed and
 * compared with the counters, and the group is emptied and deleted, so the next call starts fresh.
 *
 * <p>Resolution: the counters are polled every {@value #POLL_MILLIS} ms, so the stop of the clock is late by up to one
 * poll interval plus one REST round trip (a few ms): the measured time overestimates the true one by at most about
 * {@value #POLL_MILLIS} ms, i.e. by at most 0.1 s / T relative to a run of T seconds (5% for a 2 s run, 0.5% for 20 s).
 * The processor itself commits once per run of its default Max Wait Time (1 s), so the last changes reach the queue
 * up to 1 s after they were read: that is part of what (c) measures (the processor as packaged), and it weighs on short
 * ranges; ranges of 200,000 rows or more make it small.
 */
final class NiFiCapture implements BinlogCaptureCandidate {
    static final String CDC_NAR_PROPERTY = "nifi.e2e.cdc.nar";
    /**
     * When set (a file path), NiFi runs with a JFR profile recording that it writes to this file when it stops, and
     * {@link #close()} prints {@link NiFiJfrSummary}. With bench/run.sh:
     * {@code NIFI_CDC_BENCH_JAVA_OPTS=-Dnifi.cdc.bench.nifi.jfr=/tmp/nifi.jfr bench/run.sh --sections throughput ...}.
     */
    static final String JFR_PROPERTY = "nifi.cdc.bench.nifi.jfr";
    static final long POLL_MILLIS = 100;
    static final long TIMEOUT_MILLIS = 600_000;
    static final long STALL_MILLIS = 60_000;

    private static final String CAPTURE_TYPE = "dev.nificdc.cdc.processors.CaptureBinlogChange";
    private static final String AVRO_WRITER_TYPE = "org.apache.nifi.avro.AvroRecordSetWriter";
    private static final String COUNTER_PREFIX = "Changes captured: ";

    /**
     * What NiFi's default nifi.properties sets and the e2e harness changes for faster tests: the provenance repository
     * on disk (write-ahead, Lucene-indexed) and the content archive.
     */
    private static final Map<String, String> NIFI_DEFAULT_REPOSITORIES = Map.ofEntries(
            Map.entry("nifi.provenance.repository.implementation", "org.apache.nifi.provenance.WriteAheadProvenanceRepository"),
            Map.entry("nifi.provenance.repository.directory.default", "./provenance_repository"),
            Map.entry("nifi.provenance.repository.max.storage.time", "30 days"),
            Map.entry("nifi.provenance.repository.max.storage.size", "10 GB"),
            Map.entry("nifi.provenance.repository.rollover.time", "10 mins"),
            Map.entry("nifi.provenance.repository.rollover.size", "100 MB"),
            Map.entry("nifi.provenance.repository.query.threads", "2"),
            Map.entry("nifi.provenance.repository.index.threads", "2"),
            Map.entry("nifi.provenance.repository.compress.on.rollover", "true"),
            Map.entry("nifi.provenance.repository.always.sync", "false"),
            Map.entry("nifi.provenance.repository.indexed.fields", "EventType, FlowFileUUID, Filename, ProcessorID, Relationship"),
            Map.entry("nifi.provenance.repository.indexed.attributes", ""),
            Map.entry("nifi.provenance.repository.index.shard.size", "500 MB"),
            Map.entry("nifi.provenance.repository.max.attribute.length", "65536"),
            Map.entry("nifi.provenance.repository.concurrent.merge.threads", "2"),
            Map.entry("nifi.content.repository.archive.enabled", "true"),
            Map.entry("nifi.content.repository.archive.max.retention.period", "3 hours"),
            Map.entry("nifi.content.repository.archive.max.usage.percentage", "90%"));

    private final NiFiInstance nifi;
    private final double startSeconds;
    private int runs;
    private String lastRun = "";
    private long lastCpuNanos = -1;
    private final List<NiFiJfrSummary.Window> timedWindows = new ArrayList<>();

    private NiFiCapture(NiFiInstance nifi, double startSeconds) {
        this.nifi = nifi;
        this.startSeconds = startSeconds;
    }

    /**
     * Starts one headless NiFi with the NAR built by this reactor ({@code -Dnifi.e2e.cdc.nar}, set by bench/run.sh),
     * NiFi's default repositories and heap, and full JIT. Takes 15-60 s on a busy 2-core machine.
     */
    static NiFiCapture start() {
        List<String> jvmArgs = new ArrayList<>(List.of("-Xms1g", "-Xmx1g", "-XX:TieredStopAtLevel=4"));
        String jfr = System.getProperty(JFR_PROPERTY, "").trim();
        if (!jfr.isEmpty()) {
            jvmArgs.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + Path.of(jfr).toAbsolutePath());
        }
        long started = System.nanoTime();
        NiFiInstance nifi = NiFiInstance.start(NiFiHome.fromBuild(), NIFI_DEFAULT_REPOSITORIES, jvmArgs, requiredNar());
        double seconds = (System.nanoTime() - started) / 1e9;
        try {
            String version = nifi.client().version();
            if (!NiFiHome.NIFI_VERSION.equals(version)) {
                throw new IllegalStateException("Expected NiFi " + NiFiHome.NIFI_VERSION + " but NiFi reports " + version);
            }
        } catch (RuntimeException e) {
            nifi.close();
            throw e;
        }
        return new NiFiCapture(nifi, seconds);
    }

    private static Path requiredNar() {
        String value = System.getProperty(CDC_NAR_PROPERTY, "").trim();
        if (value.isEmpty()) {
            throw new IllegalStateException("System property " + CDC_NAR_PROPERTY + " is not set: run the benchmark through bench/run.sh "
                    + "(it passes the NAR built by ./mvnw package), or use --no-nifi to skip the real-NiFi candidate");
        }
        return Path.of(value);
    }

    @Override
    public String name() {
        return "real-nifi";
    }

    /** Seconds from launching NiFi's JVM until its REST API answered. */
    double startSeconds() {
        return startSeconds;
    }

    /**
     * What the last {@link #capture} saw in NiFi's queue (FlowFiles, bytes, records by attribute) and its timed window
     * (wall clock, to find it in a JFR recording of NiFi), for the report.
     */
    String lastRun() {
        return lastRun;
    }

    /**
     * CPU time the NiFi JVM (all threads: processor, binlog reader, repositories, REST API answering the polls, JIT,
     * GC) used during the last {@link #capture}'s timed window, from the operating system; -1 when unknown. On a shared
     * machine CPU per event is steadier than wall time, and comparable with (b)'s CPU per event of the benchmark JVM.
     */
    long lastCpuNanos() {
        return lastCpuNanos;
    }

    @Override
    public CaptureMeasurement capture(BinlogRange range) throws Exception {
        NiFiRestClient client = nifi.client();
        int run = ++runs;
        String group = client.createProcessGroup(client.rootGroupId(), "bench real-nifi " + run + " " + range.database());
        Exception failure = null;
        try {
            String writer = client.createControllerService(group, AVRO_WRITER_TYPE, "Avro Writer", Map.of(
                    "Schema Write Strategy", "avro-embedded",
                    "schema-access-strategy", "inherit-record-schema"));
            client.enableControllerService(writer);
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("Hosts", range.host() + ":" + range.port());
            properties.put("Username", range.user());
            properties.put("Password", range.password());
            properties.put("Database Include Pattern", range.database());
            properties.put("Snapshot Mode", "never");
            properties.put("Initial Binlog Position", "FILE_POSITION");
            properties.put("Initial Binlog File", range.startFile());
            properties.put("Initial Binlog Position Offset", Long.toString(range.startPosition()));
            properties.put("Record Writer", writer);
            String capture = client.createProcessor(group, CAPTURE_TYPE, "Capture " + run, properties);
            String funnel = createFunnel(client, group);
            String queue = connectToFunnel(client, group, capture, funnel);
            List<String> invalid = client.processorValidationErrors(capture);
            if (!invalid.isEmpty()) {
                throw new IllegalStateException("NiFi reports CaptureBinlogChange invalid: " + invalid);
            }

            JsonNode revision = client.processor(capture).path("revision");
            Instant startedAt = Instant.now();
            long cpuStart = nifi.cpuNanos();
            long start = System.nanoTime();
            setRunStatus(client, capture, revision, "RUNNING");
            OrdersWorkload.Counts seen = awaitCounts(client, capture, "Capture " + run, range.expected(), start);
            long nanos = System.nanoTime() - start;
            long cpuNanos = nifi.cpuNanos() - cpuStart;
            Instant stoppedAt = Instant.now();
            timedWindows.add(new NiFiJfrSummary.Window(startedAt, stoppedAt));

            client.stopProcessor(capture);
            OrdersWorkload.Counts counted = counts(client, capture);
            lastCpuNanos = cpuStart < 0 ? -1 : cpuNanos;
            lastRun = String.format(Locale.ROOT, "%s; NiFi JVM CPU %.2f us/event; timed %s .. %s", verifyQueue(client, queue, counted),
                    lastCpuNanos / 1e3 / counted.total(), startedAt, stoppedAt);
            if (!counted.equals(seen)) {
                lastRun += "; counters moved after the clock stopped: " + seen + " -> " + counted;
            }
            return new CaptureMeasurement(counted, nanos, lastCpuNanos);
        } catch (Exception e) {
            failure = e;
            throw e;
        } finally {
            try {
                remove(client, group);
            } catch (RuntimeException e) {
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e);
            }
            awaitQuiet();
        }
    }

    /**
     * Waits (at most 30 s) until NiFi uses less than a tenth of a core, so its background work after a capture
     * (provenance indexing, repository checkpoints) does not slow the next candidate, which runs in another process.
     */
    private void awaitQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long before = nifi.cpuNanos();
        while (before >= 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = nifi.cpuNanos();
            if (now - before < TimeUnit.MILLISECONDS.toNanos(50)) {
                return;
            }
            before = now;
        }
    }

    /**
     * Polls the processor's counters every {@value #POLL_MILLIS} ms (fixed rate) until they reach {@code expected}.
     * Gives up after {@value #TIMEOUT_MILLIS} ms, or after {@value #STALL_MILLIS} ms without progress while the processor
     * has ERROR bulletins, with NiFi's bulletins and log tail in the message.
     */
    private OrdersWorkload.Counts awaitCounts(NiFiRestClient client, String capture, String captureName, OrdersWorkload.Counts expected, long start) {
        long tick = start;
        long lastTotal = -1;
        long lastProgress = start;
        while (true) {
            OrdersWorkload.Counts counts = counts(client, capture);
            if (counts.total() >= expected.total()) {
                return counts;
            }
            long now = System.nanoTime();
            if (counts.total() != lastTotal) {
                lastTotal = counts.total();
                lastProgress = now;
            }
            boolean timedOut = now - start > TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
            boolean stalled = now - lastProgress > TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)
                    && client.bulletins().stream().anyMatch(b -> b.level().equals("ERROR") && b.sourceName().equals(captureName));
            if (timedOut || stalled) {
                throw new IllegalStateException("The real NiFi captured only " + counts + " of " + expected
                        + (timedOut ? " within " + TimeUnit.MILLISECONDS.toMinutes(TIMEOUT_MILLIS) + " minutes"
                        : "; no progress for " + TimeUnit.MILLISECONDS.toSeconds(STALL_MILLIS) + " s and the processor reports errors")
                        + ". Look at the bulletins and log below (processor " + capture + "):\n" + nifi.diagnostics());
            }
            do {
                tick += TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS);
            } while (tick < now);
            sleepNanos(tick - now);
        }
    }

    /** This processor's "Changes captured: create/update/delete" counters (NiFi also keeps a sum over all processors of the type). */
    private static OrdersWorkload.Counts counts(NiFiRestClient client, String processorId) {
        long creates = 0;
        long updates = 0;
        long deletes = 0;
        for (JsonNode counter : client.get("/counters").path("counters").path("aggregateSnapshot").path("counters")) {
            if (!counter.path("context").asText().contains(processorId)) {
                continue;
            }
            long value = counter.path("valueCount").asLong();
            switch (counter.path("name").asText()) {
                case COUNTER_PREFIX + "create" -> creates = value;
                case COUNTER_PREFIX + "update" -> updates = value;
                case COUNTER_PREFIX + "delete" -> deletes = value;
                case COUNTER_PREFIX + "read" -> throw new IllegalStateException("CaptureBinlogChange read snapshot rows although Snapshot Mode is never");
                default -> {
                    // Binlog lag (ms)
                }
            }
        }
        return new OrdersWorkload.Counts(creates, updates, deletes);
    }

    /**
     * Checks that the FlowFiles are really in the downstream queue: lists it (NiFi lists at most 100) and sums the
     * listed FlowFiles' {@code cdc.operations} and {@code record.count}; with every FlowFile listed the sums must equal
     * the counters.
     */
    private String verifyQueue(NiFiRestClient client, String queue, OrdersWorkload.Counts counted) {
        JsonNode status = client.get("/flow/connections/" + queue + "/status").path("connectionStatus").path("aggregateSnapshot");
        long flowFiles = status.path("flowFilesQueued").asLong();
        long bytes = status.path("bytesQueued").asLong();
        if (flowFiles == 0) {
            throw new IllegalStateException("NiFi's counters show " + counted + " but the downstream queue is empty");
        }
        JsonNode listing = client.post("/flowfile-queues/" + queue + "/listing-requests", JsonNodeFactory.instance.objectNode()).path("listingRequest");
        String path = "/flowfile-queues/" + queue + "/listing-requests/" + listing.path("id").asText();
        listing = client.await("NiFi to list the queue", () -> client.get(path).path("listingRequest"), l -> l.path("finished").asBoolean());
        client.delete(path);
        long records = 0;
        long[] ops = new long[3];
        int listed = 0;
        for (JsonNode summary : listing.path("flowFileSummaries")) {
            JsonNode attributes = client.get("/flowfile-queues/" + queue + "/flowfiles/" + summary.path("uuid").asText())
                    .path("flowFile").path("attributes");
            records += attributes.path("record.count").asLong();
            for (String part : attributes.path("cdc.operations").asText().split(",")) {
                String[] kv = part.split("=");
                if (kv.length == 2) {
                    int index = switch (kv[0]) {
                        case "c" -> 0;
                        case "u" -> 1;
                        case "d" -> 2;
                        default -> -1;
                    };
                    if (index >= 0) {
                        ops[index] += Long.parseLong(kv[1]);
                    }
                }
            }
            listed++;
        }
        OrdersWorkload.Counts inFlowFiles = new OrdersWorkload.Counts(ops[0], ops[1], ops[2]);
        String summary = String.format("%d FlowFiles (%.1f MB) queued; %s listed: %d records, %s", flowFiles, bytes / 1e6,
                listed == flowFiles ? "all" : listed + " of them", records, inFlowFiles);
        if (listed == flowFiles && (records != counted.total() || !inFlowFiles.equals(counted))) {
            throw new IllegalStateException("NiFi's counters show " + counted + " but the queued FlowFiles hold " + summary);
        }
        return summary;
    }

    private static String createFunnel(NiFiRestClient client, String group) {
        ObjectNode body = revisionZero();
        body.putObject("component").putObject("position").put("x", 400.0).put("y", 0.0);
        return client.post("/process-groups/" + group + "/funnels", body).path("id").asText();
    }

    private static String connectToFunnel(NiFiRestClient client, String group, String processor, String funnel) {
        ObjectNode body = revisionZero();
        ObjectNode component = body.putObject("component");
        component.putObject("source").put("id", processor).put("groupId", group).put("type", "PROCESSOR");
        component.putObject("destination").put("id", funnel).put("groupId", group).put("type", "FUNNEL");
        component.putArray("selectedRelationships").add("success");
        return client.post("/process-groups/" + group + "/connections", body).path("id").asText();
    }

    private static void setRunStatus(NiFiRestClient client, String processor, JsonNode revision, String state) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("state", state).put("disconnectedNodeAcknowledged", false);
        body.set("revision", revision);
        client.put("/processors/" + processor + "/run-status", body);
    }

    /** Stops the group, empties its queues, disables its services and deletes it, so nothing of this run is left. */
    private void remove(NiFiRestClient client, String group) {
        try {
            client.stopGroup(group);
            client.await("the group's processors to stop", () -> client.get("/flow/process-groups/" + group + "/status")
                    .path("processGroupStatus").path("aggregateSnapshot").path("activeThreadCount").asInt(), n -> n == 0);
            JsonNode drop = client.post("/process-groups/" + group + "/empty-all-connections-requests", JsonNodeFactory.instance.objectNode())
                    .path("dropRequest");
            String dropPath = "/process-groups/" + group + "/empty-all-connections-requests/" + drop.path("id").asText();
            client.await("NiFi to empty the queues", () -> client.get(dropPath).path("dropRequest"), d -> d.path("finished").asBoolean());
            client.delete(dropPath);
            ObjectNode disable = JsonNodeFactory.instance.objectNode().put("id", group).put("state", "DISABLED");
            client.put("/flow/process-groups/" + group + "/controller-services", disable);
            client.await("the group's services to be disabled", () -> client.get("/flow/process-groups/" + group
                    + "/controller-services?includeAncestorGroups=false").path("controllerServices"), services -> {
                for (JsonNode s : services) {
                    if (!"DISABLED".equals(s.path("component").path("state").asText())) {
                        return false;
                    }
                }
                return true;
            });
            long version = client.get("/process-groups/" + group).path("revision").path("version").asLong();
            client.delete("/process-groups/" + group + "?version=" + version);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Could not remove the benchmark's process group " + group + " from NiFi: " + e.getMessage()
                    + "\n" + nifi.diagnostics(), e);
        }
    }

    private static ObjectNode revisionZero() {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("revision").put("version", 0);
        body.put("disconnectedNodeAcknowledged", false);
        return body;
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(Math.max(0, nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for NiFi", e);
        }
    }

    /**
     * Stops NiFi (gracefully, so a JFR recording, if any, is written) and deletes its directory. With a recording, prints
     * where NiFi's CPU, allocation and GC pauses went during the timed windows (all, then without the first, which
     * carries NiFi's JIT warm-up).
     */
    @Override
    public void close() throws Exception {
        nifi.close();
        String jfr = System.getProperty(JFR_PROPERTY, "").trim();
        if (!jfr.isEmpty() && !timedWindows.isEmpty()) {
            System.out.print(NiFiJfrSummary.summarize(Path.of(jfr), timedWindows));
            if (timedWindows.size() > 1) {
                System.out.print("Without the first (JIT warm-up) repetition:\n"
                        + NiFiJfrSummary.summarize(Path.of(jfr), timedWindows.subList(1, timedWindows.size())));
            }
        }
    }
}
