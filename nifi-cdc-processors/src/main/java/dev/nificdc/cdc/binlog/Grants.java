package dev.nificdc.cdc.binlog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The privileges a user holds, read from its {@code SHOW GRANTS} lines ({@code GRANT <privileges> ON <scope> TO ...}):
 * enough to say which of the privileges capture needs are there and where. Privileges that come only through a role are
 * not seen.
 */
public final class Grants {
    private final Map<String, List<String>> scopes = new LinkedHashMap<>();

    public Grants(List<String> showGrants) {
        for (String line : showGrants) {
            String upper = line.toUpperCase(Locale.ROOT);
            int on = upper.indexOf(" ON ");
            int to = upper.indexOf(" TO ", on + 1);
            if (!upper.startsWith("GRANT ") || on < 0 || to < 0) {
                continue; // a role grant, or a line we do not understand
            }
            String scope = line.substring(on + 4, to).trim();
            String privileges = upper.substring("GRANT ".length(), on);
            for (String privilege : privileges.split(",")) {
                String name = privilege.replaceAll("\\(.*\\)", "").trim(); // column grants: SELECT (a, b)
                if (name.equals("ALL PRIVILEGES") || name.equals("ALL")) {
                    name = "ALL";
                }
                scopes.computeIfAbsent(name, n -> new ArrayList<>()).add(scope);
            }
        }
    }

    /** True when {@code privilege} (or ALL) is held on every database ({@code *.*}). */
    public boolean global(String privilege) {
        return on(privilege).contains("*.*") || on("ALL").contains("*.*");
    }

    /** True when {@code privilege} is held anywhere (globally, on a database, a table or some columns). */
    public boolean anywhere(String privilege) {
        return !on(privilege).isEmpty() || global(privilege);
    }

    /** Where {@code privilege} is held: {@code *.*}, {@code `shop`.*}, ...; empty when nowhere. */
    public List<String> on(String privilege) {
        return scopes.getOrDefault(privilege.toUpperCase(Locale.ROOT), List.of());
    }

    /** {@code privilege} and where it is held, e.g. {@code SELECT} (global) or {@code SELECT on `shop`.*}. */
    public String describe(String privilege) {
        if (global(privilege)) {
            return privilege;
        }
        return privilege + " on " + String.join(", ", on(privilege));
    }
}
