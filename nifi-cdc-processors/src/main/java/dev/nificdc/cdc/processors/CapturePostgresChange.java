package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.core.CaptureMetrics;
import dev.nificdc.cdc.core.engine.CaptureCoordinator;
import dev.nificdc.cdc.emit.ChangeFlowFileWriter;
import dev.nificdc.cdc.emit.ChangeRecordFactory;
import dev.nificdc.cdc.postgres.PgOffset;
import dev.nificdc.cdc.postgres.PgSourceInfo;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.record.Operation;
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
@Tags({"cdc", "change data capture", "postgresql", "postgres", "logical replication", "pgoutput", "wal", "debezium", "avro", "record"})
@CapabilityDescription("""
        Captures every committed row change (insert, update, delete, truncate) of the chosen PostgreSQL tables through logical \
        replication with the built-in pgoutput plugin (PostgreSQL 10 and later; no server extension), and writes them, in \
        commit order and in whole transactions, as records through the configured Record Writer: one FlowFile per run of \
        changes to one table. Records are Debezium-compatible change events (before, after, source with the LSN, op, \
        transaction) or flattened rows. Each change keeps the columns its table had when it was written, across ALTER TABLE. \
        The LSN is stored in NiFi state in the same session as the FlowFiles it covers, and the server is told it may release \
        the WAL only after that session committed: nothing is lost; a crash inside NiFi's session commit can repeat the last \
        committed batch. With a Snapshot Mode of initial or when_needed the existing rows are first read (op 'r') in the \
        snapshot the replication slot exports, and streaming starts exactly at the slot's position. \
        Incremental snapshots read the existing rows of chosen tables chunk by chunk while streaming goes on: of tables that \
        start to be captured after the patterns were changed (Snapshot New Tables; a publication the processor created gets \
        them added), and of the tables named by a FlowFile sent to the processor's optional input (its content lists \
        schema.table names or patterns).""")
@Stateful(scopes = Scope.CLUSTER, description = """
        The LSN of the last committed change (the commit LSN of a partly emitted transaction and how many of its changes were \
        emitted) and the next FlowFile sequence id. While a snapshot runs: the LSN of each read view, which tables and key \
        ranges were read in which view, the row count. Just before each commit with FlowFiles, intent.* (or snapshot.attempt.*) \
        records what they cover, so that after a crash inside NiFi's commit the next run repeats exactly that output. \
        The table patterns in force (filter.*), to tell which tables start to be captured after they change; the tables \
        queued for an incremental snapshot and the last key committed of the one being read (incremental.*). \
        Clearing state makes the processor start again as its Snapshot Mode says; the replication slot keeps its own \
        position on the server.""")
@WritesAttributes({
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_DATABASE, description = "The database of the captured table"),
        @WritesAttribute(attribute = CapturePostgresChange.ATTR_SCHEMA, description = "The schema of the captured table"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_TABLE, description = "The captured table"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_TOPIC, description = "Suggested Kafka topic: <Topic Prefix>.<database>.<schema>.<table>"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_KEY_FIELDS, description = """
                The record fields holding the table's key (its primary key), comma-separated; empty when the table has none. \
                Give it to PutDatabaseRecord as Delete Keys so deletes match on the key alone"""),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_OPERATIONS, description = "How many changes of each operation the FlowFile holds, e.g. c=3,u=1,d=0,r=0,t=0; a TRUNCATE is a FlowFile of its own: c=0,u=0,d=0,r=0,t=1"),
        @WritesAttribute(attribute = CapturePostgresChange.ATTR_SEQUENCE_ID, description = """
                Increases by one with every FlowFile across all tables, in commit order; use it with EnforceOrder or a FIFO \
                prioritizer to keep order downstream. A FlowFile of streamed changes repeated after a crash inside NiFi's \
                session commit has the same id"""),
        @WritesAttribute(attribute = CapturePostgresChange.ATTR_FIRST_LSN, description = "LSN of the first change in the FlowFile"),
        @WritesAttribute(attribute = CapturePostgresChange.ATTR_LAST_LSN, description = "LSN of the last change in the FlowFile"),
        @WritesAttribute(attribute = CapturePostgresChange.ATTR_COMMIT_LSN, description = "Commit LSN of the transaction of the last change"),
        @WritesAttribute(attribute = CapturePostgresChange.ATTR_TX_ID, description = "Transaction id (xid) of the last change; absent for snapshot rows"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_VALUE_SCHEMA_ID, description = "Registry id of the value schema (with a Schema Registry)"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_VALUE_SCHEMA_VERSION, description = "Registry version of the value schema (with a Schema Registry)"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_KEY_SCHEMA_ID, description = "Registry id of the key schema (with a Schema Registry and a key)"),
        @WritesAttribute(attribute = ChangeFlowFileWriter.ATTR_KEY_SCHEMA_VERSION, description = "Registry version of the key schema (with a Schema Registry and a key)"),
        @WritesAttribute(attribute = "record.count", description = "Number of records in the FlowFile (with the Kafka Record Wrapper shape, tombstones included)"),
        @WritesAttribute(attribute = "mime.type", description = "The MIME type the Record Writer declares"),
        @WritesAttribute(attribute = IncrementalSnapshotRequests.ATTR_SNAPSHOT_ERROR, description = """
                On an incremental snapshot request routed to failure: why it was not taken""")
})
@SeeAlso({CaptureBinlogChange.class, CaptureTimestampChange.class})
public class CapturePostgresChange extends AbstractProcessor implements VerifiableProcessor {
    static final String ATTR_SEQUENCE_ID = "cdc.sequence.id";
    static final String ATTR_SCHEMA = "cdc.schema";
    static final String ATTR_FIRST_LSN = "cdc.pg.first.lsn";
    static final String ATTR_LAST_LSN = "cdc.pg.last.lsn";
    static final String ATTR_COMMIT_LSN = "cdc.pg.commit.lsn";
    static final String ATTR_TX_ID = "cdc.pg.tx.id";

    static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("FlowFiles of change records, one table per FlowFile, in commit order")
            .build();

    static final Relationship REL_FAILURE = IncrementalSnapshotRequests.REL_FAILURE;

    static final List<PropertyDescriptor> PROPERTY_DESCRIPTORS = PostgresCaptureProperties.ALL;

    private static final Set<Relationship> RELATIONSHIPS = Set.of(REL_SUCCESS, REL_FAILURE);

    private volatile PostgresCaptureConfig config;
    private volatile CaptureCoordinator<PgOffset> coordinator;
    private final PrimaryNodeRuns runs = new PrimaryNodeRuns();
    private ChangeFlowFileWriter flowFileWriter;
    private long lastLagMillis;

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTY_DESCRIPTORS;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return RELATIONSHIPS;
    }

    @OnScheduled
    public void onScheduled(ProcessContext context) {
        config = PostgresCaptureConfig.from(context);
        flowFileWriter = new ChangeFlowFileWriter(config.writerFactory(),
                new ChangeRecordFactory(config.outputShape(), PgSourceInfo.FIELDS, config.topicNamespace(), config.schemaIdentifiers()),
                config.topicNamespace(), getLogger());
        coordinator = config.coordinator(new ComponentCaptureLogger(getLogger()));
    }

    @OnStopped
    public void onStopped() {
        CaptureCoordinator<PgOffset> current = coordinator;
        coordinator = null;
        if (current != null) {
            current.close();
        }
    }

    /**
     * In a cluster, a node that is no longer the primary closes its replication connection (and a snapshot's read view)
     * once its run in progress has finished: the slot is free for the new primary, and when this node is elected again it
     * resumes from the cluster state, not from what it had read ahead.
     */
    @OnPrimaryNodeStateChange
    public void onPrimaryNodeStateChange(PrimaryNodeState state) {
        runs.primaryNodeStateChanged(state, coordinator, getLogger());
    }

    /**
     * An incremental snapshot request waiting on the input, or one run of the coordinator (the next snapshot page, an
     * incremental snapshot chunk, or streamed changes), written as FlowFiles and committed with the new state; once the
     * commit succeeded the stream tells the server it may release the WAL up to the committed LSN.
     */
    @Override
    public void onTrigger(ProcessContext context, ProcessSession session) throws ProcessException {
        runs.run(() -> capture(context, session, coordinator));
    }

    private void capture(ProcessContext context, ProcessSession session, CaptureCoordinator<PgOffset> engine) {
        if (IncrementalSnapshotRequests.takeNext(context, session, engine, getLogger())) {
            return;
        }
        EngineRunCommit.runAndCommit(context, session, engine, (events, sequenceId) -> emit(session, events, sequenceId),
                metrics -> updateLag(session, metrics), getLogger());
    }

    /** One FlowFile of a run of changes of one table, with its LSNs and sequence id. */
    private void emit(ProcessSession session, List<ChangeEvent> events, long sequenceId) {
        PgSourceInfo first = PgSourceInfo.of(events.get(0));
        PgSourceInfo last = PgSourceInfo.of(events.get(events.size() - 1));
        FlowFile flowFile = flowFileWriter.write(session, events);
        Map<String, String> attributes = new HashMap<>();
        attributes.put(ChangeFlowFileWriter.ATTR_DATABASE, first.db());
        attributes.put(ATTR_SCHEMA, first.schema());
        attributes.put(ATTR_SEQUENCE_ID, String.valueOf(sequenceId));
        attributes.put(ATTR_FIRST_LSN, PgOffset.format(first.lsn()));
        attributes.put(ATTR_LAST_LSN, PgOffset.format(last.lsn()));
        attributes.put(ATTR_COMMIT_LSN, PgOffset.format(last.commitLsn()));
        if (last.txId() != null) {
            attributes.put(ATTR_TX_ID, String.valueOf(last.txId()));
        }
        flowFile = session.putAllAttributes(flowFile, attributes);
        for (Operation op : Operation.values()) {
            long count = events.stream().filter(e -> e.op() == op).count();
            if (count > 0) {
                session.adjustCounter("Changes captured: " + op.name().toLowerCase(), count, false);
            }
        }
        session.getProvenanceReporter().receive(flowFile, config.transitUri(first.schema(), first.table()));
        session.transfer(flowFile, REL_SUCCESS);
    }

    /** Keeps the counter "Replication lag (ms)" equal to the current lag behind the server (counters only add: add the delta). */
    private void updateLag(ProcessSession session, CaptureMetrics metrics) {
        long lag = metrics.lagMillis();
        if (lag < 0) {
            return;
        }
        session.adjustCounter("Replication lag (ms)", lag - lastLagMillis, true);
        lastLagMillis = lag;
    }

    @Override
    public List<ConfigVerificationResult> verify(ProcessContext context, ComponentLog verificationLogger, Map<String, String> attributes) {
        return new PostgresCaptureVerifier(context, verificationLogger).verify();
    }
}
