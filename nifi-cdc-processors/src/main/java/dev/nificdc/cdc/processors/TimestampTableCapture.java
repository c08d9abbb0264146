package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.emit.ChangeFlowFileWriter;
import dev.nificdc.cdc.record.ChangeEvent;
import dev.nificdc.cdc.timestamp.FetchConfig;
import dev.nificdc.cdc.timestamp.PrefetchingRun;
import dev.nificdc.cdc.timestamp.ResolvedTable;
import dev.nificdc.cdc.timestamp.TableConfigurationException;
import dev.nificdc.cdc.timestamp.TableInspector;
import dev.nificdc.cdc.timestamp.TableName;
import dev.nificdc.cdc.timestamp.TimestampFetcher;
import dev.nificdc.cdc.timestamp.TimestampType;
import dev.nificdc.cdc.timestamp.Watermark;
import dev.nificdc.cdc.timestamp.WatermarkState;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.serialization.record.Record;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One table in one run of CaptureTimestampChange: resolves the table, starts from its stored watermark (or the Initial
 * Position), fetches up to the upper bound into FlowFiles of the session, and moves the table's watermark and the
 * sequence in {@link WatermarkState}. The caller stores the state and commits.
 */
final class TimestampTableCapture {
    /**
     * @param rows         rows fetched
     * @param flowFiles    FlowFiles written
     * @param stateChanged whether the state must be stored
     * @param intent       the state to store before the FlowFiles are committed: the state this run started from plus
     *                     what the FlowFiles cover ({@link WatermarkState.Intent}); null without FlowFiles
     */
    record Result(long rows, int flowFiles, boolean stateChanged, Map<String, String> intent) {
    }

    private final TimestampCaptureSettings settings;
    private final ChangeFlowFileWriter writer;
    private final TimestampCaptureReporter reporter;
    private final ComponentLog log;
    private final String readerThreadName;

    TimestampTableCapture(TimestampCaptureSettings settings, ChangeFlowFileWriter writer, TimestampCaptureReporter reporter, ComponentLog log,
                          String readerThreadName) {
        this.settings = settings;
        this.writer = writer;
        this.reporter = reporter;
        this.log = log;
        this.readerThreadName = readerThreadName;
    }

    /**
     * @param captured keys of the tables already captured in this run: a table listed and also matched by a pattern is
     *                 captured once
     * @return null when this run already captured the table
     */
    Result capture(Connection connection, ProcessSession session, WatermarkState state, TableName name, Set<String> captured)
            throws SQLException, IOException {
        long started = System.nanoTime();
        Map<String, String> before = state.toMap();
        FetchConfig config = settings.fetchConfig(name);
        ResolvedTable table = TableInspector.resolve(connection, config);
        String key = stateKey(table);
        if (!captured.add(key)) {
            return null;
        }
        TimestampFetcher fetcher = new TimestampFetcher(config, table);
        TimestampType type = table.timestampType();
        WatermarkState.Stored stored = state.watermark(key, name, config.ordering(), type);
        if (stored.otherColumns() != null) {
            reporter.otherColumns(key, stored.otherColumns(), config.ordering());
        }
        Watermark start = stored.watermark();
        boolean initial = start == null;
        if (initial) {
            start = initialWatermark(connection, fetcher, type);
        }
        // After a crash inside the last commit of this table: the same range again, with the same bound
        WatermarkState.Intent repeat = state.intent(key, type);
        if (repeat != null) {
            log.info("{}: reading again the rows up to {} whose commit was interrupted, with the same upper bound, into FlowFiles"
                    + " numbered from {} on", table.name(), repeat.end().describe(type), state.sequence());
        }
        Batcher batcher = new Batcher(session, type, transitUri(connection, table), state.sequence());
        // Rows are read and turned into records on a second thread while this one writes FlowFiles.
        TimestampFetcher.RunResult result = new PrefetchingRun<>(fetcher, this::prepare, readerThreadName).run(connection, start, repeat, batcher);
        batcher.flush();
        reporter.ran(table.name().toString(), type, result.bound(), initial ? start : null, initial);

        Map<String, String> intent = null;
        if (batcher.flowFiles > 0) {
            WatermarkState atStart = new WatermarkState(before);
            if (initial) {
                atStart.put(key, name, config.ordering(), start, type); // a repeat starts from the same Initial Position
            }
            intent = atStart.withIntent(key, new WatermarkState.Intent(result.watermark(), result.upper(), batcher.sequence), type);
        }
        boolean stateChanged = result.rows() > 0 || initial || repeat != null;
        if (stateChanged) {
            state.put(key, name, config.ordering(), result.watermark(), type);
            state.setSequence(repeat == null ? batcher.sequence : Math.max(batcher.sequence, repeat.sequenceEnd()));
        }
        String message = "Fetched {} rows of {} in {} FlowFiles with {} queries in {} ms; upper bound {}, watermark {}{}";
        Object[] arguments = {result.rows(), table.name(), batcher.flowFiles, result.queries(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), result.bound().describe(type),
                result.watermark() == null ? "none (no row yet)" : result.watermark().describe(type),
                result.more() ? "; more rows pending (Max Rows Per Run reached)" : ""};
        if (result.rows() > 0) {
            log.info(message, arguments);
        } else {
            log.debug(message, arguments);
        }
        return new Result(result.rows(), batcher.flowFiles, stateChanged, intent);
    }

    /** The table's key in the state: schema (database) and table as the database reports them. */
    static String stateKey(ResolvedTable table) {
        String database = table.schema().database();
        String name = table.schema().table();
        return (database == null ? new TableName(List.of(name)) : new TableName(List.of(database, name))).canonical();
    }

    /** The JDBC URL without user info and parameters (which may hold credentials) plus the table, for provenance. */
    static String transitUri(Connection connection, ResolvedTable table) {
        String url;
        try {
            url = connection.getMetaData().getURL();
        } catch (SQLException e) {
            url = null;
        }
        if (url == null) {
            url = "jdbc:" + table.dialect().name().toLowerCase(java.util.Locale.ROOT);
        }
        int cut = url.length();
        for (char c : new char[]{'?', ';'}) {
            int i = url.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        String base = url.substring(0, cut).replaceFirst("//[^/@]*@", "//");
        return base + "/" + table.name();
    }

    private Watermark initialWatermark(Connection connection, TimestampFetcher fetcher, TimestampType type) throws SQLException {
        return switch (settings.initialPosition()) {
            case BEGINNING -> null;
            case NOW -> Watermark.fromTimestamp(fetcher.upperBound(connection).upper());
            case GIVEN_TIMESTAMP -> {
                try {
                    yield Watermark.fromTimestamp(type.parseUserInput(settings.initialTimestamp()));
                } catch (RuntimeException e) {
                    throw new TableConfigurationException("Initial Timestamp [" + settings.initialTimestamp() + "] is not a " + type
                            + " value; write it as yyyy-MM-dd HH:mm:ss[.ffffff]" + (type == TimestampType.OFFSET_DATE_TIME ? "[+hh:mm]" : ""), e);
                }
            }
        };
    }

    /** A fetched row with its records, built on the reading thread. */
    private record PreparedRow(ChangeEvent event, List<Record> records, Temporal updateTimestamp) {
    }

    private PreparedRow prepare(ChangeEvent event, Temporal updateTimestamp) {
        return new PreparedRow(event, writer.records(event), updateTimestamp);
    }

    /** Collects fetched rows into FlowFiles of at most Max Rows Per FlowFile records. */
    private final class Batcher implements PrefetchingRun.Consumer<PreparedRow> {
        private final ProcessSession session;
        private final TimestampType type;
        private final String transitUri;
        private final List<ChangeEvent> events = new ArrayList<>();
        private final List<Record> records = new ArrayList<>();
        private Temporal first;
        private Temporal last;
        private long sequence;
        private int flowFiles;

        Batcher(ProcessSession session, TimestampType type, String transitUri, long sequence) {
            this.session = session;
            this.transitUri = transitUri;
            this.type = type;
            this.sequence = sequence;
        }

        @Override
        public void accept(PreparedRow row) {
            if (events.isEmpty()) {
                first = row.updateTimestamp();
            }
            last = row.updateTimestamp();
            events.add(row.event());
            for (Record record : row.records()) { // one record per row, mostly: no addAll copy
                records.add(record);
            }
            if (events.size() >= settings.maxRowsPerFlowFile()) {
                flush();
            }
        }

        void flush() {
            if (events.isEmpty()) {
                return;
            }
            FlowFile flowFile = writer.write(session, events, records);
            Map<String, String> attributes = new HashMap<>();
            attributes.put(CaptureTimestampChange.ATTR_SEQUENCE, Long.toString(sequence++));
            attributes.put(CaptureTimestampChange.ATTR_FIRST_TIMESTAMP, type.format(first));
            attributes.put(CaptureTimestampChange.ATTR_LAST_TIMESTAMP, type.format(last));
            flowFile = session.putAllAttributes(flowFile, attributes);
            session.getProvenanceReporter().receive(flowFile, transitUri);
            session.transfer(flowFile, CaptureTimestampChange.REL_SUCCESS);
            flowFiles++;
            events.clear();
            records.clear();
        }
    }
}
