package dev.nificdc.cdc.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nificdc.cdc.processors.CaptureBinlogChange;
import dev.nificdc.cdc.processors.CaptureTimestampChange;
import dev.nificdc.cdc.processors.InitialBinlogPosition;
import dev.nificdc.cdc.processors.UrlConnectionPool;
import dev.nificdc.cdc.record.ChangeTopics;
import dev.nificdc.cdc.record.TableSchema;
import dev.nificdc.registry.ConfluentSchemaRegistryService;
import dev.nificdc.registry.ConfluentWireFormatReader;
import dev.nificdc.registry.ConfluentWireFormatWriter;
import dev.nificdc.testsupport.ConfluentRegistryFixture;
import dev.nificdc.testsupport.KafkaBroker;
import dev.nificdc.testsupport.MariaDbServer;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.nifi.avro.AvroReader;
import org.apache.nifi.avro.AvroRecordSetWriter;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.schema.access.SchemaAccessUtils;
import org.apache.nifi.serialization.SchemaRegistryRecordSetWriter;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.NoOpProcessor;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6 end to end: private MariaDB -> CaptureBinlogChange (NiFi TestRunner; ConfluentSchemaRegistryService against
 * the Confluent REST contract fixture; AvroRecordSetWriter with "Schema Reference Writer" = ConfluentWireFormatWriter)
 * -> one Kafka message per record, keyed by the primary key, on topic {@code cdc.topic}, published the way PublishKafka
 * does ({@link RecordPublisher}) to a real in-process broker -> a plain Kafka consumer that resolves every schema id over
 * HTTP and decodes with Avro's own library ({@link ConfluentAvroDecoder}).
 */
class BinlogToKafkaIT {
    private static final int PARTITIONS = 3;

    private static MariaDbServer database;
    private static KafkaBroker kafka;
    private static ConfluentRegistryFixture registry;

    private String db;
    private TestRunner capture;
    private TestRunner publish;
    private RecordPublisher publisher;
    private RecordPublisher wrapperPublisher;
    private KafkaProducer<byte[], byte[]> producer;
    private ConfluentAvroDecoder decoder;

    @BeforeAll
    static void startServers() throws Exception {
        database = MariaDbServer.start();
        kafka = KafkaBroker.start();
        registry = ConfluentRegistryFixture.start();
    }

    @AfterAll
    static void stopServers() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        db = database.createDatabase("kafka");
        capture = captureRunner();
        publish = publishRunner();
        producer = new KafkaProducer<>(producerProperties());
        publisher = new RecordPublisher(
                publish.getControllerService("avro-reader", AvroReader.class),
                publish.getControllerService("value-writer", AvroRecordSetWriter.class),
                publish.getControllerService("key-writer", AvroRecordSetWriter.class),
                producer, publish.getLogger());
        wrapperPublisher = new RecordPublisher(RecordPublisher.Strategy.USE_WRAPPER,
                publish.getControllerService("wrapper-reader", AvroReader.class),
                publish.getControllerService("value-writer-by-name", AvroRecordSetWriter.class),
                publish.getControllerService("key-writer", AvroRecordSetWriter.class),
                producer, publish.getLogger());
        decoder = new ConfluentAvroDecoder(registry.url());
    }

    @AfterEach
    void tearDown() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        if (capture != null) {
            capture.stop();
        }
        if (decoder != null) {
            decoder.close();
        }
    }

    @Test
    void everyChangeArrivesAsOneConfluentFramedMessagePerRecordInOrderPerKeyAcrossASchemaChange() throws Exception {
        database.execute(
                "CREATE TABLE `" + db + "`.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, price DECIMAL(10,2))",
                "CREATE TABLE `" + db + "`.order_lines (order_id INT, line_no INT, qty INT NOT NULL, PRIMARY KEY (order_id, line_no))");
        String itemsTopic = "it." + db + ".items";
        String linesTopic = "it." + db + ".order_lines";
        createTopics(itemsTopic, linesTopic);
        String[] start = binlogEnd();
        capture.setProperty("Initial Binlog File", start[0]);
        capture.setProperty("Initial Binlog Position Offset", start[1]);

        String items = "`" + db + "`.items";
        String lines = "`" + db + "`.order_lines";
        database.execute(
                "START TRANSACTION",
                "INSERT INTO " + items + " VALUES (1, 'apple', 1.50), (2, 'pear', NULL), (3, 'plum', 0.99)",
                "INSERT INTO " + lines + " VALUES (10, 1, 5), (10, 2, 7)",
                "COMMIT",
                "UPDATE " + items + " SET price = 2.25 WHERE id = 1",
                "UPDATE " + lines + " SET qty = 6 WHERE order_id = 10 AND line_no = 1",
                "DELETE FROM " + items + " WHERE id = 2",
                "DELETE FROM " + lines + " WHERE order_id = 10 AND line_no = 2",
                "UPDATE " + items + " SET id = 30 WHERE id = 3",
                // Mid-stream schema change: later records get a new value schema version under the same subject.
                "ALTER TABLE " + items + " ADD COLUMN note VARCHAR(20) NULL",
                "INSERT INTO " + items + " VALUES (4, 'fig', 3.00, 'new')",
                "UPDATE " + items + " SET price = 2.50, note = 'ripe' WHERE id = 1",
                "DELETE FROM " + items + " WHERE id = 30");

        Map<Map<String, Object>, List<Change>> expectedItems = new LinkedHashMap<>();
        expect(expectedItems, key("id", 1),
                Change.create(row("id", 1, "name", "apple", "price", dec("1.50"))),
                Change.update(row("id", 1, "name", "apple", "price", dec("1.50")), row("id", 1, "name", "apple", "price", dec("2.25"))),
                Change.update(row("id", 1, "name", "apple", "price", dec("2.25"), "note", null),
                        row("id", 1, "name", "apple", "price", dec("2.50"), "note", "ripe")));
        expect(expectedItems, key("id", 2),
                Change.create(row("id", 2, "name", "pear", "price", null)),
                Change.delete(row("id", 2, "name", "pear", "price", null)));
        expect(expectedItems, key("id", 3),
                Change.create(row("id", 3, "name", "plum", "price", dec("0.99"))),
                Change.delete(row("id", 3, "name", "plum", "price", dec("0.99"))));
        expect(expectedItems, key("id", 30),
                Change.create(row("id", 30, "name", "plum", "price", dec("0.99"))),
                Change.delete(row("id", 30, "name", "plum", "price", dec("0.99"), "note", null)));
        expect(expectedItems, key("id", 4),
                Change.create(row("id", 4, "name", "fig", "price", dec("3.00"), "note", "new")));
        Map<Map<String, Object>, List<Change>> expectedLines = new LinkedHashMap<>();
        expect(expectedLines, key("order_id", 10, "line_no", 1),
                Change.create(row("order_id", 10, "line_no", 1, "qty", 5)),
                Change.update(row("order_id", 10, "line_no", 1, "qty", 5), row("order_id", 10, "line_no", 1, "qty", 6)));
        expect(expectedLines, key("order_id", 10, "line_no", 2),
                Change.create(row("order_id", 10, "line_no", 2, "qty", 7)),
                Change.delete(row("order_id", 10, "line_no", 2, "qty", 7)));
        int itemChanges = count(expectedItems);
        int lineChanges = count(expectedLines);

        List<MockFlowFile> flowFiles = capture(itemChanges + lineChanges);
        int published = 0;
        for (MockFlowFile flowFile : flowFiles) {
            List<RecordMetadata> acks = publisher.publish(flowFile);
            assertEquals(Integer.parseInt(flowFile.getAttribute("record.count")), acks.size(), "one message per record");
            published += acks.size();
        }
        assertEquals(itemChanges + lineChanges, published);

        List<Message> itemMessages = consume(itemsTopic, itemChanges);
        List<Message> lineMessages = consume(linesTopic, lineChanges);
        assertEquals(expectedItems, changesByKey(itemMessages));
        assertEquals(expectedLines, changesByKey(lineMessages));

        // Each key's messages share one partition, so Kafka keeps their order.
        for (List<Message> messages : List.of(itemMessages, lineMessages)) {
            Map<Map<String, Object>, Set<Integer>> partitionsByKey = new LinkedHashMap<>();
            messages.forEach(m -> partitionsByKey.computeIfAbsent(m.key(), k -> new LinkedHashSet<>()).add(m.partition()));
            partitionsByKey.forEach((key, partitions) -> assertEquals(1, partitions.size(), "key " + key + " on " + partitions));
        }

        // The registry: one key schema version (every key framed with its id), two value schema versions (before and after
        // ALTER TABLE) for items.
        JsonNode keyLatest = decoder.subjectVersion(itemsTopic + "-key", "latest");
        assertEquals(1, keyLatest.get("version").asInt(), "ADD COLUMN does not change the key schema");
        itemMessages.forEach(m -> assertEquals(keyLatest.get("id").asInt(), m.keySchemaId(), "key framed with the registered key schema id"));
        int valueV1 = decoder.subjectVersion(itemsTopic + "-value", "1").get("id").asInt();
        JsonNode valueLatest = decoder.subjectVersion(itemsTopic + "-value", "latest");
        assertEquals(2, valueLatest.get("version").asInt(), "ALTER TABLE registered a second version under the same subject");
        int valueV2 = valueLatest.get("id").asInt();
        assertNotEquals(valueV1, valueV2);

        List<Integer> idsInOrder = itemMessages.stream().sorted(Message.SOURCE_ORDER).map(Message::valueSchemaId).toList();
        int firstV2 = idsInOrder.indexOf(valueV2);
        assertEquals(7, firstV2, "the seven changes before ALTER TABLE (the key change is two) use version 1: " + idsInOrder);
        assertTrue(idsInOrder.subList(0, firstV2).stream().allMatch(id -> id == valueV1), idsInOrder.toString());
        assertTrue(idsInOrder.subList(firstV2, idsInOrder.size()).stream().allMatch(id -> id == valueV2), idsInOrder.toString());
        assertEquals(List.of("id", "name", "price"), rowFields(decoder.schema(valueV1)));
        assertEquals(List.of("id", "name", "price", "note"), rowFields(decoder.schema(valueV2)));
        assertTrue(registry.requests().contains("GET /schemas/ids/" + valueV1), "version 1 was fetched by id over HTTP");
        assertTrue(registry.requests().contains("GET /schemas/ids/" + valueV2), "version 2 was fetched by id over HTTP");

        // What the registry's BACKWARD check promises: a consumer reading with version 2 reads version 1 messages, note = null.
        Schema v2 = decoder.schema(valueV2);
        List<Message> v1Messages = itemMessages.stream().filter(m -> m.valueSchemaId() == valueV1).toList();
        assertEquals(7, v1Messages.size());
        for (Message m : v1Messages) {
            GenericRecord resolved = decoder.decode(m.rawValue(), v2).datum();
            for (String image : List.of("before", "after")) {
                GenericRecord written = (GenericRecord) m.value().get(image);
                GenericRecord read = (GenericRecord) resolved.get(image);
                if (written == null) {
                    assertNull(read);
                    continue;
                }
                Map<String, Object> expected = new TreeMap<>(plain(written));
                expected.put("note", null);
                assertEquals(expected, plain(read), image + " of " + m.value());
            }
        }

        // Source metadata rides along on every message.
        for (Message m : itemMessages) {
            GenericRecord source = (GenericRecord) m.value().get("source");
            assertEquals(db, source.get("db").toString());
            assertEquals("items", source.get("table").toString());
        }
    }

    @Test
    void flattenedRowsArriveKeyedWithDeletesMarked() throws Exception {
        database.execute("CREATE TABLE `" + db + "`.users (id BIGINT PRIMARY KEY, email VARCHAR(60) NOT NULL)");
        String topic = "it." + db + ".users";
        createTopics(topic);
        String[] start = binlogEnd();
        capture.setProperty("Initial Binlog File", start[0]);
        capture.setProperty("Initial Binlog Position Offset", start[1]);
        capture.setProperty("Output Shape", "FLATTENED");

        String users = "`" + db + "`.users";
        database.execute(
                "INSERT INTO " + users + " VALUES (1, 'ada@example.com'), (2, 'alan@example.com')",
                "UPDATE " + users + " SET email = 'ada@example.org' WHERE id = 1",
                "DELETE FROM " + users + " WHERE id = 2");
        for (MockFlowFile flowFile : capture(4)) {
            publisher.publish(flowFile);
        }

        Map<Map<String, Object>, List<List<Object>>> byKey = new LinkedHashMap<>();
        consume(topic, 4).stream()
                .sorted(Comparator.comparingInt(Message::partition).thenComparingLong(Message::offset))
                .forEach(m -> byKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(List.of(
                        m.value().get("__op").toString(), m.value().get("__deleted").toString(), m.value().get("id"), m.value().get("email").toString())));
        assertEquals(Map.of(
                key("id", 1L), List.of(List.of("c", "false", 1L, "ada@example.com"), List.of("u", "false", 1L, "ada@example.org")),
                key("id", 2L), List.of(List.of("c", "false", 2L, "alan@example.com"), List.of("d", "true", 2L, "alan@example.com"))), byKey);
        assertEquals(1, decoder.subjectVersion(topic + "-value", "latest").get("version").asInt());
    }

    /**
     * The same path from CaptureTimestampChange: rows polled by their update timestamp (with a creation column telling
     * inserts from updates) go to Kafka keyed by the primary key, Confluent-framed with the schemas it registered.
     */
    @Test
    void timestampCaptureArrivesKeyedAndFramedTheSameWay() throws Exception {
        String products = "`" + db + "`.products";
        database.execute("CREATE TABLE " + products + " (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, price DECIMAL(10,2), "
                + "created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), "
                + "updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))");
        String topic = "it." + db + ".products";
        createTopics(topic);
        capture.stop();
        capture = timestampCaptureRunner();

        database.execute("INSERT INTO " + products + " (id, name, price) VALUES (1, 'tea', 3.50), (2, 'coffee', 4.20)");
        Thread.sleep(20); // a later update timestamp than the inserts'
        database.execute("UPDATE " + products + " SET price = 3.75 WHERE id = 1");
        List<MockFlowFile> flowFiles = capture(2); // the update moved row 1 forward: two rows, each in its latest state
        database.execute("INSERT INTO " + products + " (id, name, price) VALUES (3, 'cocoa', NULL)");
        Thread.sleep(20);
        database.execute("UPDATE " + products + " SET name = 'green tea' WHERE id = 1");
        capture.clearTransferState();
        List<MockFlowFile> later = capture(2);
        for (MockFlowFile flowFile : flowFiles) {
            publisher.publish(flowFile);
        }
        for (MockFlowFile flowFile : later) {
            publisher.publish(flowFile);
        }

        Map<Map<String, Object>, List<List<Object>>> byKey = new LinkedHashMap<>();
        consume(topic, 4).stream()
                .sorted(Comparator.comparingInt(Message::partition).thenComparingLong(Message::offset))
                .forEach(m -> {
                    GenericRecord after = (GenericRecord) m.value().get("after");
                    byKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(List.of(m.value().get("op").toString(),
                            after.get("name").toString(), String.valueOf(after.get("price"))));
                });
        assertEquals(Map.of(
                key("id", 1), List.of(List.of("u", "tea", "3.75"), List.of("u", "green tea", "3.75")),
                key("id", 2), List.of(List.of("c", "coffee", "4.20")),
                key("id", 3), List.of(List.of("c", "cocoa", "null"))), byKey);
        assertEquals(1, decoder.subjectVersion(topic + "-value", "latest").get("version").asInt());
        assertEquals(1, decoder.subjectVersion(topic + "-key", "latest").get("version").asInt());
    }

    /**
     * Output Shape "Kafka Record Wrapper" published as PublishKafka "Use Wrapper" does: key and value each written by its own
     * writer, looked up by subject name ({@code ${cdc.topic}-key} / {@code -value}) and the version the processor put on the
     * FlowFile. Everything is captured (so version 2 is already the latest) before anything is published: records written
     * before ALTER TABLE must still be framed with version 1's id, which "latest" would get wrong.
     */
    @Test
    void wrapperRecordsArriveKeyedFramedWithTheirOwnSchemaVersionAndTombstonedAfterDeletes() throws Exception {
        database.execute("CREATE TABLE `" + db + "`.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)");
        String topic = "it." + db + ".items";
        createTopics(topic);
        String[] start = binlogEnd();
        capture.setProperty("Initial Binlog File", start[0]);
        capture.setProperty("Initial Binlog Position Offset", start[1]);
        capture.setProperty("Output Shape", "KAFKA_WRAPPER");
        capture.setProperty("Record Writer", "embedded-writer");

        String items = "`" + db + "`.items";
        database.execute(
                "INSERT INTO " + items + " VALUES (1, 'apple'), (2, 'pear')",
                "UPDATE " + items + " SET name = 'green apple' WHERE id = 1",
                "DELETE FROM " + items + " WHERE id = 2",
                "ALTER TABLE " + items + " ADD COLUMN note VARCHAR(20) NULL",
                "INSERT INTO " + items + " VALUES (3, 'fig', 'new')",
                "UPDATE " + items + " SET note = 'ripe' WHERE id = 1",
                "DELETE FROM " + items + " WHERE id = 3");
        // Seven changes, and a tombstone after each of the two deletes.
        List<MockFlowFile> flowFiles = capture(9);

        int valueV1 = decoder.subjectVersion(topic + "-value", "1").get("id").asInt();
        JsonNode valueLatest = decoder.subjectVersion(topic + "-value", "latest");
        assertEquals(2, valueLatest.get("version").asInt(), "both value versions are registered before anything is published");
        int valueV2 = valueLatest.get("id").asInt();
        JsonNode keyV1 = decoder.subjectVersion(topic + "-key", "1");
        Set<String> versionsSeen = new LinkedHashSet<>();
        for (MockFlowFile flowFile : flowFiles) {
            // The FlowFile embeds the wrapper schema; its envelope tells which table schema the records have.
            Schema wrapper;
            try (DataFileStream<GenericRecord> in = new DataFileStream<>(new ByteArrayInputStream(flowFile.toByteArray()), new GenericDatumReader<>())) {
                wrapper = in.getSchema();
            }
            Schema envelope = wrapper.getField("value").schema().getTypes().get(1);
            boolean afterAlter = rowFields(envelope).contains("note");
            versionsSeen.add(flowFile.getAttribute("cdc.value.schema.version"));
            flowFile.assertAttributeEquals("cdc.value.schema.version", afterAlter ? "2" : "1");
            flowFile.assertAttributeEquals("cdc.value.schema.id", String.valueOf(afterAlter ? valueV2 : valueV1));
            flowFile.assertAttributeEquals("cdc.key.schema.version", "1");
            flowFile.assertAttributeEquals("cdc.key.schema.id", keyV1.get("id").asText());
        }
        assertEquals(Set.of("1", "2"), versionsSeen);

        int published = 0;
        for (MockFlowFile flowFile : flowFiles) {
            published += wrapperPublisher.publish(flowFile).size();
        }
        assertEquals(9, published);

        List<Message> messages = consume(topic, 9);
        Map<Map<String, Object>, List<String>> byKey = new LinkedHashMap<>();
        messages.stream()
                .sorted(Comparator.comparingInt(Message::partition).thenComparingLong(Message::offset))
                .forEach(m -> {
                    assertEquals(keyV1.get("id").asInt(), m.keySchemaId(), "key framed with the registered key schema id");
                    String description;
                    if (m.value() == null) {
                        description = "tombstone";
                    } else {
                        GenericRecord after = (GenericRecord) m.value().get("after");
                        GenericRecord image = after != null ? after : (GenericRecord) m.value().get("before");
                        assertEquals(m.key().get("id"), image.get("id"), "key matches the row of " + m.value());
                        int version = m.valueSchemaId() == valueV1 ? 1 : m.valueSchemaId() == valueV2 ? 2 : -1;
                        description = m.value().get("op") + "@v" + version + ":" + image.get("name")
                                + (image.getSchema().getField("note") == null ? "" : "/" + image.get("note"));
                    }
                    byKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(description);
                });
        assertEquals(Map.of(
                key("id", 1), List.of("c@v1:apple", "u@v1:green apple", "u@v2:green apple/ripe"),
                key("id", 2), List.of("c@v1:pear", "d@v1:pear", "tombstone"),
                key("id", 3), List.of("c@v2:fig/new", "d@v2:fig/new", "tombstone")), byKey);

        Map<Map<String, Object>, Set<Integer>> partitionsByKey = new LinkedHashMap<>();
        messages.forEach(m -> partitionsByKey.computeIfAbsent(m.key(), k -> new LinkedHashSet<>()).add(m.partition()));
        partitionsByKey.forEach((key, partitions) -> assertEquals(1, partitions.size(), "key " + key + " on " + partitions));
        assertEquals(List.of("id", "name"), rowFields(decoder.schema(valueV1)));
        assertEquals(List.of("id", "name", "note"), rowFields(decoder.schema(valueV2)));
    }

    /**
     * templates/binlog-to-kafka.json as shipped: its services and processor properties, parameters pointing at the private
     * servers, publishing as its PublishKafka is set up. Every message is keyed by its row's primary key (one key per row,
     * also for a composite key), a delete is followed by a tombstone, and each table has its own topic.
     */
    @Test
    void theShippedBinlogToKafkaFlowKeysEveryRowAndTombstonesDeletes() throws Exception {
        database.execute(
                "CREATE TABLE `" + db + "`.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)",
                "CREATE TABLE `" + db + "`.order_lines (order_id INT, line_no INT, qty INT NOT NULL, PRIMARY KEY (order_id, line_no))");
        String itemsTopic = "shipped." + db + ".items";
        String linesTopic = "shipped." + db + ".order_lines";
        createTopics(itemsTopic, linesTopic);

        ShippedFlow flow = ShippedFlow.read("binlog-to-kafka.json", Map.of(
                "mysql.hosts", database.host() + ":" + database.port(),
                "mysql.username", MariaDbServer.CDC_USER,
                "mysql.password", MariaDbServer.CDC_PASSWORD,
                "cdc.database.include", db,
                "cdc.topic.prefix", "shipped",
                "schema.registry.urls", registry.url()));
        TestRunner shipped = TestRunners.newTestRunner(CaptureBinlogChange.class);
        flow.addServicesTo(shipped);
        flow.processorProperties(CaptureBinlogChange.class.getName()).forEach(shipped::setProperty);
        try {
            // The template's initial snapshot reads one table per run; both are still empty. Changes come after it.
            for (int attempt = 0; attempt < 20 && !streaming(shipped); attempt++) {
                shipped.run(1, false, attempt == 0);
            }
            assertTrue(streaming(shipped), "the snapshot finished: " + shipped.getStateManager().getState(Scope.CLUSTER).toMap());
            shipped.assertTransferCount("success", 0);

            String items = "`" + db + "`.items";
            String lines = "`" + db + "`.order_lines";
            database.execute(
                    "INSERT INTO " + items + " VALUES (1, 'apple'), (2, 'pear')",
                    "INSERT INTO " + lines + " VALUES (10, 1, 5), (10, 2, 7)",
                    "UPDATE " + items + " SET name = 'green apple' WHERE id = 1",
                    "DELETE FROM " + items + " WHERE id = 2",
                    "UPDATE " + lines + " SET qty = 6 WHERE order_id = 10 AND line_no = 1",
                    "DELETE FROM " + lines + " WHERE order_id = 10 AND line_no = 2");
            // Eight changes and a tombstone after each of the two deletes.
            List<MockFlowFile> flowFiles = capture(shipped, 10);
            RecordPublisher publisher = flow.publisher(shipped, producer);
            for (MockFlowFile flowFile : flowFiles) {
                publisher.publish(flowFile);
            }
        } finally {
            shipped.stop();
        }

        assertEquals(Map.of(
                key("id", 1), List.of("c:apple", "u:green apple"),
                key("id", 2), List.of("c:pear", "d:pear", "tombstone")), opsByKey(consume(itemsTopic, 5), "name"));
        assertEquals(Map.of(
                key("order_id", 10, "line_no", 1), List.of("c:5", "u:6"),
                key("order_id", 10, "line_no", 2), List.of("c:7", "d:7", "tombstone")), opsByKey(consume(linesTopic, 5), "qty"));
    }

    /**
     * What TopicOwners relies on, asked of the broker: the names ChangeTopics makes of odd table names are topics Kafka
     * creates, and Kafka refuses a second topic that differs from an existing one only in '.' versus '_'.
     */
    @Test
    void theBrokerTakesMappedNamesAndRefusesTopicsThatDifferOnlyInDotAndUnderscore() throws Exception {
        String odd = ChangeTopics.of("it", new TableSchema("ödd-db $x", "order items.ü", List.of(), List.of()));
        assertEquals("it._dd-db__x.order_items._", odd);
        createTopics(odd, "it." + db + ".a.b_c");
        ExecutionException refused = assertThrows(ExecutionException.class, () -> createTopics("it." + db + ".a_b.c"));
        assertInstanceOf(InvalidTopicException.class, refused.getCause(), refused.toString());
        assertTrue(refused.getCause().getMessage().contains("collides with existing topic"), refused.getCause().getMessage());
    }

    /** Whether the capture has a stored position and no snapshot in progress. */
    private static boolean streaming(TestRunner capture) throws IOException {
        Map<String, String> state = capture.getStateManager().getState(Scope.CLUSTER).toMap();
        return !state.isEmpty() && state.keySet().stream().noneMatch(key -> key.startsWith("snapshot."));
    }

    /** Per message key, in partition order: "op:column value", or "tombstone"; every key's messages on one partition. */
    private static Map<Map<String, Object>, List<String>> opsByKey(List<Message> messages, String column) {
        Map<Map<String, Object>, List<String>> byKey = new LinkedHashMap<>();
        Map<Map<String, Object>, Set<Integer>> partitions = new LinkedHashMap<>();
        messages.stream().sorted(Comparator.comparingInt(Message::partition).thenComparingLong(Message::offset)).forEach(m -> {
            partitions.computeIfAbsent(m.key(), k -> new LinkedHashSet<>()).add(m.partition());
            if (m.value() == null) {
                byKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add("tombstone");
                return;
            }
            GenericRecord after = (GenericRecord) m.value().get("after");
            GenericRecord image = after != null ? after : (GenericRecord) m.value().get("before");
            byKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m.value().get("op") + ":" + image.get(column));
        });
        partitions.forEach((key, used) -> assertEquals(1, used.size(), "key " + key + " on partitions " + used));
        return byKey;
    }

    // ---- NiFi side ----

    private TestRunner captureRunner() throws Exception {
        TestRunner runner = TestRunners.newTestRunner(CaptureBinlogChange.class);
        addRegistryAndFramingWriter(runner);
        // For the Kafka Record Wrapper shape: the wrapper is not a registered schema, so the FlowFile embeds it.
        AvroRecordSetWriter embedded = new AvroRecordSetWriter();
        runner.addControllerService("embedded-writer", embedded);
        runner.setProperty(embedded, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.INHERIT_RECORD_SCHEMA.getValue());
        runner.enableControllerService(embedded);

        // Property names as a flow definition would set them.
        runner.setProperty("Hosts", database.host() + ":" + database.port());
        runner.setProperty("Username", MariaDbServer.CDC_USER);
        runner.setProperty("Password", MariaDbServer.CDC_PASSWORD);
        runner.setProperty("Server ID", "6601");
        runner.setProperty("Database Include Pattern", db);
        runner.setProperty("Record Writer", "avro-writer");
        runner.setProperty("Schema Registry", "registry");
        runner.setProperty("Topic Prefix", "it");
        runner.setProperty("Max Wait Time", "300 ms");
        runner.setProperty("Snapshot Mode", "never"); // stream only, from the position each test reads before its changes
        runner.setProperty("Initial Binlog Position", InitialBinlogPosition.FILE_POSITION.getValue());
        return runner;
    }

    /**
     * The services a capture processor uses here: "registry" (our registry service on the fixture) and "avro-writer", an
     * AvroRecordSetWriter that inherits the record schema and writes Confluent references through "wire-writer".
     */
    private static void addRegistryAndFramingWriter(TestRunner runner) throws Exception {
        ConfluentSchemaRegistryService registryService = new ConfluentSchemaRegistryService();
        runner.addControllerService("registry", registryService);
        runner.setProperty(registryService, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, registry.url());
        runner.enableControllerService(registryService);
        ConfluentWireFormatWriter wireWriter = new ConfluentWireFormatWriter();
        runner.addControllerService("wire-writer", wireWriter);
        runner.enableControllerService(wireWriter);
        AvroRecordSetWriter avro = new AvroRecordSetWriter();
        runner.addControllerService("avro-writer", avro);
        runner.setProperty(avro, "Schema Write Strategy", SchemaRegistryRecordSetWriter.SCHEMA_REFERENCE_WRITER.getValue());
        runner.setProperty(avro, SchemaRegistryRecordSetWriter.SCHEMA_REFERENCE_WRITER_SERVICE, "wire-writer");
        runner.setProperty(avro, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.INHERIT_RECORD_SCHEMA.getValue());
        runner.enableControllerService(avro);
    }

    /** CaptureTimestampChange with the same registry and Confluent-framing writer as the binlog capture. */
    private TestRunner timestampCaptureRunner() throws Exception {
        TestRunner runner = TestRunners.newTestRunner(CaptureTimestampChange.class);
        addRegistryAndFramingWriter(runner);
        UrlConnectionPool pool = new UrlConnectionPool();
        runner.addControllerService("pool", pool);
        runner.setProperty(pool, "URL", database.jdbcUrl(db));
        runner.setProperty(pool, "User", MariaDbServer.CDC_USER);
        runner.setProperty(pool, "Password", MariaDbServer.CDC_PASSWORD);
        runner.enableControllerService(pool);

        runner.setProperty("Database Connection Pooling Service", "pool");
        runner.setProperty("Table Names", "products");
        runner.setProperty("Timestamp Column", "updated_at");
        runner.setProperty("Incrementing Column", "id");
        runner.setProperty("Creation Timestamp Column", "created_at");
        runner.setProperty("Commit Lag", "0 sec");
        runner.setProperty("Output Shape", "ENVELOPE");
        runner.setProperty("Record Writer", "avro-writer");
        runner.setProperty("Schema Registry", "registry");
        runner.setProperty("Topic Prefix", "it");
        return runner;
    }

    /** The services PublishKafka would be configured with; a registry service of its own, as a separate flow would have. */
    private TestRunner publishRunner() throws Exception {
        TestRunner runner = TestRunners.newTestRunner(NoOpProcessor.class);
        ConfluentSchemaRegistryService registryService = new ConfluentSchemaRegistryService();
        runner.addControllerService("registry", registryService);
        runner.setProperty(registryService, ConfluentSchemaRegistryService.SCHEMA_REGISTRY_URLS, registry.url());
        runner.enableControllerService(registryService);
        ConfluentWireFormatReader wireReader = new ConfluentWireFormatReader();
        runner.addControllerService("wire-reader", wireReader);
        runner.enableControllerService(wireReader);
        ConfluentWireFormatWriter wireWriter = new ConfluentWireFormatWriter();
        runner.addControllerService("wire-writer", wireWriter);
        runner.enableControllerService(wireWriter);

        AvroReader reader = new AvroReader();
        runner.addControllerService("avro-reader", reader);
        runner.setProperty(reader, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.SCHEMA_REFERENCE_READER_PROPERTY.getValue());
        runner.setProperty(reader, SchemaAccessUtils.SCHEMA_REGISTRY, "registry");
        runner.setProperty(reader, SchemaAccessUtils.SCHEMA_REFERENCE_READER, "wire-reader");
        runner.enableControllerService(reader);

        // Record Writer: the schema the reader resolved by id (so its id), framed per record.
        AvroRecordSetWriter valueWriter = new AvroRecordSetWriter();
        runner.addControllerService("value-writer", valueWriter);
        runner.setProperty(valueWriter, "Schema Write Strategy", SchemaRegistryRecordSetWriter.SCHEMA_REFERENCE_WRITER.getValue());
        runner.setProperty(valueWriter, SchemaRegistryRecordSetWriter.SCHEMA_REFERENCE_WRITER_SERVICE, "wire-writer");
        runner.setProperty(valueWriter, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.INHERIT_RECORD_SCHEMA.getValue());
        runner.enableControllerService(valueWriter);

        // "Use Wrapper": the Record Reader reads the FlowFile's embedded wrapper schema; the Record Writer writes the value
        // with the registered envelope of the FlowFile's version, looked up by subject name and version.
        AvroReader wrapperReader = new AvroReader();
        runner.addControllerService("wrapper-reader", wrapperReader);
        runner.setProperty(wrapperReader, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, "embedded-avro-schema");
        runner.enableControllerService(wrapperReader);
        addFramingWriterBySchemaName(runner, "value-writer-by-name", "${cdc.topic}-value", "${cdc.value.schema.version}");

        // Record Key Writer: the key schema the processor registered under <topic>-key, looked up by subject name and the
        // version the processor put on the FlowFile.
        addFramingWriterBySchemaName(runner, "key-writer", "${cdc.topic}-key", "${cdc.key.schema.version}");
        return runner;
    }

    /**
     * An AvroRecordSetWriter that looks its schema up in "registry" by subject name and version (as PublishKafka's writers
     * are configured in the flow definition) and frames each record with that schema's id through "wire-writer".
     */
    private static void addFramingWriterBySchemaName(TestRunner runner, String id, String subject, String version) throws Exception {
        AvroRecordSetWriter writer = new AvroRecordSetWriter();
        runner.addControllerService(id, writer);
        runner.setProperty(writer, "Schema Write Strategy", SchemaRegistryRecordSetWriter.SCHEMA_REFERENCE_WRITER.getValue());
        runner.setProperty(writer, SchemaRegistryRecordSetWriter.SCHEMA_REFERENCE_WRITER_SERVICE, "wire-writer");
        runner.setProperty(writer, SchemaAccessUtils.SCHEMA_ACCESS_STRATEGY, SchemaAccessUtils.SCHEMA_NAME_PROPERTY.getValue());
        runner.setProperty(writer, SchemaAccessUtils.SCHEMA_REGISTRY, "registry");
        runner.setProperty(writer, SchemaAccessUtils.SCHEMA_NAME, subject);
        runner.setProperty(writer, SchemaAccessUtils.SCHEMA_VERSION, version);
        runner.enableControllerService(writer);
    }

    /** Triggers the processor until {@code expected} records arrived, and returns the FlowFiles in sequence order. */
    private List<MockFlowFile> capture(int expected) {
        return capture(capture, expected);
    }

    private static List<MockFlowFile> capture(TestRunner capture, int expected) {
        List<MockFlowFile> flowFiles = List.of();
        int records = 0;
        for (int attempt = 0; attempt < 60 && records < expected; attempt++) {
            capture.run(1, false, attempt == 0);
            flowFiles = new ArrayList<>(capture.getFlowFilesForRelationship("success"));
            records = flowFiles.stream().mapToInt(f -> Integer.parseInt(f.getAttribute("record.count"))).sum();
        }
        assertEquals(expected, records, "records captured");
        flowFiles.sort(Comparator.comparingLong(f -> Long.parseLong(f.getAttribute("cdc.sequence.id"))));
        flowFiles.forEach(f -> f.assertAttributeExists("cdc.topic"));
        return flowFiles;
    }

    // ---- Kafka side ----

    private Properties producerProperties() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // PublishKafka's default "Guarantee Replicated Delivery"; idempotence keeps per-partition order across retries.
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return p;
    }

    private void createTopics(String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String topic : topics) {
                newTopics.add(new NewTopic(topic, PARTITIONS, (short) 1));
            }
            admin.createTopics(newTopics).all().get();
        }
    }

    /** A message as a consumer sees it: decoded key and value (null for a tombstone), their schema ids, the partition and the offset. */
    private record Message(int partition, long offset, Map<String, Object> key, int keySchemaId, GenericRecord value, int valueSchemaId,
                           byte[] rawValue) {
        /** The change's place in the binlog: file, position of its event, row within the event. */
        static final Comparator<Message> SOURCE_ORDER = Comparator
                .comparing((Message m) -> source(m).get("file").toString())
                .thenComparingLong(m -> (Long) source(m).get("pos"))
                .thenComparingInt(m -> (Integer) source(m).get("row"));

        private static GenericRecord source(Message m) {
            return (GenericRecord) m.value().get("source");
        }
    }

    private List<Message> consume(String topic, int expected) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            // One more poll: anything beyond the expected count is a duplicate and fails the comparison below.
            consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
        }
        assertEquals(expected, records.size(), "messages on " + topic);
        List<Message> messages = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            ConfluentAvroDecoder.Decoded key = decoder.decode(record.key());
            if (record.value() == null) {
                // A tombstone: key only.
                messages.add(new Message(record.partition(), record.offset(), plain(key.datum()), key.schemaId(), null, -1, null));
                continue;
            }
            ConfluentAvroDecoder.Decoded value = decoder.decode(record.value());
            messages.add(new Message(record.partition(), record.offset(), plain(key.datum()), key.schemaId(), value.datum(), value.schemaId(),
                    record.value()));
        }
        return messages;
    }

    // ---- Expected changes ----

    /** One change as the database made it: op, before-image, after-image (column name to value). */
    private record Change(String op, Map<String, Object> before, Map<String, Object> after) {
        static Change create(Map<String, Object> after) {
            return new Change("c", null, after);
        }

        static Change update(Map<String, Object> before, Map<String, Object> after) {
            return new Change("u", before, after);
        }

        static Change delete(Map<String, Object> before) {
            return new Change("d", before, null);
        }
    }

    /** The consumed changes per decoded key, each key's changes in partition-offset order (the order Kafka delivers them). */
    private static Map<Map<String, Object>, List<Change>> changesByKey(List<Message> messages) {
        Map<Map<String, Object>, List<Change>> byKey = new LinkedHashMap<>();
        messages.stream()
                .sorted(Comparator.comparingInt(Message::partition).thenComparingLong(Message::offset))
                .forEach(m -> {
                    GenericRecord before = (GenericRecord) m.value().get("before");
                    GenericRecord after = (GenericRecord) m.value().get("after");
                    Change change = new Change(m.value().get("op").toString(), before == null ? null : plain(before), after == null ? null : plain(after));
                    Map<String, Object> image = change.after() != null ? change.after() : change.before();
                    m.key().forEach((column, value) -> assertEquals(value, image.get(column), "key column " + column + " of " + change));
                    byKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(change);
                });
        return byKey;
    }

    @SafeVarargs
    private static void expect(Map<Map<String, Object>, List<Change>> expected, Map<String, Object> key, Change... changes) {
        expected.put(key, List.of(changes));
    }

    private static int count(Map<Map<String, Object>, List<Change>> expected) {
        return expected.values().stream().mapToInt(List::size).sum();
    }

    /** A record's fields as plain Java values (Avro strings as String), sorted by name for comparison. */
    private static Map<String, Object> plain(GenericRecord record) {
        Map<String, Object> values = new TreeMap<>();
        for (Schema.Field field : record.getSchema().getFields()) {
            Object value = record.get(field.pos());
            values.put(field.name(), value instanceof CharSequence text ? text.toString() : value);
        }
        return values;
    }

    private static Map<String, Object> key(Object... columnsAndValues) {
        return row(columnsAndValues);
    }

    private static Map<String, Object> row(Object... columnsAndValues) {
        Map<String, Object> values = new TreeMap<>();
        for (int i = 0; i < columnsAndValues.length; i += 2) {
            values.put((String) columnsAndValues[i], columnsAndValues[i + 1]);
        }
        return values;
    }

    private static BigDecimal dec(String text) {
        return new BigDecimal(text);
    }

    private static List<String> rowFields(Schema envelope) {
        Schema row = envelope.getField("after").schema().getTypes().stream().filter(s -> s.getType() == Schema.Type.RECORD).findFirst().orElseThrow();
        return row.getFields().stream().map(Schema.Field::name).toList();
    }

    private static String[] binlogEnd() throws Exception {
        try (Connection c = database.adminConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            return new String[]{rs.getString(1), String.valueOf(rs.getLong(2))};
        }
    }
}
