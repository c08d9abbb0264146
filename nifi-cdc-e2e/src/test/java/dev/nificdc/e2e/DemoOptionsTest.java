package dev.nificdc.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./demo.sh}'s command line: the source choice and the options that only a MariaDB source takes. */
class DemoOptionsTest {
    @Test
    void mariaDbStaysTheDefaultAndPostgresIsChosenWithSource() {
        assertFalse(DemoOptions.parse(new String[0]).postgres());
        assertFalse(DemoOptions.parse(new String[] {"--source", "mariadb"}).postgres());
        assertTrue(DemoOptions.parse(new String[] {"--source", "postgres"}).postgres());
        assertTrue(DemoOptions.parse(new String[] {"--source=PostgreSQL", "--changes", "10"}).postgres());
    }

    @Test
    void postgresRefusesTheOptionsOfYourOwnMariaDbServer() {
        for (String[] args : new String[][] {
                {"--source", "postgres", "--source-host", "db.example.com", "--source-user", "u", "--source-database", "d"},
                {"--source", "postgres", "--source-port", "5432"},
                {"--source", "postgres", "--source-password", "pw"},
                {"--source", "postgres", "--table", "orders"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(args));
            assertTrue(e.getMessage().contains("with --source mariadb only"), e.getMessage());
        }
    }

    @Test
    void unknownSourceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--source", "oracle"}));
        assertEquals("--source is mariadb or postgres, not 'oracle'; see --help", e.getMessage());
    }
}
