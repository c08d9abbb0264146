package dev.nificdc.cdc.emit;

import dev.nificdc.cdc.binlog.BinlogSourceInfo;
import dev.nificdc.cdc.record.ColumnSchema;
import dev.nificdc.cdc.record.OutputShape;
import dev.nificdc.cdc.record.TableSchema;
import dev.nificdc.cdc.record.ValueKind;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.serialization.record.SchemaIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two tables that would publish to one Kafka topic (or to topics Kafka cannot hold side by side) are refused, naming
 * both, before the second table's schema reaches the registry, whenever the topic names subjects or destinations.
 */
class TopicOwnersTest {

    @Test
    void aSecondTableOnTheSameTopicIsRefusedBeforeItsSchemaIsRegistered() {
        List<String> registered = new ArrayList<>();
        ChangeRecordFactory factory = new ChangeRecordFactory(OutputShape.ENVELOPE, BinlogSourceInfo.FIELDS, "dbserver1", registry(registered));
        factory.recordSchema(table("shop", "ö"));

        ProcessException refused = assertThrows(ProcessException.class, () -> factory.recordSchema(table("shop", "ü")));
        assertTrue(refused.getMessage().startsWith("Tables shop.ö and shop.ü both map to the Kafka topic 'dbserver1.shop._'"),
                refused.getMessage());
        assertEquals(List.of("shop.ö"), registered, "nothing of shop.ü reached the registry");
        assertThrows(ProcessException.class, () -> factory.recordSchema(table("shop", "ü")), "refused every time");
    }

    @Test
    void topicsThatDifferOnlyInDotAndUnderscoreAreRefused() {
        ChangeRecordFactory factory = new ChangeRecordFactory(OutputShape.KAFKA_WRAPPER, BinlogSourceInfo.FIELDS, "p");
        factory.recordSchema(table("a", "b_c"));
        ProcessException refused = assertThrows(ProcessException.class, () -> factory.recordSchema(table("a_b", "c")));
        assertTrue(refused.getMessage().contains("map to the Kafka topics 'p.a.b_c' and 'p.a_b.c', which differ only in '.' and '_'"),
                refused.getMessage());
    }

    @Test
    void aTableKeepsItsTopicAcrossSchemaChanges() {
        ChangeRecordFactory factory = new ChangeRecordFactory(OutputShape.KAFKA_WRAPPER, BinlogSourceInfo.FIELDS, "p");
        factory.recordSchema(table("shop", "orders"));
        TableSchema altered = new TableSchema("shop", "orders", List.of(ColumnSchema.of("id", ValueKind.LONG, false, "bigint"),
                ColumnSchema.of("note", ValueKind.STRING, true, "varchar(20)")), List.of("id"));
        assertDoesNotThrow(() -> factory.recordSchema(altered));
    }

    /** Without a registry, the envelope and flattened shapes only suggest the topic (cdc.topic): a replica flow never publishes. */
    @ParameterizedTest
    @EnumSource(value = OutputShape.class, names = {"ENVELOPE", "FLATTENED"})
    void withoutRegistryTheTopicIsOnlyASuggestion(OutputShape shape) {
        ChangeRecordFactory factory = new ChangeRecordFactory(shape, BinlogSourceInfo.FIELDS, "dbserver1");
        factory.recordSchema(table("shop", "ö"));
        assertDoesNotThrow(() -> factory.recordSchema(table("shop", "ü")));
    }

    private static TableSchema table(String database, String name) {
        return new TableSchema(database, name, List.of(ColumnSchema.of("id", ValueKind.LONG, false, "bigint")), List.of("id"));
    }

    /** Records the tables whose value schemas were registered. */
    private static SchemaIdentifiers registry(List<String> registered) {
        return (table, schema) -> {
            registered.add(table.qualifiedName());
            return SchemaIdentifier.builder().name(table.qualifiedName()).id((long) registered.size()).version(1).build();
        };
    }
}
