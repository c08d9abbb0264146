package dev.nificdc.cdc.record;

import org.apache.kafka.common.internals.Topic;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Topic names as Debezium makes them: legal names unchanged, others reduced to Kafka's characters and length. */
class ChangeTopicsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "dbserver1|inventory|customers|dbserver1.inventory.customers",
            "|inventory|customers|inventory.customers",
            "dbserver1||customers|dbserver1.customers",
            "dbserver1|shop-2|order_lines|dbserver1.shop-2.order_lines",
            // the names from issue 16: umlauts, space and '$' become '_'
            "|ödd-db $x|order items.ü|_dd-db__x.order_items._",
            "dbserver1|ödd-db $x|order items.ü|dbserver1._dd-db__x.order_items._",
            "prod/eu|shop|orders|prod_eu.shop.orders",
            // a character outside the BMP is two UTF-16 chars, so two '_' (as in Debezium)
            "|shop|\uD83D\uDE00|shop.__",
            "||.|_",
            "||..|__"})
    void topicIsPrefixDatabaseTableInKafkasCharacters(String prefix, String database, String table, String expected) {
        String topic = ChangeTopics.of(prefix, new TableSchema(database, table, List.of(), List.of()));
        assertEquals(expected, topic);
        assertDoesNotThrow(() -> Topic.validate(topic), "Kafka accepts " + topic);
    }

    @ParameterizedTest
    @CsvSource({"200,64,64", "249,0,0", "10,64,200"})
    void longNamesAreCutTo249Characters(int prefixLength, int databaseLength, int tableLength) {
        String prefix = "p".repeat(prefixLength);
        String database = "d".repeat(databaseLength);
        String table = "t".repeat(tableLength);
        String topic = ChangeTopics.of(prefix, new TableSchema(database, table, List.of(), List.of()));
        String full = prefix + (database.isEmpty() ? "" : "." + database) + "." + table;
        assertEquals(full.substring(0, Math.min(full.length(), 249)), topic);
        assertDoesNotThrow(() -> Topic.validate(topic), "Kafka accepts " + topic);
    }

    @ParameterizedTest
    @CsvSource({"a.b_c,a_b.c,true", "a.b,a.b,true", "a.b,a-b,false", "orders,Orders,false"})
    void collisionKeysTreatDotAndUnderscoreAlikeAsKafkaDoes(String one, String other, boolean collide) {
        assertEquals(collide, ChangeTopics.collisionKey(one).equals(ChangeTopics.collisionKey(other)));
        assertEquals(collide, Topic.hasCollision(one, other), "Kafka's own rule");
    }
}
