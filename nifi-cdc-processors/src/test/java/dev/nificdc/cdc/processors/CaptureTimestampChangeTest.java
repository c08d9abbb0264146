package dev.nificdc.cdc.processors;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Property validation without a database. */
class CaptureTimestampChangeTest {
    @Test
    void propertiesAreTitleCaseAndInjectionShapedNamesAreInvalid() throws Exception {
        for (PropertyDescriptor descriptor : CaptureTimestampChange.PROPERTY_DESCRIPTORS) {
            assertTrue(Character.isUpperCase(descriptor.getName().charAt(0)), descriptor.getName());
            assertEquals(descriptor.getName(), descriptor.getDisplayName());
            assertTrue(descriptor.getDescription() != null && !descriptor.getDescription().isBlank(), descriptor.getName());
        }
        TestRunner runner = TestRunners.newTestRunner(CaptureTimestampChange.class);
        UrlConnectionPool pool = new UrlConnectionPool();
        runner.addControllerService("pool", pool);
        runner.setProperty(pool, UrlConnectionPool.URL, "jdbc:none");
        runner.enableControllerService(pool);
        org.apache.nifi.avro.AvroRecordSetWriter writer = new org.apache.nifi.avro.AvroRecordSetWriter();
        runner.addControllerService("writer", writer);
        runner.enableControllerService(writer);
        runner.setProperty(CaptureTimestampChange.DBCP_SERVICE, "pool");
        runner.setProperty(CaptureTimestampChange.RECORD_WRITER, "writer");
        runner.setProperty(CaptureTimestampChange.TABLE_NAME, "shop.\"Order Items\"");
        runner.setProperty(CaptureTimestampChange.TIMESTAMP_COLUMN, "Updated At");
        runner.assertValid();

        runner.setProperty(CaptureTimestampChange.TABLE_NAME, "orders; DROP TABLE orders");
        runner.assertNotValid();
        runner.setProperty(CaptureTimestampChange.TABLE_NAME, "orders");
        runner.setProperty(CaptureTimestampChange.INCREMENTING_COLUMN, "id /* x */");
        runner.assertNotValid();
        runner.setProperty(CaptureTimestampChange.INCREMENTING_COLUMN, "id");
        runner.setProperty(CaptureTimestampChange.COLUMNS_TO_RETURN, "a, b--");
        runner.assertNotValid();
        runner.removeProperty(CaptureTimestampChange.COLUMNS_TO_RETURN);
        runner.setProperty(CaptureTimestampChange.COMMIT_LAG, "soon");
        runner.assertNotValid();
        runner.setProperty(CaptureTimestampChange.COMMIT_LAG, "30 sec");
        runner.assertValid();

        runner.setProperty(CaptureTimestampChange.INITIAL_POSITION, CaptureTimestampChange.InitialPosition.GIVEN_TIMESTAMP.getValue());
        runner.assertNotValid(); // Initial Timestamp is required once it applies
        runner.setProperty(CaptureTimestampChange.INITIAL_TIMESTAMP, "2024-01-01 00:00:00");
        runner.assertValid();
    }
}
