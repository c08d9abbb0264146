package dev.nificdc.cdc.processors;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The tables an incoming FlowFile asks an incremental snapshot of: its content, as UTF-8 text, lists regular expressions
 * matched against the whole qualified table name ({@code database.table} on MySQL/MariaDB, {@code schema.table} on
 * PostgreSQL, as Table Include Pattern is), separated by commas or line breaks; blank lines and lines starting with
 * {@code #} are ignored.
 */
final class SnapshotRequest {
    /** Larger content is not a request (a wrongly connected flow, say) and is refused unread. */
    static final int MAX_BYTES = 64 * 1024;

    private SnapshotRequest() {
    }

    /** A request that cannot be taken: the message says what to fix. */
    static final class InvalidRequest extends Exception {
        InvalidRequest(String message) {
            super(message);
        }
    }

    /**
     * The patterns of a request's content.
     *
     * @throws InvalidRequest when the content names nothing or an expression does not compile
     */
    static List<Pattern> parse(byte[] content) throws InvalidRequest {
        List<Pattern> patterns = new ArrayList<>();
        for (String line : new String(content, StandardCharsets.UTF_8).split("\\R")) {
            if (line.strip().startsWith("#")) {
                continue;
            }
            for (String expression : line.split(",")) {
                String trimmed = expression.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                try {
                    patterns.add(Pattern.compile(trimmed));
                } catch (PatternSyntaxException e) {
                    throw new InvalidRequest("'" + trimmed + "' is not a valid regular expression: " + e.getDescription()
                            + " near index " + e.getIndex() + ". List tables as database.table (PostgreSQL: schema.table), or as"
                            + " Java regular expressions matched against that name, separated by commas or line breaks.");
                }
            }
        }
        if (patterns.isEmpty()) {
            throw new InvalidRequest("The FlowFile names no table. Its content should list the tables to snapshot as"
                    + " database.table (PostgreSQL: schema.table), or Java regular expressions matched against that name,"
                    + " separated by commas or line breaks, e.g. shop.orders.");
        }
        return patterns;
    }
}
