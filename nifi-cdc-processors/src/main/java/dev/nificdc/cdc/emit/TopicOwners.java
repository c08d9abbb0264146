package dev.nificdc.cdc.emit;

import dev.nificdc.cdc.record.ChangeTopics;
import dev.nificdc.cdc.record.TableSchema;
import org.apache.nifi.processor.exception.ProcessException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which table each Kafka topic belongs to. Names reduced to Kafka's characters can meet ({@code shop.ö} and
 * {@code shop.ü} both become {@code shop._}), and Kafka cannot hold two topics that differ only in '.' versus '_':
 * a table whose topic is taken by another table is refused with an error naming both, before anything of it is
 * registered or written. Safe for several threads.
 */
final class TopicOwners {
    private final String topicPrefix;
    private final Map<String, Owner> ownersByCollisionKey = new ConcurrentHashMap<>();

    private record Owner(String topic, String table) {
    }

    TopicOwners(String topicPrefix) {
        this.topicPrefix = topicPrefix;
    }

    /**
     * Records that {@code table} publishes to its topic.
     *
     * @throws ProcessException when another table already does, or publishes to a topic Kafka cannot hold beside it
     */
    void claim(TableSchema table) {
        String topic = ChangeTopics.of(topicPrefix, table);
        Owner claimant = new Owner(topic, table.qualifiedName());
        Owner owner = ownersByCollisionKey.putIfAbsent(ChangeTopics.collisionKey(topic), claimant);
        if (owner == null || owner.table().equals(claimant.table())) {
            return;
        }
        String clash = owner.topic().equals(topic)
                ? "both map to the Kafka topic '" + topic + "' (topic names keep only the characters a-z, A-Z, 0-9, '.', '_' and '-',"
                + " others become '_', and at most 249 characters, as Debezium's do)"
                : "map to the Kafka topics '" + owner.topic() + "' and '" + topic + "', which differ only in '.' and '_': Kafka refuses"
                + " to hold both in one cluster";
        throw new ProcessException("Tables " + owner.table() + " and " + claimant.table() + " " + clash + ". Their records and registry"
                + " subjects would mix, so nothing of " + claimant.table() + " was written. Capture only one of them (for example with"
                + " Table Exclude Pattern), or rename one of the tables.");
    }
}
