package dev.nificdc.e2e;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The writing end of a replication flow, built through the REST API in one process group:
 * {@code DBCPConnectionPool} + a record reader + {@code PutDatabaseRecord} (from NiFi's standard bundles).
 * Connect any processor that emits records to {@link #putDatabaseRecordId()} with
 * {@link NiFiRestClient#connect}, e.g. {@code CaptureBinlogChange -> PutDatabaseRecord}.
 *
 * <p>PutDatabaseRecord's {@code success} and {@code failure} are auto-terminated, {@code retry} loops back to it:
 * tests check the target table, and failures surface as bulletins ({@link NiFiInstance#diagnostics()}).
 */
public record DatabaseSink(String connectionPoolId, String readerId, String putDatabaseRecordId) {
    public static final String PUT_DATABASE_RECORD = "org.apache.nifi.processors.standard.PutDatabaseRecord";
    public static final String DBCP_CONNECTION_POOL = "org.apache.nifi.dbcp.DBCPConnectionPool";
    public static final String JSON_TREE_READER = "org.apache.nifi.json.JsonTreeReader";
    public static final String AVRO_READER = "org.apache.nifi.avro.AvroReader";

    /**
     * A JDBC database NiFi writes to. {@code driverJar} is handed to DBCPConnectionPool's "Database Driver Location(s)";
     * {@code databaseType} is PutDatabaseRecord's "Database Type" (e.g. {@code PostgreSQL}, {@code MySQL}, {@code Generic}).
     */
    public record JdbcTarget(String url, String driverClass, Path driverJar, String user, String password, String databaseType) {
        /** The jar a JDBC driver class was loaded from (e.g. from the test class path). */
        public static Path jarOf(Class<?> driverClass) {
            try {
                return Path.of(driverClass.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException("Cannot locate the jar of " + driverClass.getName(), e);
            }
        }
    }

    /**
     * Creates and enables the connection pool and the reader, and creates PutDatabaseRecord (not started).
     *
     * @param readerType             e.g. {@link #JSON_TREE_READER} or {@link #AVRO_READER}
     * @param readerProperties       the reader's properties (names or display names), may be empty
     * @param putDatabaseRecordProperties e.g. {@code "Table Name"}, {@code "Statement Type"}; names or display names
     */
    public static DatabaseSink create(NiFiRestClient nifi, String groupId, JdbcTarget target, String readerType,
                                      Map<String, String> readerProperties, Map<String, String> putDatabaseRecordProperties) {
        Map<String, String> pool = new LinkedHashMap<>();
        pool.put("Database Connection URL", target.url());
        pool.put("Database Driver Class Name", target.driverClass());
        pool.put("Database Driver Location(s)", target.driverJar().toString());
        pool.put("Database User", target.user());
        if (target.password() != null && !target.password().isEmpty()) {
            pool.put("Password", target.password());
        }
        String poolId = nifi.createControllerService(groupId, DBCP_CONNECTION_POOL, "Target database", pool);
        nifi.enableControllerService(poolId);

        String readerId = nifi.createControllerService(groupId, readerType, "Record reader", readerProperties);
        nifi.enableControllerService(readerId);

        Map<String, String> put = new LinkedHashMap<>();
        put.put("Record Reader", readerId);
        put.put("Database Connection Pooling Service", poolId);
        put.put("Database Type", target.databaseType());
        put.putAll(putDatabaseRecordProperties);
        String putId = nifi.createProcessor(groupId, PUT_DATABASE_RECORD, "PutDatabaseRecord", put);
        nifi.autoTerminate(putId, "success", "failure");
        nifi.connect(groupId, putId, putId, "retry");
        return new DatabaseSink(poolId, readerId, putId);
    }
}
