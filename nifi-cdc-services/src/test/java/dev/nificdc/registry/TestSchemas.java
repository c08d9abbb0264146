package dev.nificdc.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/** Avro schemas shared by the tests. */
final class TestSchemas {

    private TestSchemas() {
    }

    /** inventory.customers value, version 1: id, name. */
    static Schema customersV1() {
        return SchemaBuilder.record("Value").namespace("dbserver1.inventory.customers").fields()
                .requiredLong("id")
                .optionalString("name")
                .endRecord();
    }

    /** Adds an optional email with a default: BACKWARD compatible with v1. */
    static Schema customersV2() {
        return SchemaBuilder.record("Value").namespace("dbserver1.inventory.customers").fields()
                .requiredLong("id")
                .optionalString("name")
                .optionalString("email")
                .endRecord();
    }

    /** Adds a required field without default: not BACKWARD compatible with v1. */
    static Schema customersIncompatible() {
        return SchemaBuilder.record("Value").namespace("dbserver1.inventory.customers").fields()
                .requiredLong("id")
                .optionalString("name")
                .requiredInt("loyalty_points")
                .endRecord();
    }

    static Schema ordersV1() {
        return SchemaBuilder.record("Value").namespace("dbserver1.inventory.orders").fields()
                .requiredLong("order_id")
                .requiredDouble("total")
                .endRecord();
    }
}
