package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.timestamp.TableName;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.util.PropertyMigrationResult;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Property validation and migration without a database. */
class CaptureTimestampChangeTest {
    private static TestRunner runner() throws Exception {
        TestRunner runner = TestRunners.newTestRunner(CaptureTimestampChange.class);
        UrlConnectionPool pool = new UrlConnectionPool();
        runner.addControllerService("pool", pool);
        runner.setProperty(pool, UrlConnectionPool.URL, "jdbc:none");
        runner.enableControllerService(pool);
        org.apache.nifi.avro.AvroRecordSetWriter writer = new org.apache.nifi.avro.AvroRecordSetWriter();
        runner.addControllerService("writer", writer);
        runner.enableControllerService(writer);
        runner.setProperty(TimestampCaptureProperties.DBCP_SERVICE, "pool");
        runner.setProperty(OutputProperties.RECORD_WRITER, "writer");
        return runner;
    }

    @Test
    void propertiesAreTitleCaseAndInjectionShapedNamesAreInvalid() throws Exception {
        for (PropertyDescriptor descriptor : CaptureTimestampChange.PROPERTY_DESCRIPTORS) {
            assertTrue(Character.isUpperCase(descriptor.getName().charAt(0)), descriptor.getName());
            assertEquals(descriptor.getName(), descriptor.getDisplayName());
            assertTrue(descriptor.getDescription() != null && !descriptor.getDescription().isBlank(), descriptor.getName());
        }
        TestRunner runner = runner();
        runner.setProperty(TimestampCaptureProperties.TABLE_NAMES, "shop.\"Order Items\"");
        runner.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "Updated At");
        runner.assertValid();

        runner.setProperty(TimestampCaptureProperties.TABLE_NAMES, "orders; DROP TABLE orders");
        runner.assertNotValid();
        runner.setProperty(TimestampCaptureProperties.TABLE_NAMES, "orders");
        runner.setProperty(TimestampCaptureProperties.INCREMENTING_COLUMN, "id /* x */");
        runner.assertNotValid();
        runner.setProperty(TimestampCaptureProperties.INCREMENTING_COLUMN, "id");
        runner.setProperty(TimestampCaptureProperties.COLUMNS_TO_RETURN, "a, b--");
        runner.assertNotValid();
        runner.removeProperty(TimestampCaptureProperties.COLUMNS_TO_RETURN);
        runner.setProperty(TimestampCaptureProperties.COMMIT_LAG, "soon");
        runner.assertNotValid();
        runner.setProperty(TimestampCaptureProperties.COMMIT_LAG, "30 sec");
        runner.assertValid();

        runner.setProperty(TimestampCaptureProperties.INITIAL_POSITION, InitialTimestampPosition.GIVEN_TIMESTAMP.getValue());
        runner.assertNotValid(); // Initial Timestamp is required once it applies
        runner.setProperty(TimestampCaptureProperties.INITIAL_TIMESTAMP, "2024-01-01 00:00:00");
        runner.assertValid();
    }

    @Test
    void tablesComeFromAListAPatternOrBothAndEachTableMayOverrideItsColumns() throws Exception {
        TestRunner runner = runner();
        runner.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "updated_at");
        runner.assertNotValid(); // no table at all
        runner.setProperty(TimestampCaptureProperties.TABLE_INCLUDE, "shop\\.order_.*, shop\\.customers");
        runner.assertValid();
        runner.setProperty(TimestampCaptureProperties.TABLE_INCLUDE, "shop\\.(order");
        runner.assertNotValid();
        runner.setProperty(TimestampCaptureProperties.TABLE_INCLUDE, "shop\\..*");
        runner.setProperty(TimestampCaptureProperties.TABLE_EXCLUDE, "shop\\.tmp_.*");
        runner.setProperty(TimestampCaptureProperties.TABLE_NAMES, "shop.orders, \"odd,name\", public.\"a.b\"");
        runner.assertValid();
        assertEquals(List.of(TableName.parse("shop.orders"), new TableName(List.of("odd,name")), new TableName(List.of("public", "a.b"))),
                TableName.parseList(runner.getProcessContext().getProperty(TimestampCaptureProperties.TABLE_NAMES).getValue()));

        runner.setProperty("shop.legacy_orders", "Timestamp Column=changed_on; incrementing column=order_no; Soft Delete Column=");
        runner.assertValid();
        runner.setProperty("shop.legacy_orders", "Timestamp Colum=changed_on");
        runner.assertNotValid(); // unknown setting
        runner.setProperty("shop.legacy_orders", "Timestamp Column=");
        runner.assertNotValid(); // every table needs a timestamp column
        runner.setProperty("shop.legacy_orders", "Incrementing Column=id; drop table x");
        runner.assertNotValid();
        runner.setProperty("shop.legacy_orders", "Incrementing Column=");
        runner.assertValid();

        TimestampCaptureSettings settings = TimestampCaptureSettings.from(runner.getProcessContext());
        assertEquals("updated_at|", settings.fetchConfig(TableName.parse("shop.legacy_orders")).ordering(), "the table has no incrementing column");
        assertEquals("updated_at|", settings.fetchConfig(TableName.parse("legacy_orders")).ordering(), "matched by its table name alone");
        assertEquals("updated_at|", settings.fetchConfig(TableName.parse("SHOP.LEGACY_ORDERS")).ordering(), "names match ignoring case");
        assertEquals("updated_at|", settings.fetchConfig(TableName.parse("shop.orders")).ordering(), "no incrementing column was set");
        runner.setProperty(TimestampCaptureProperties.INCREMENTING_COLUMN, "id");
        runner.setProperty("legacy_orders", "Timestamp Column=modified");
        settings = TimestampCaptureSettings.from(runner.getProcessContext());
        assertEquals("updated_at|", settings.fetchConfig(TableName.parse("shop.legacy_orders")).ordering(), "the qualified name's settings win");
        assertEquals("modified|id", settings.fetchConfig(TableName.parse("other.legacy_orders")).ordering());
        assertEquals("updated_at|id", settings.fetchConfig(TableName.parse("shop.orders")).ordering());
        assertEquals(java.util.Set.of(TableName.parse("shop.legacy_orders"), TableName.parse("legacy_orders")),
                java.util.Set.copyOf(settings.unmatchedOverrides(List.of(TableName.parse("shop.orders")))), "Verify names them");
        assertEquals(List.of(), settings.unmatchedOverrides(List.of(TableName.parse("shop.orders"), TableName.parse("shop.legacy_orders"))));
    }

    @Test
    void flowsFromBeforeMultiTableCaptureKeepTheirTable() throws Exception {
        TestRunner unmigrated = runner();
        unmigrated.setProperty(TimestampCaptureProperties.TIMESTAMP_COLUMN, "updated_at");
        unmigrated.setProperty(TimestampCaptureProperties.TABLE_NAMES, "shop.orders");
        unmigrated.setProperty("Table Name", "shop.orders");
        assertTrue(unmigrated.validate().stream().anyMatch(r -> !r.isValid() && r.getExplanation().contains("Table Name is now Table Names")),
                "set by hand, the old property says where the table goes");

        TestRunner runner = TestRunners.newTestRunner(CaptureTimestampChange.class);
        runner.setProperty("Table Name", "shop.orders");
        PropertyMigrationResult result = runner.migrateProperties();
        assertEquals(Map.of("Table Name", "Table Names"), result.getPropertiesRenamed());
        assertEquals("shop.orders", runner.getProcessContext().getProperty(TimestampCaptureProperties.TABLE_NAMES).getValue());
    }
}
