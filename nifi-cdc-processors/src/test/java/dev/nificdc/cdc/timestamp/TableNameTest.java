package dev.nificdc.cdc.timestamp;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableNameTest {
    @Test
    void parsesQualifiedAndQuotedNames() {
        assertEquals(List.of("orders"), TableName.parse("orders").parts());
        assertEquals(List.of("shop", "Order Items"), TableName.parse(" shop . Order Items ").parts());
        assertEquals(List.of("a.b", "c\"d"), TableName.parse("\"a.b\".\"c\"\"d\"").parts());
        assertEquals(List.of("cat", "sch", "t"), TableName.parse("cat.sch.t").parts());
        assertEquals("sch", TableName.parse("cat.sch.t").schema());
        assertEquals("cat", TableName.parse("cat.sch.t").catalog());
    }

    @Test
    void quotesEveryPartForEachDialectEscapingEmbeddedQuotes() {
        TableName name = TableName.parse("my schema.\"we\"\"ird`]\"");
        assertEquals("`my schema`.`we\"ird``]`", name.quoted(SqlDialect.MYSQL));
        assertEquals("\"my schema\".\"we\"\"ird`]\"", name.quoted(SqlDialect.POSTGRESQL));
        assertEquals("[my schema].[we\"ird`]]]", name.quoted(SqlDialect.SQL_SERVER));
        assertEquals("\"select\"", SqlDialect.ORACLE.quote("select"));
    }

    @Test
    void rejectsInjectionShapedNamesWithAClearMessage() {
        assertMessage("orders; DROP TABLE orders", "';'");
        assertMessage("orders -- comment", "comment");
        assertMessage("orders/*x*/", "comment");
        assertMessage("a.b.c.d", "parts");
        assertMessage("a..b", "empty");
        assertMessage("ord\"ers", "double quote");
        assertMessage("\"unclosed", "unclosed");
        assertMessage("ord\ners", "control character");
        assertMessage("or\u0000ders", "control character");
        assertThrows(IllegalArgumentException.class, () -> Identifiers.parseColumn("ts, id", "Timestamp Column"));
        assertThrows(IllegalArgumentException.class, () -> Identifiers.parseList("a,,b", "Columns to Return"));
    }

    @Test
    void columnListsAcceptQuotedNames() {
        assertEquals(List.of("a", "Mixed Case", "select"), Identifiers.parseList("a, Mixed Case , \"select\"", "c"));
        assertEquals(List.of("from", "na\"me"), Identifiers.parseList("from, \"na\"\"me\"", "c"));
    }

    @Test
    void listsSplitOnCommasOutsideQuotesAndCanonicalNamesReadBack() {
        List<TableName> names = TableName.parseList(" shop.orders ,\"odd, name\".t , public.\"a.b\", \"x\"\"y\"");
        assertEquals(List.of(List.of("shop", "orders"), List.of("odd, name", "t"), List.of("public", "a.b"), List.of("x\"y")),
                names.stream().map(TableName::parts).toList());
        for (TableName name : names) {
            assertEquals(name, TableName.parse(name.canonical()), name.canonical());
        }
        assertEquals("shop.orders", names.getFirst().canonical());
        assertEquals("public.\"a.b\"", names.get(2).canonical());
        assertEquals(List.of(), TableName.parseList(" "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableName.parseList("a,,b"));
        assertTrue(e.getMessage().contains("empty entry"), e.getMessage());
    }

    @Test
    void namesMatchIgnoringCaseOnTheirCommonParts() {
        assertTrue(TableName.parse("Shop.Orders").matchesIgnoringCase(TableName.parse("shop.orders")));
        assertTrue(TableName.parse("orders").matchesIgnoringCase(TableName.parse("shop.orders")));
        assertTrue(TableName.parse("db.shop.orders").matchesIgnoringCase(TableName.parse("shop.orders")));
        assertFalse(TableName.parse("other.orders").matchesIgnoringCase(TableName.parse("shop.orders")));
        assertFalse(TableName.parse("shop.order").matchesIgnoringCase(TableName.parse("shop.orders")));
    }

    @Test
    void tableColumnSettingsOverrideTheDefaults() {
        TableColumns defaults = new TableColumns("updated_at", "id", "created_at", null, List.of());
        assertEquals(new TableColumns("changed_on", "order_no", "created_at", "gone", List.of("a", "b")),
                defaults.with("timestamp column = changed_on;Incrementing Column=\"order_no\"\n Soft Delete Column=gone; Columns to Return=a, b"));
        assertEquals(new TableColumns("updated_at", null, null, null, List.of()), defaults.with("Incrementing Column=; Creation Timestamp Column="));
        assertMessageOf(() -> defaults.with("Timestamp Column="), "cannot be empty");
        assertMessageOf(() -> defaults.with("Timestamp=changed_on"), "Unknown column setting");
        assertMessageOf(() -> defaults.with("changed_on"), "has no '='");
        assertMessageOf(() -> defaults.with("Timestamp Column=a; timestamp column=b"), "given twice");
        assertMessageOf(() -> defaults.with("Incrementing Column=id -- x"), "comment");
        assertMessageOf(() -> defaults.with(" "), "No column setting");
    }

    private static void assertMessageOf(org.junit.jupiter.api.function.Executable executable, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    private static void assertMessage(String input, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableName.parse(input));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
