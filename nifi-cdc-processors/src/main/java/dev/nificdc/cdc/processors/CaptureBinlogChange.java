package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.binlog.BinlogCaptureException;
import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.cdc.binlog.BinlogReader;
import dev.nificdc.cdc.core.CaptureMetrics;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.emit.ChangeFlowFileWriter;
import dev.nificdc.cdc.emit.ChangeRecordFactory;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.ChangeSize;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.binlog.snapshot.ConsistentSnapshot;
import dev.nificdc.cdc.core.snapshot.SnapshotProgress;
import dev.nificdc.cdc.core.snapshot.SnapshotTable;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.PrimaryNodeOnly;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.behavior.TriggerSerially;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.configuration.DefaultSchedule;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.lifecycle.OnScheduled;
import org.apache.nifi.annotation.lifecycle.OnStopped;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.migration.PropertyConfiguration;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.VerifiableProcessor;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.scheduling.SchedulingStrategy;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

@PrimaryNodeOnly
@TriggerSerially
@InputRequirement(InputRequirement.Requirement.INPUT_FORBIDDEN)
@DefaultSchedule(strategy = SchedulingStrategy.TIMER_DRIVEN, period = "0 sec")
@Tags({"cdc", "change data capture", "mysql", "mariadb", "binlog", "replication", "debezium", "avro", "record"})
@CapabilityDescription("""
        Captures every committed row change (insert, update, delete) of the chosen MySQL or MariaDB tables by reading the \
        server's binary log as a replica does, and writes them, in commit order, as records through the configured Record \
        Writer: one FlowFile per run of changes to one table. Records are Debezium-compatible change events (before, after, \
        source position, op, transaction) or flattened rows. Table schemas come from the binlog's own table-map metadata \
        (binlog_row_metadata=FULL), so changes replayed across ALTER TABLE keep the columns they had when they were made. \
        The binlog position is stored in NiFi state in the same session as the FlowFiles it covers, so after a restart or \
        crash capture resumes exactly where the last committed FlowFile ended: nothing lost, nothing duplicated in NiFi. \
        With a Snapshot Mode of initial or when_needed the existing rows are first read in one consistent view (op 'r'), \
        and streaming starts exactly at the binlog position of that view.""")
@Stateful(scopes = Scope.CLUSTER, description = """
        The binlog file and position of the last committed change (and how many changes of a partly emitted transaction \
        were already emitted), the GTID set or MariaDB GTID position, the server id, and the next FlowFile sequence id. \
        While a snapshot runs: the binlog position of each read view, which tables and key ranges were read in which view, the \
        row count. Clearing state makes the processor start again as its Snapshot Mode says (a new snapshot for initial \
        and when_needed; the Initial Binlog Position for never).""")
@WritesAttributes({
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_DATABASE, description = "The database of the captured table"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_TABLE, description = "The captured table"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_TOPIC, description = "Suggested Kafka topic: <Topic Prefix>.<database>.<table>"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_OPERATIONS, description = "How many changes of each operation the FlowFile holds, e.g. c=3,u=1,d=0,r=0"),
        @WritesAttribute(attribute = CaptureBinlogChange.ATTR_SEQUENCE_ID, description = """
                Increases by one with every FlowFile across all tables, in binlog order; use it with EnforceOrder or a \
                FIFO prioritizer to keep order downstream"""),
        @WritesAttribute(attribute = CaptureBinlogChange.ATTR_FIRST_FILE, description = "Binlog file of the first change in the FlowFile"),
        @WritesAttribute(attribute = CaptureBinlogChange.ATTR_FIRST_POSITION, description = "Binlog position of the first change in the FlowFile"),
        @WritesAttribute(attribute = CaptureBinlogChange.ATTR_LAST_FILE, description = "Binlog file of the last change in the FlowFile"),
        @WritesAttribute(attribute = CaptureBinlogChange.ATTR_LAST_POSITION, description = "Binlog position of the last change in the FlowFile"),
        @WritesAttribute(attribute = CaptureBinlogChange.ATTR_GTID, description = "GTID of the transaction of the last change, when GTIDs are in use"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_VALUE_SCHEMA_ID, description = "Registry id of the value schema (with a Schema Registry)"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_VALUE_SCHEMA_VERSION, description = """
                Registry version of the value schema (with a Schema Registry): give it to PublishKafka's Record Writer as \
                Schema Version so records written before an ALTER TABLE keep their own schema id"""),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_KEY_SCHEMA_ID, description = "Registry id of the key schema (with a Schema Registry and a primary key)"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_KEY_SCHEMA_VERSION, description = "Registry version of the key schema (with a Schema Registry and a primary key)"),
        @WritesAttribute(attribute = "record.count", description = "Number of records in the FlowFile (with the Kafka Record Wrapper shape, tombstones included)"),
        @WritesAttribute(attribute = "mime.type", description = "The MIME type the Record Writer declares")
})
@SeeAlso(CaptureTimestampChange.class)
public class CaptureBinlogChange extends AbstractProcessor implements VerifiableProcessor {
    static final String ATTR_SEQUENCE_ID = "cdc.sequence.id";
    static final String ATTR_FIRST_FILE = "cdc.binlog.first.file";
    static final String ATTR_FIRST_POSITION = "cdc.binlog.first.position";
    static final String ATTR_LAST_FILE = "cdc.binlog.last.file";
    static final String ATTR_LAST_POSITION = "cdc.binlog.last.position";
    static final String ATTR_GTID = "cdc.gtid";
    static final String STATE_SEQUENCE_ID = "sequence.id";

    static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("FlowFiles of change records, one table per FlowFile, in binlog order")
            .build();

    static final List<PropertyDescriptor> PROPERTY_DESCRIPTORS = BinlogCaptureProperties.ALL;

    private volatile BinlogCaptureSettings settings;
    private volatile BinlogReader reader;
    private volatile boolean readerNeedsReset;
    private ChangeFlowFileWriter flowFileWriter;
    private long lastLagMillis;
    // snapshot in progress: the open read view, the tables still to read in it and the progress committed so far
    private volatile ConsistentSnapshot snapshotView;
    private volatile boolean snapshotNeedsReset;
    private Deque<SnapshotTable> snapshotQueue;
    private SnapshotProgress snapshotProgress;
    private int snapshotTableCount;

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTY_DESCRIPTORS;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return Set.of(REL_SUCCESS);
    }

    @OnScheduled
    public void onScheduled(ProcessContext context) {
        settings = BinlogCaptureSettings.from(context, getLogger());
        flowFileWriter = new ChangeFlowFileWriter(settings.writerFactory(),
                new ChangeRecordFactory(settings.outputShape(), settings.topicPrefix(), settings.schemaIdentifiers()),
                settings.topicPrefix(), getLogger());
        readerNeedsReset = false;
        snapshotNeedsReset = false;
    }

    @OnStopped
    public void onStopped() {
        closeReader();
        closeSnapshot();
    }

    /** Flows made before Snapshot Mode existed keep their behaviour: streaming from the Initial Binlog Position. */
    @Override
    public void migrateProperties(PropertyConfiguration config) {
        if (!config.isPropertySet(BinlogCaptureProperties.SNAPSHOT_MODE) && config.isPropertySet(BinlogCaptureProperties.INITIAL_POSITION)) {
            config.setProperty(BinlogCaptureProperties.SNAPSHOT_MODE, SnapshotMode.NEVER.getValue());
        }
    }

    @Override
    public void onTrigger(ProcessContext context, ProcessSession session) throws ProcessException {
        try {
            if (readerNeedsReset) {
                closeReader();
                readerNeedsReset = false;
            }
            if (snapshotNeedsReset) {
                closeSnapshot();
                snapshotNeedsReset = false;
            }
            Map<String, String> state = new HashMap<>(session.getState(Scope.CLUSTER).toMap());
            SnapshotProgress progress = SnapshotProgress.fromStateMap(state);
            if (progress != null && progress.running()) {
                snapshotRun(session, state, progress);
                return;
            }
            if (reader == null && BinlogOffset.fromStateMap(state) == null) {
                switch (settings.snapshotMode()) {
                    case INITIAL, WHEN_NEEDED -> {
                        snapshotRun(session, state, SnapshotProgress.start());
                        return;
                    }
                    case NO_DATA -> {
                        storeCurrentPosition(session, state);
                        return;
                    }
                    case NEVER -> {
                        // stream from the Initial Binlog Position
                    }
                }
            }
            BinlogReader active = reader != null ? reader : openReader(state);
            captureRun(session, active, state, progress);
        } catch (BinlogCaptureException e) {
            closeReader();
            if (e.reason() == BinlogCaptureException.Reason.POSITION_UNAVAILABLE && settings.snapshotMode() == SnapshotMode.WHEN_NEEDED) {
                restartWithSnapshot(session, e);
                return;
            }
            context.yield();
            throw new ProcessException(e.getMessage(), e);
        } catch (IOException e) {
            closeReader();
            throw new ProcessException("Could not read or write the processor state: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            // Stopped mid-run: FlowFiles already created in this session must not commit without their position.
            session.rollback();
            Thread.currentThread().interrupt();
            closeReader();
        } catch (RuntimeException e) {
            // The reader ran ahead of what this failed session would have committed: re-read from the stored state.
            closeReader();
            throw e;
        }
    }

    /**
     * Drains changes until the reader has no more at a transaction boundary, or for up to Max Wait Time, writes them as
     * FlowFiles, and commits them with the new offset. While a
     * snapshot that needed several read views is being caught up with, {@code snapshot} drops the changes its rows
     * already contain.
     */
    private void captureRun(ProcessSession session, BinlogReader active, Map<String, String> state, SnapshotProgress snapshot)
            throws InterruptedException, IOException {
        long sequenceId = Long.parseLong(state.getOrDefault(STATE_SEQUENCE_ID, "0"));
        long deadline = System.nanoTime() + settings.maxWait().toNanos();
        List<CapturedChange> run = new ArrayList<>();
        long runBytes = 0;
        CapturedChange last = null;
        int flowFiles = 0;
        while (true) {
            long remaining = deadline - System.nanoTime();
            boolean pastDeadline = remaining <= 0;
            // Past the deadline, keep going only to finish the transaction in progress, so FlowFiles hold whole transactions.
            if (pastDeadline && (last == null || last.endsTransaction() || remaining < -settings.maxWait().toNanos())) {
                break;
            }
            boolean atTransactionEnd = last != null && last.endsTransaction();
            // Caught up at a transaction boundary: write what has arrived now instead of waiting, so a change shows up
            // within milliseconds; under load the queue is never empty and a run fills its FlowFiles until the deadline.
            Duration wait = atTransactionEnd ? Duration.ZERO
                    : pastDeadline ? Duration.ofMillis(50) : Duration.ofNanos(Math.min(remaining, 200_000_000L));
            CapturedChange change = active.poll(wait);
            if (change == null) {
                if (atTransactionEnd) {
                    break;
                }
                continue;
            }
            last = change;
            if (snapshot != null && !snapshot.emits(change.event())) {
                continue;
            }
            if (!run.isEmpty() && (!run.get(0).event().schema().equals(change.event().schema()) || run.size() >= settings.maxEventsPerFlowFile()
                    || runBytes >= ChangeSize.BUFFER_BYTES)) {
                emit(session, run, sequenceId++);
                flowFiles++;
                run = new ArrayList<>();
                runBytes = 0;
            }
            run.add(change);
            runBytes += change.estimatedBytes();
        }
        if (!run.isEmpty()) {
            emit(session, run, sequenceId++);
            flowFiles++;
        }
        updateLag(session, active.metrics());
        if (last == null) {
            return;
        }
        Map<String, String> newState = new HashMap<>(last.offsetAfter().toStateMap());
        newState.put(STATE_SEQUENCE_ID, String.valueOf(sequenceId));
        if (snapshot != null && snapshot.filterNeeded(last.offsetAfter())) {
            newState.putAll(snapshot.toStateMap());
        }
        session.setState(newState, Scope.CLUSTER);
        BinlogOffset committed = last.offsetAfter();
        int emitted = flowFiles;
        session.commitAsync(
                () -> getLogger().debug("Committed {} FlowFiles up to {}", emitted, committed),
                failure -> {
                    getLogger().warn("Session commit failed; capture will resume from the last committed position", failure);
                    readerNeedsReset = true;
                });
    }

    private void emit(ProcessSession session, List<CapturedChange> run, long sequenceId) {
        emitEvents(session, run.stream().map(CapturedChange::event).toList(), sequenceId);
    }

    private void emitEvents(ProcessSession session, List<ChangeEvent> events, long sequenceId) {
        FlowFile flowFile = flowFileWriter.write(session, events);
        ChangeEvent first = events.get(0);
        ChangeEvent lastEvent = events.get(events.size() - 1);
        Map<String, String> attributes = new HashMap<>();
        attributes.put(ATTR_SEQUENCE_ID, String.valueOf(sequenceId));
        attributes.put(ATTR_FIRST_FILE, String.valueOf(first.source().file()));
        attributes.put(ATTR_FIRST_POSITION, String.valueOf(first.source().pos()));
        attributes.put(ATTR_LAST_FILE, String.valueOf(lastEvent.source().file()));
        attributes.put(ATTR_LAST_POSITION, String.valueOf(lastEvent.source().pos()));
        if (lastEvent.source().gtid() != null) {
            attributes.put(ATTR_GTID, lastEvent.source().gtid());
        }
        flowFile = session.putAllAttributes(flowFile, attributes);
        for (Operation op : Operation.values()) {
            long count = events.stream().filter(e -> e.op() == op).count();
            if (count > 0) {
                session.adjustCounter("Changes captured: " + op.name().toLowerCase(), count, false);
            }
        }
        session.getProvenanceReporter().receive(flowFile, settings.transitUri(first.source().db(), first.source().table()));
        session.transfer(flowFile, REL_SUCCESS);
    }

    /** Keeps the counter "Binlog lag (ms)" equal to the current lag behind the server (counters only add, so add the delta). */
    private void updateLag(ProcessSession session, CaptureMetrics metrics) {
        if (metrics.lastEventSourceMillis() <= 0) {
            return;
        }
        long lag = metrics.lagMillis(System.currentTimeMillis());
        session.adjustCounter("Binlog lag (ms)", lag - lastLagMillis, true);
        lastLagMillis = lag;
    }

    /**
     * Reads the next table of the snapshot (opening a read view first when none is open) into FlowFiles of at most Max
     * Changes Per FlowFile rows, and commits them with the table marked done. After the last table the state holds the
     * binlog position of the first read view, where streaming starts.
     */
    private void snapshotRun(ProcessSession session, Map<String, String> state, SnapshotProgress stored) throws IOException {
        long sequenceId = Long.parseLong(state.getOrDefault(STATE_SEQUENCE_ID, "0"));
        ComponentLog log = getLogger();
        try {
            if (snapshotView == null) {
                ConsistentSnapshot view = settings.openSnapshot(new ComponentCaptureLogger(log));
                snapshotView = view;
                SnapshotProgress progress = stored.withView(view.position());
                List<SnapshotTable> tables = view.tables(settings.filter());
                snapshotQueue = new ArrayDeque<>(tables.stream().filter(t -> !progress.isDone(t)).toList());
                SnapshotTable current = progress.current();
                if (current != null && snapshotQueue.remove(current)) {
                    snapshotQueue.addFirst(current); // continue the table a restart interrupted
                }
                snapshotProgress = progress;
                snapshotTableCount = progress.tablesDone() + snapshotQueue.size();
                log.info("Snapshot: {} of {} tables to read in the read view at binlog {}:{}{}", snapshotQueue.size(),
                        snapshotTableCount, view.position().file(), view.position().position(),
                        progress.views().size() > 1 ? " (resumed: " + progress.tablesDone() + " tables were read before a restart)" : "");
            }
            SnapshotProgress progress = snapshotProgress;
            Map<String, String> newState = new HashMap<>();
            SnapshotTable table = snapshotQueue.peek();
            if (table != null) {
                boolean lastTable = snapshotQueue.size() == 1;
                long[] sequence = {sequenceId};
                ConsistentSnapshot.ChunkSink sink = chunk -> {
                    emitEvents(session, chunk, sequence[0]++);
                    session.adjustCounter("Snapshot rows read", chunk.size(), false);
                };
                boolean done;
                long rows;
                if (ConsistentSnapshot.pageable(snapshotView.schema(table))) {
                    // one page per run, committed with the key it reached
                    ConsistentSnapshot.Chunk chunk = snapshotView.readChunk(table, progress.resumeKey(table),
                            settings.maxEventsPerFlowFile(), lastTable);
                    if (!chunk.events().isEmpty()) {
                        sink.accept(chunk.events());
                    }
                    rows = chunk.events().size();
                    done = !chunk.more();
                    progress = progress.withChunk(table, chunk.lastKey(), rows, done);
                } else {
                    // no usable key: the whole table in this run, in one commit
                    rows = snapshotView.readTable(table, settings.maxEventsPerFlowFile(), lastTable, sink);
                    done = true;
                    progress = progress.withTableDone(table, rows);
                }
                sequenceId = sequence[0];
                if (done) {
                    snapshotQueue.poll();
                    session.adjustCounter("Snapshot tables read", 1, false);
                    log.info("Snapshot of {}: {} rows (table {} of {}; {} rows so far)", table, progress.currentRows(),
                            progress.tablesDone(), snapshotTableCount, progress.rows());
                }
            }
            if (snapshotQueue.isEmpty()) {
                progress = progress.completed();
                newState.putAll(progress.streamStart().toStateMap());
                if (progress.filterNeeded(null)) {
                    newState.putAll(progress.toStateMap());
                }
                log.info("Snapshot complete: {} rows of {} tables; streaming the binlog from {}", progress.rows(),
                        progress.tablesDone(), progress.streamStart());
                closeSnapshot();
            } else {
                newState.putAll(progress.toStateMap());
            }
            snapshotProgress = progress;
            newState.put(STATE_SEQUENCE_ID, String.valueOf(sequenceId));
            session.setState(newState, Scope.CLUSTER);
            session.commitAsync(() -> { }, failure -> {
                log.warn("Session commit failed during the snapshot; the uncommitted rows are read again in a new read view", failure);
                snapshotNeedsReset = true;
            });
        } catch (SQLException e) {
            closeSnapshot();
            String advice = e.getErrorCode() == 1045
                    ? "Check the Username and Password; if the server requires TLS (require_secure_transport=ON or a user"
                    + " created with REQUIRE SSL), configure an SSL Context Service."
                    : "It resumes with the tables not yet committed on the next run; check the capture user's privileges"
                    + " (SELECT, RELOAD) if this repeats.";
            throw new ProcessException("The snapshot failed: " + e.getMessage() + ". " + advice, e);
        } catch (IOException | RuntimeException e) {
            closeSnapshot();
            throw e;
        } catch (Exception e) {
            closeSnapshot();
            throw new ProcessException("The snapshot failed: " + e.getMessage(), e);
        }
    }

    /** Snapshot Mode no_data without state: remember the current binlog end, so the next run streams from there. */
    private void storeCurrentPosition(ProcessSession session, Map<String, String> state) throws IOException {
        BinlogOffset position;
        try {
            position = settings.currentPosition();
        } catch (SQLException e) {
            throw new ProcessException("Could not read the current binlog position (SHOW MASTER STATUS): " + e.getMessage()
                    + ". Check the connection and that the capture user has REPLICATION CLIENT (MariaDB: BINLOG MONITOR).", e);
        }
        Map<String, String> newState = new HashMap<>(position.toStateMap());
        newState.put(STATE_SEQUENCE_ID, state.getOrDefault(STATE_SEQUENCE_ID, "0"));
        session.setState(newState, Scope.CLUSTER);
        session.commitAsync();
        getLogger().info("Snapshot Mode no_data: streaming the binlog from the current position {}", position);
    }

    /** Snapshot Mode when_needed and the stored position was purged: replace the state by a new snapshot. */
    private void restartWithSnapshot(ProcessSession session, BinlogCaptureException cause) {
        session.rollback();
        try {
            Map<String, String> old = session.getState(Scope.CLUSTER).toMap();
            Map<String, String> newState = new HashMap<>(SnapshotProgress.start().toStateMap());
            newState.put(STATE_SEQUENCE_ID, old.getOrDefault(STATE_SEQUENCE_ID, "0"));
            session.setState(newState, Scope.CLUSTER);
            session.commitAsync();
        } catch (IOException e) {
            throw new ProcessException("Could not replace the processor state for a new snapshot: " + e.getMessage(), e);
        }
        getLogger().warn("{} Snapshot Mode is when_needed: taking a new snapshot of the captured tables, then streaming from its position",
                cause.getMessage());
    }

    private void closeSnapshot() {
        ConsistentSnapshot current = snapshotView;
        snapshotView = null;
        snapshotQueue = null;
        snapshotProgress = null;
        if (current != null) {
            current.close();
        }
    }

    private BinlogReader openReader(Map<String, String> state) {
        BinlogOffset resume = BinlogOffset.fromStateMap(state);
        ComponentLog log = getLogger();
        BinlogReader opened = settings.openReader(resume, new ComponentCaptureLogger(log));
        if (resume == null) {
            log.info("No stored binlog position: starting at {}", settings.initialPosition());
        } else {
            log.info("Resuming binlog capture at {}", resume);
        }
        reader = opened;
        return opened;
    }

    private void closeReader() {
        BinlogReader current = reader;
        reader = null;
        if (current != null) {
            try {
                current.close();
            } catch (Exception e) {
                getLogger().warn("Closing the binlog connection failed", e);
            }
        }
    }

    @Override
    public List<ConfigVerificationResult> verify(ProcessContext context, ComponentLog verificationLogger, Map<String, String> attributes) {
        return new BinlogCaptureVerifier(context, verificationLogger).verify();
    }
}
