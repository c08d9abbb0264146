package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.binlog.BinlogOffset;
import dev.nificdc.cdc.binlog.BinlogSourceInfo;
import dev.nificdc.cdc.core.CaptureMetrics;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.core.engine.ChangeRunWriter;
import dev.nificdc.cdc.emit.ChangeFlowFileWriter;
import dev.nificdc.cdc.emit.ChangeRecordFactory;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
import dev.nificdc.cdc.record.SchemaChange;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.PrimaryNodeOnly;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.behavior.TriggerSerially;
import org.apache.nifi.annotation.behavior.TriggerWhenEmpty;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.configuration.DefaultSchedule;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.lifecycle.OnScheduled;
import org.apache.nifi.annotation.lifecycle.OnStopped;
import org.apache.nifi.annotation.notification.OnPrimaryNodeStateChange;
import org.apache.nifi.annotation.notification.PrimaryNodeState;
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

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

@PrimaryNodeOnly
@TriggerSerially
@InputRequirement(InputRequirement.Requirement.INPUT_ALLOWED)
@TriggerWhenEmpty
@DefaultSchedule(strategy = SchedulingStrategy.TIMER_DRIVEN, period = "0 sec")
@Tags({"cdc", "change data capture", "mysql", "mariadb", "binlog", "replication", "debezium", "avro", "record"})
@CapabilityDescription("""
        Captures every committed row change (insert, update, delete, and TRUNCATE TABLE as op 't') of the chosen MySQL or \
        MariaDB tables by reading the \
        server's binary log as a replica does, and writes them, in commit order, as records through the configured Record \
        Writer: one FlowFile per run of changes to one table. Records are Debezium-compatible change events (before, after, \
        source position, op, transaction) or flattened rows. Table schemas come from the binlog's own table-map metadata \
        (binlog_row_metadata=FULL), so changes replayed across ALTER TABLE keep the columns they had when they were made. \
        The binlog position is stored in NiFi state in the same session as the FlowFiles it covers, so after a restart, \
        stop or crash capture resumes where the last committed FlowFile ended: nothing lost. A crash inside NiFi's session \
        commit (FlowFiles written, state not yet) repeats the last committed FlowFiles: identical for streamed changes \
        (same records, positions and cdc.sequence.id), the same key range read again for a snapshot page; a sink keyed \
        by primary key or DetectDuplicate on cdc.sequence.id drops the repeat. \
        With a Snapshot Mode of initial or when_needed the existing rows are first read in one consistent view (op 'r'), \
        and streaming starts exactly at the binlog position of that view. \
        Incremental snapshots (MariaDB) read the existing rows of chosen tables chunk by chunk while streaming goes on: \
        of tables that start to be captured after the patterns were changed (Snapshot New Tables), and of the tables named \
        by a FlowFile sent to the processor's optional input (its content lists database.table names or patterns).""")
@Stateful(scopes = Scope.CLUSTER, description = """
        The binlog file and position of the last committed change, or of how far the binlog was read while no captured \
        change arrived (and how many changes of a partly emitted transaction were already emitted), the GTID set or \
        MariaDB GTID position before it, the server it was read from (server id, and MySQL's server_uuid or MariaDB's \
        host name and port), and the next FlowFile sequence id. \
        While a snapshot runs: the binlog position of each read view, which tables and key ranges were read in which view, the \
        row count. The table patterns in force (filter.*), to tell which tables start to be captured after they change; the \
        tables queued for an incremental snapshot and the last key committed of the one being read (incremental.*). Just \
        before each commit with FlowFiles, intent.* (or snapshot.attempt.*) records what they cover, so that after a crash \
        inside NiFi's commit the next run repeats exactly that output. \
        Clearing state makes the processor start again as its Snapshot Mode says (a new snapshot for initial \
        and when_needed; the Initial Binlog Position for never).""")
@WritesAttributes({
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_DATABASE, description = "The database of the captured table"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_TABLE, description = "The captured table"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_TOPIC, description = "Suggested Kafka topic: <Topic Prefix>.<database>.<table>"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_KEY_FIELDS, description = """
                The record fields holding the table's key (its primary key), comma-separated; empty when the table has none. \
                Give it to PutDatabaseRecord as Delete Keys so deletes match on the key alone"""),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_OPERATIONS, description = """
                How many changes of each operation the FlowFile holds, e.g. c=3,u=1,d=0,r=0,t=0; a TRUNCATE is a FlowFile \
                of its own: c=0,u=0,d=0,r=0,t=1"""),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_TABLES, description = """
                Schema-change FlowFiles only: the tables the DDL statement names, comma-separated <database>.<table>"""),
        @WritesAttribute(attribute = CaptureBinlogChange.ATTR_SEQUENCE_ID, description = """
                Increases by one with every FlowFile across all tables, in binlog order; use it with EnforceOrder or a \
                FIFO prioritizer to keep order downstream. Schema-change FlowFiles take numbers from the same sequence. A \
                FlowFile repeated after a crash inside NiFi's session commit has the same id (DetectDuplicate can drop it)"""),
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
        @WritesAttribute(attribute = "mime.type", description = "The MIME type the Record Writer declares"),
        @WritesAttribute(attribute = CaptureBinlogChange.ATTR_SNAPSHOT_ERROR, description = """
                On an incremental snapshot request routed to failure: why it was not taken""")
})
@SeeAlso(CaptureTimestampChange.class)
public class CaptureBinlogChange extends AbstractProcessor implements VerifiableProcessor {
    static final String ATTR_SEQUENCE_ID = "cdc.sequence.id";
    static final String ATTR_FIRST_FILE = "cdc.binlog.first.file";
    static final String ATTR_FIRST_POSITION = "cdc.binlog.first.position";
    static final String ATTR_LAST_FILE = "cdc.binlog.last.file";
    static final String ATTR_LAST_POSITION = "cdc.binlog.last.position";
    static final String ATTR_GTID = "cdc.gtid";
    static final String ATTR_SNAPSHOT_ERROR = IncrementalSnapshotRequests.ATTR_SNAPSHOT_ERROR;
    static final String COUNTER_LAG = "Binlog lag (ms)";
    static final String COUNTER_CONNECTED = "Binlog connected";
    static final String COUNTER_RECONNECTS = "Binlog reconnects";
    static final String COUNTER_FAILOVERS = "Binlog host fail-overs";

    static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("FlowFiles of change records, one table per FlowFile, in binlog order")
            .build();
    static final Relationship REL_SCHEMA_CHANGES = new Relationship.Builder()
            .name("schema changes")
            .description("""
                    With Include Schema Changes: one FlowFile per DDL statement that names a captured table, holding one \
                    schema-change record. Exists only while Include Schema Changes is true.""")
            .build();

    static final Relationship REL_FAILURE = IncrementalSnapshotRequests.REL_FAILURE;

    static final List<PropertyDescriptor> PROPERTY_DESCRIPTORS = BinlogCaptureProperties.ALL;

    private volatile Set<Relationship> relationships = Set.of(REL_SUCCESS, REL_FAILURE);
    private volatile BinlogCaptureConfig config;
    private volatile CaptureCoordinator<BinlogOffset> coordinator;
    private final PrimaryNodeRuns runs = new PrimaryNodeRuns();
    private ChangeFlowFileWriter flowFileWriter;
    /** The values last given to the gauge-like counters (NiFi counters only add: each run adds the difference). */
    private final Map<String, Long> gauges = new HashMap<>();

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTY_DESCRIPTORS;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return relationships;
    }

    /** The schema changes relationship comes and goes with Include Schema Changes, so flows without it stay valid. */
    @Override
    public void onPropertyModified(PropertyDescriptor descriptor, String oldValue, String newValue) {
        if (descriptor.equals(BinlogCaptureProperties.INCLUDE_SCHEMA_CHANGES)) {
            relationships = Boolean.parseBoolean(newValue) ? Set.of(REL_SUCCESS, REL_FAILURE, REL_SCHEMA_CHANGES)
                    : Set.of(REL_SUCCESS, REL_FAILURE);
        }
    }

    @OnScheduled
    public void onScheduled(ProcessContext context) {
        config = BinlogCaptureConfig.from(context, getLogger());
        flowFileWriter = new ChangeFlowFileWriter(config.writerFactory(),
                new ChangeRecordFactory(config.outputShape(), BinlogSourceInfo.FIELDS, config.topicPrefix(), config.schemaIdentifiers()),
                config.topicPrefix(), getLogger());
        coordinator = config.coordinator(new ComponentCaptureLogger(getLogger()));
    }

    @OnStopped
    public void onStopped() {
        CaptureCoordinator<BinlogOffset> current = coordinator;
        coordinator = null;
        if (current != null) {
            current.close();
        }
    }

    /**
     * In a cluster, a node that is no longer the primary closes its binlog connection (and a snapshot's read view) once
     * its run in progress has finished: nothing stays connected under the processor's server id, and when the node is
     * elected again it resumes from the cluster state, not from what it had read ahead.
     */
    @OnPrimaryNodeStateChange
    public void onPrimaryNodeStateChange(PrimaryNodeState state) {
        runs.primaryNodeStateChanged(state, coordinator, getLogger());
    }

    /** Flows made before Snapshot Mode existed keep their behaviour: streaming from the Initial Binlog Position. */
    @Override
    public void migrateProperties(PropertyConfiguration properties) {
        if (!properties.isPropertySet(BinlogCaptureProperties.SNAPSHOT_MODE) && properties.isPropertySet(BinlogCaptureProperties.INITIAL_POSITION)) {
            properties.setProperty(BinlogCaptureProperties.SNAPSHOT_MODE, SnapshotMode.NEVER.getValue());
        }
    }

    /**
     * One run of the coordinator: the next snapshot page or table, or the changes streamed until the reader has no more
     * at a transaction boundary (or for up to Max Wait Time), written as FlowFiles and committed with the new state.
     */
    @Override
    public void onTrigger(ProcessContext context, ProcessSession session) throws ProcessException {
        runs.run(() -> capture(context, session, coordinator));
    }

    private void capture(ProcessContext context, ProcessSession session, CaptureCoordinator<BinlogOffset> engine) {
        if (IncrementalSnapshotRequests.takeNext(context, session, engine, getLogger())) {
            return;
        }
        EngineRunCommit.runAndCommit(context, session, engine, new ChangeRunWriter() {
            @Override
            public void write(List<ChangeEvent> changes, long sequenceId) {
                emit(session, changes, sequenceId);
            }

            @Override
            public void writeSchemaChange(SchemaChange change, long sequenceId) {
                emitSchemaChange(session, change, sequenceId);
            }
        }, metrics -> updateMetrics(session, metrics), getLogger());
    }

    /** One FlowFile of a run of changes of one table, with its binlog positions and sequence id. */
    private void emit(ProcessSession session, List<ChangeEvent> events, long sequenceId) {
        FlowFile flowFile = flowFileWriter.write(session, events);
        BinlogSourceInfo first = BinlogSourceInfo.of(events.get(0));
        BinlogSourceInfo last = BinlogSourceInfo.of(events.get(events.size() - 1));
        Map<String, String> attributes = new HashMap<>();
        attributes.put(ATTR_SEQUENCE_ID, String.valueOf(sequenceId));
        attributes.put(ATTR_FIRST_FILE, String.valueOf(first.file()));
        attributes.put(ATTR_FIRST_POSITION, String.valueOf(first.pos()));
        attributes.put(ATTR_LAST_FILE, String.valueOf(last.file()));
        attributes.put(ATTR_LAST_POSITION, String.valueOf(last.pos()));
        if (last.gtid() != null) {
            attributes.put(ATTR_GTID, last.gtid());
        }
        flowFile = session.putAllAttributes(flowFile, attributes);
        for (Operation op : Operation.values()) {
            long count = events.stream().filter(e -> e.op() == op).count();
            if (count > 0) {
                session.adjustCounter("Changes captured: " + op.name().toLowerCase(), count, false);
            }
        }
        session.getProvenanceReporter().receive(flowFile, config.transitUri(first.db(), first.table()));
        session.transfer(flowFile, REL_SUCCESS);
    }

    /**
     * Keeps the counters that read like gauges equal to the stream's values: the lag behind the server (0 when caught
     * up), whether the binlog connection is up, how often it was re-established and how often capture moved to another
     * host.
     */
    private void updateMetrics(ProcessSession session, CaptureMetrics metrics) {
        if (metrics.lagMillis() >= 0) {
            setGauge(session, COUNTER_LAG, metrics.lagMillis());
        }
        setGauge(session, COUNTER_CONNECTED, metrics.connected() ? 1 : 0);
        setGauge(session, COUNTER_RECONNECTS, metrics.reconnects());
        setGauge(session, COUNTER_FAILOVERS, metrics.failovers());
    }

    private void setGauge(ProcessSession session, String counter, long value) {
        long previous = gauges.getOrDefault(counter, 0L);
        if (value != previous) {
            session.adjustCounter(counter, value - previous, true);
            gauges.put(counter, value);
        }
    }

    /** One FlowFile holding a schema change, on the schema changes relationship, with its binlog position and sequence id. */
    private void emitSchemaChange(ProcessSession session, SchemaChange change, long sequenceId) {
        FlowFile flowFile = flowFileWriter.write(session, change);
        BinlogSourceInfo source = (BinlogSourceInfo) change.source();
        Map<String, String> attributes = new HashMap<>();
        attributes.put(ATTR_SEQUENCE_ID, String.valueOf(sequenceId));
        attributes.put(ATTR_FIRST_FILE, String.valueOf(source.file()));
        attributes.put(ATTR_FIRST_POSITION, String.valueOf(source.pos()));
        attributes.put(ATTR_LAST_FILE, String.valueOf(source.file()));
        attributes.put(ATTR_LAST_POSITION, String.valueOf(source.pos()));
        if (source.gtid() != null) {
            attributes.put(ATTR_GTID, source.gtid());
        }
        flowFile = session.putAllAttributes(flowFile, attributes);
        session.adjustCounter("Schema changes captured", 1, false);
        session.getProvenanceReporter().receive(flowFile, config.transitUri(source.db(), String.valueOf(source.table())));
        session.transfer(flowFile, REL_SCHEMA_CHANGES);
    }

    @Override
    public List<ConfigVerificationResult> verify(ProcessContext context, ComponentLog verificationLogger, Map<String, String> attributes) {
        return new BinlogCaptureVerifier(context, verificationLogger).verify();
    }
}
