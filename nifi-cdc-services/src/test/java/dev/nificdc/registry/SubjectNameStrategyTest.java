package dev.nificdc.registry;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubjectNameStrategyTest {

    private final Schema value = TestSchemas.customersV1();

    @Test
    void topicName() {
        assertEquals("db.inv.customers-value", SubjectNameStrategy.TOPIC_NAME.subject("db.inv.customers", value, false));
        assertEquals("db.inv.customers-key", SubjectNameStrategy.TOPIC_NAME.subject("db.inv.customers", value, true));
        assertEquals("t-key", SubjectNameStrategy.TOPIC_NAME.subject("t", Schema.create(Schema.Type.LONG), true), "any schema type");
    }

    @Test
    void recordName() {
        assertEquals("dbserver1.inventory.customers.Value", SubjectNameStrategy.RECORD_NAME.subject("ignored", value, false));
        assertEquals("dbserver1.inventory.customers.Value", SubjectNameStrategy.RECORD_NAME.subject(null, value, true), "no -key suffix, no topic needed");
    }

    @Test
    void topicRecordName() {
        assertEquals("t-dbserver1.inventory.customers.Value", SubjectNameStrategy.TOPIC_RECORD_NAME.subject("t", value, false));
        assertEquals("t-dbserver1.inventory.customers.Value", SubjectNameStrategy.TOPIC_RECORD_NAME.subject("t", value, true));
    }

    @Test
    void clearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SubjectNameStrategy.TOPIC_NAME.subject(" ", value, false));
        assertTrue(e.getMessage().contains("needs a Kafka topic name"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SubjectNameStrategy.RECORD_NAME.subject("t", Schema.create(Schema.Type.STRING), true));
        assertTrue(e.getMessage().contains("needs an Avro record schema") && e.getMessage().contains("STRING"), e.getMessage());
    }
}
