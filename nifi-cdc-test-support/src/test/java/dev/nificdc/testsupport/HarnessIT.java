package dev.nificdc.testsupport;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Proves each private server of the harness really works: a binlog row event, a PostgreSQL row, a Kafka message. */
class HarnessIT {

    @Test
    void mariaDbServesRowEventsToTheCdcUserThroughTheBinlog() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            try (Connection c = server.cdcConnection(); Statement s = c.createStatement()) {
                assertEquals("ROW", variable(s, "binlog_format"));
                assertEquals("FULL", variable(s, "binlog_row_image"));
                assertEquals("FULL", variable(s, "binlog_row_metadata"));
                assertEquals("ON", variable(s, "log_bin"));
                assertTrue(variable(s, "gtid_binlog_pos") != null, "MariaDB exposes GTID positions");
            }
            String db = server.createDatabase("harness");
            server.execute("CREATE TABLE `" + db + "`.t (id INT PRIMARY KEY, name VARCHAR(20))");

            BlockingQueue<Object[]> rows = new LinkedBlockingQueue<>();
            List<String> tables = new ArrayList<>();
            BinaryLogClient client = new BinaryLogClient(server.host(), server.port(), MariaDbServer.CDC_USER, MariaDbServer.CDC_PASSWORD);
            client.setServerId(4242);
            client.registerEventListener(event -> {
                if (event.getHeader().getEventType() == EventType.TABLE_MAP) {
                    tables.add(((TableMapEventData) event.getData()).getTable());
                }
                if (EventType.isWrite(event.getHeader().getEventType())) {
                    for (Serializable[] row : ((WriteRowsEventData) event.getData()).getRows()) {
                        rows.add(row);
                    }
                }
            });
            client.connect(10_000);
            try {
                server.execute("INSERT INTO `" + db + "`.t VALUES (7, 'seven')");
                Object[] row = rows.poll(20, TimeUnit.SECONDS);
                assertNotNull(row, "no row event arrived from the binlog");
                assertEquals(7, row[0]);
                assertEquals("seven", row[1]);
                assertTrue(tables.contains("t"));
            } finally {
                client.disconnect();
            }
        }
    }

    @Test
    void mariaDbRestartsOnTheSameDataAndTheCdcUserLacksWritePrivileges() throws Exception {
        try (MariaDbServer server = MariaDbServer.start()) {
            String db = server.createDatabase("restart");
            server.execute("CREATE TABLE `" + db + "`.t (id INT PRIMARY KEY)", "INSERT INTO `" + db + "`.t VALUES (1)");
            server.kill();
            server.startAgain();
            try (Connection c = server.cdcConnection(); Statement s = c.createStatement()) {
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM `" + db + "`.t");
                rs.next();
                assertEquals(1, rs.getInt(1));
                assertThrows(SQLException.class, () -> s.execute("INSERT INTO `" + db + "`.t VALUES (2)"));
            }
        }
    }

    @Test
    void postgresStoresAndReturnsARow() throws Exception {
        try (PostgresServer server = PostgresServer.start()) {
            String db = server.createDatabase("harness");
            try (Connection c = server.connection(db); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id INT PRIMARY KEY, ts TIMESTAMP(6))");
                s.execute("INSERT INTO t VALUES (1, '2024-02-29 23:59:59.123456')");
                ResultSet rs = s.executeQuery("SELECT ts::text FROM t WHERE id = 1");
                rs.next();
                assertEquals("2024-02-29 23:59:59.123456", rs.getString(1));
            }
        }
    }

    @Test
    void kafkaDeliversAProducedMessageToAConsumer() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start()) {
            Map<String, Object> producerConfig = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
                producer.send(new ProducerRecord<>("harness.topic", "k1", "v1")).get(30, TimeUnit.SECONDS);
            }
            Map<String, Object> consumerConfig = Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "harness",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
                consumer.subscribe(List.of("harness.topic"));
                List<ConsumerRecord<String, String>> received = new ArrayList<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (received.isEmpty() && System.currentTimeMillis() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(received::add);
                }
                assertEquals(1, received.size());
                assertEquals("k1", received.get(0).key());
                assertEquals("v1", received.get(0).value());
            }
        }
    }

    private static String variable(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("SHOW GLOBAL VARIABLES LIKE '" + name + "'")) {
            return rs.next() ? rs.getString(2) : null;
        }
    }
}
