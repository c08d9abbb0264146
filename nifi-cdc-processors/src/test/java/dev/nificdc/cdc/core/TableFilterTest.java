package dev.nificdc.cdc.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableFilterTest {

    @Test
    void includesAndExcludesByWholeName() {
        TableFilter f = TableFilter.of(List.of("shop.*"), List.of("shop_archive"), List.of(), List.of("shop\\.tmp_.*"),
                List.of(".*\\.password", "shop\\.customer\\.ssn"));
        assertTrue(f.includesTable("shop", "orders"));
        assertTrue(f.includesTable("shop_eu", "orders"));
        assertFalse(f.includesTable("shop_archive", "orders"));
        assertFalse(f.includesTable("shop", "tmp_1"));
        assertFalse(f.includesTable("other", "orders"));
        assertFalse(f.includesColumn("shop", "users", "password"));
        assertFalse(f.includesColumn("shop", "customer", "ssn"));
        assertTrue(f.includesColumn("shop", "customer", "name"));
        assertTrue(f.includesColumn("shop", "customer_ssn", "x"));
    }

    @Test
    void systemDatabasesAreNeverCaptured() {
        TableFilter all = TableFilter.all();
        assertTrue(all.includesTable("app", "t"));
        assertFalse(all.includesTable("mysql", "user"));
        assertFalse(all.includesTable("performance_schema", "threads"));
    }

    @Test
    void postgresSchemasReplaceMySqlSystemDatabases() {
        TableFilter pg = TableFilter.all().withSystemNames(TableFilter.POSTGRES_SYSTEM_SCHEMAS);
        assertTrue(pg.includesTable("public", "orders"));
        assertTrue(pg.includesTable("mysql", "user"), "a PostgreSQL schema may be called mysql");
        assertTrue(pg.includesTable("sys", "t"));
        assertFalse(pg.includesTable("pg_catalog", "pg_class"));
        assertFalse(pg.includesTable("pg_toast", "pg_toast_16384"));
        assertFalse(pg.includesTable("information_schema", "tables"));
        TableFilter included = TableFilter.of(List.of(), List.of(), List.of("public\\.orders"), List.of(), List.of())
                .withSystemNames(TableFilter.POSTGRES_SYSTEM_SCHEMAS);
        assertTrue(included.includesTable("public", "orders"));
        assertFalse(included.includesTable("public", "items"));
    }

    @Test
    void includeTablesMatchQualifiedNames() {
        TableFilter f = TableFilter.of(List.of(), List.of(), List.of("app\\.(orders|items)"), List.of(), List.of());
        assertTrue(f.includesTable("app", "orders"));
        assertFalse(f.includesTable("app", "orders_old"));
        assertFalse(f.includesTable("other", "orders"));
    }

    @Test
    void invalidExpressionIsAClearConfigurationError() {
        CaptureException e = assertThrows(CaptureException.class,
                () -> TableFilter.of(List.of(), List.of(), List.of("app.(orders"), List.of(), List.of()));
        assertEquals(CaptureException.Reason.CONFIGURATION, e.reason());
        assertTrue(e.getMessage().contains("include tables") && e.getMessage().contains("app.(orders"), e.getMessage());
    }

    @Test
    void splitsCommaSeparatedProperty() {
        assertEquals(List.of("a", "b.*"), TableFilter.split(" a , ,b.* "));
        assertEquals(List.of(), TableFilter.split(null));
    }

    @Test
    void tablePatternsRoundTripThroughTheState() {
        TableFilter f = TableFilter.of(List.of("shop.*"), List.of("shop_archive"), List.of("shop\\.(orders|items)", "crm\\..*"),
                List.of("shop\\.tmp_\\x2C.*"), List.of(".*\\.password"));
        java.util.Map<String, String> state = new java.util.HashMap<>(f.toStateMap());
        state.put("binlog.file", "b.000001");
        TableFilter read = TableFilter.fromStateMap(state);
        assertEquals(f.toStateMap(), read.toStateMap());
        assertTrue(read.includesTable("shop", "items"));
        assertFalse(read.includesTable("shop", "customers"));
        assertFalse(read.includesTable("crm", "leads"), "the database patterns apply too");
        assertEquals(null, TableFilter.fromStateMap(java.util.Map.of()), "no patterns stored yet");
        TableFilter.removeFrom(state);
        assertEquals(java.util.Map.of("binlog.file", "b.000001"), state);
        assertEquals(TableFilter.all().toStateMap(), TableFilter.fromStateMap(TableFilter.all().toStateMap()).toStateMap());
    }
}
