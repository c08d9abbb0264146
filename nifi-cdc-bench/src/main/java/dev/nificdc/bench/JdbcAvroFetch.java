package dev.nificdc.bench;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Candidate (a) of the timestamp fetch benchmark, the limit: plain JDBC running the query CaptureTimestampChange runs
 * for its first page (same SELECT list, WHERE and ORDER BY, without the page limit) with a streaming cursor, each row
 * put into one reused Avro {@link GenericRecord} of the schema of the processor's row columns and appended to an Avro
 * container file (one reused encoder) written into a byte-counting stream.
 *
 * <p>The schema is the processor's default output (Flattened Row) without its {@code __} metadata fields: the same
 * Avro types for the same columns (PostgreSQL {@code BIGINT} as long, MariaDB {@code BIGINT UNSIGNED} as
 * decimal(20,0), DECIMAL as bytes decimal, date-times as SQL text). {@link TimestampFetchBench} checks it against the
 * schema the processor actually wrote. Date-time text is passed through as the database returned it, so the limit
 * does no date-time parsing at all.
 */
final class JdbcAvroFetch {
    static final int FETCH_SIZE = 1000;
    private static final DateTimeFormatter MYSQL_TEXT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");

    private JdbcAvroFetch() {
    }

    /** The Avro schema of one row: the processor's row columns and their types. */
    static Schema schema(OrdersWorkload.Dialect dialect) {
        Schema id = dialect == OrdersWorkload.Dialect.MARIADB
                ? LogicalTypes.decimal(20, 0).addToSchema(Schema.create(Schema.Type.BYTES))
                : Schema.create(Schema.Type.LONG);
        Schema amount = LogicalTypes.decimal(12, 2).addToSchema(Schema.create(Schema.Type.BYTES));
        return SchemaBuilder.record("OrdersRow").namespace("dev.nificdc.bench").fields()
                .name("id").type(id).noDefault()
                .name("customer_id").type().optional().intType()
                .name("status").type().optional().stringType()
                .name("amount").type(optional(amount)).withDefault(null)
                .name("note").type().optional().stringType()
                .name("created_at").type().optional().stringType()
                .name("updated_at").type().optional().stringType()
                .name("payload").type().optional().stringType()
                .endRecord();
    }

    /** The processor's query for its first page (no watermark yet), without the page limit: all rows below the upper bound. */
    static String sql(OrdersWorkload.Dialect dialect, String table) {
        return switch (dialect) {
            case POSTGRESQL -> "SELECT \"id\", \"customer_id\", \"status\", \"amount\", \"note\", \"created_at\", \"updated_at\", \"payload\" FROM \""
                    + table + "\" WHERE \"updated_at\" < ? ORDER BY \"updated_at\", \"id\"";
            case MARIADB -> "SELECT `id`, `customer_id`, `status`, `amount`, `note`, CAST(`created_at` AS CHAR), CAST(`updated_at` AS CHAR), `payload` FROM `"
                    + table + "` WHERE `updated_at` < ? ORDER BY `updated_at`, `id`";
        };
    }

    /** Reads every row of the table into Avro and returns the verified count, Avro bytes and time. */
    static TimestampFetchMeasurement fetch(TimestampBenchDatabase database, long expectedRows) throws SQLException, IOException {
        try (JavaThreadCpu javaThreads = new JavaThreadCpu()) {
            return fetch(database, expectedRows, javaThreads);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while measuring", e);
        }
    }

    private static TimestampFetchMeasurement fetch(TimestampBenchDatabase database, long expectedRows, JavaThreadCpu javaThreads)
            throws SQLException, IOException {
        OrdersWorkload.Dialect dialect = database.dialect();
        Schema schema = schema(dialect);
        DiscardingOutputStream out = new DiscardingOutputStream();
        long cpuStarted = CaptureMeasurement.processCpuNanos();
        long started = System.nanoTime();
        long rows = 0;
        long lastId = 0;
        try (Connection connection = database.connect()) {
            Object upper = upperBound(connection, dialect);
            connection.setAutoCommit(false); // PostgreSQL streams a result set only inside a transaction
            GenericRecord record = new GenericData.Record(schema);
            try (PreparedStatement ps = connection.prepareStatement(sql(dialect, database.table()), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
                 DataFileWriter<GenericRecord> writer = new DataFileWriter<GenericRecord>(new GenericDatumWriter<>(schema)).create(schema, out)) {
                ps.setFetchSize(FETCH_SIZE);
                ps.setObject(1, upper);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long id;
                        if (dialect == OrdersWorkload.Dialect.MARIADB) {
                            BigDecimal value = rs.getBigDecimal(1);
                            id = value.longValueExact();
                            record.put(0, decimal(value));
                        } else {
                            id = rs.getLong(1);
                            record.put(0, id);
                        }
                        int customer = rs.getInt(2);
                        record.put(1, rs.wasNull() ? null : customer);
                        record.put(2, rs.getString(3));
                        BigDecimal amount = rs.getBigDecimal(4);
                        record.put(3, amount == null ? null : decimal(amount));
                        record.put(4, rs.getString(5));
                        record.put(5, rs.getString(6));
                        record.put(6, rs.getString(7));
                        record.put(7, rs.getString(8));
                        writer.append(record);
                        if (id <= lastId) {
                            throw new IllegalStateException("The limit read id " + id + " after id " + lastId + ": rows out of (updated_at, id) order");
                        }
                        lastId = id;
                        rows++;
                    }
                }
            }
            connection.commit();
        }
        long nanos = System.nanoTime() - started;
        long cpuNanos = CaptureMeasurement.processCpuNanos() - cpuStarted;
        long javaThreadNanos = javaThreads.nanos();
        if (rows > 0 && lastId != expectedRows) {
            throw new IllegalStateException("The limit's last row has id " + lastId + ", expected " + expectedRows);
        }
        return new TimestampFetchMeasurement(rows, out.bytes(), nanos, cpuNanos, javaThreadNanos);
    }

    /** The database clock minus the processor's default Commit Lag (5 s), bound the way the processor binds it. */
    private static Object upperBound(Connection connection, OrdersWorkload.Dialect dialect) throws SQLException {
        try (Statement s = connection.createStatement()) {
            if (dialect == OrdersWorkload.Dialect.MARIADB) {
                s.execute("SET time_zone = '+00:00'"); // the processor reads in a UTC session too
                try (ResultSet rs = s.executeQuery("SELECT CAST(CURRENT_TIMESTAMP(6) AS CHAR)")) {
                    rs.next();
                    return MYSQL_TEXT.format(LocalDateTime.parse(rs.getString(1).replace(' ', 'T')).minusSeconds(5));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT CAST(clock_timestamp() AS timestamp)")) {
                rs.next();
                return rs.getObject(1, LocalDateTime.class).minusSeconds(5);
            }
        }
    }

    private static ByteBuffer decimal(BigDecimal value) {
        return ByteBuffer.wrap(value.unscaledValue().toByteArray());
    }

    private static Schema optional(Schema type) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), type);
    }
}
