package dev.nificdc.cdc.processors;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotRequestTest {

    @Test
    void listsTablesSeparatedByCommasAndLines() throws Exception {
        List<Pattern> patterns = SnapshotRequest.parse("""
                # backfill after adding the CRM tables
                shop.orders, shop.order_items

                crm\\..*\r
                """.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("shop.orders", "shop.order_items", "crm\\..*"), patterns.stream().map(Pattern::pattern).toList());
        assertTrue(patterns.get(2).matcher("crm.leads").matches());
    }

    @Test
    void refusesContentThatNamesNothingOrDoesNotCompile() {
        SnapshotRequest.InvalidRequest empty = assertThrows(SnapshotRequest.InvalidRequest.class,
                () -> SnapshotRequest.parse(" \n# only a comment\n,".getBytes(StandardCharsets.UTF_8)));
        assertTrue(empty.getMessage().startsWith("The FlowFile names no table."), empty.getMessage());
        SnapshotRequest.InvalidRequest bad = assertThrows(SnapshotRequest.InvalidRequest.class,
                () -> SnapshotRequest.parse("shop.(orders".getBytes(StandardCharsets.UTF_8)));
        assertTrue(bad.getMessage().startsWith("'shop.(orders' is not a valid regular expression"), bad.getMessage());
    }
}
