package dev.nificdc.cdc.timestamp;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    private static void assertMessage(String input, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableName.parse(input));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
