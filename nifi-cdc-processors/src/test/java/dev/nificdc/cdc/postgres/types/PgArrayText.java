package dev.nificdc.cdc.postgres.types;

import java.util.ArrayList;
import java.util.List;

/**
 * Test-only parser of PostgreSQL's array text output ({@code {1,NULL,"a,b"}}, {@code [0:1]={x,y}},
 * {@code {{1,2},{3,4}}}): the optional dimensions prefix and the elements' texts as nested lists, null for NULL.
 */
final class PgArrayText {
    final String dimensions;
    final List<Object> elements;
    private final String text;
    private int position;

    private PgArrayText(String text) {
        int brace = text.indexOf('{');
        this.dimensions = text.startsWith("[") ? text.substring(0, text.indexOf('=')) : "";
        this.text = text;
        this.position = brace;
        this.elements = list();
    }

    static PgArrayText parse(String text) {
        return new PgArrayText(text);
    }

    private List<Object> list() {
        expect('{');
        List<Object> items = new ArrayList<>();
        if (text.charAt(position) == '}') {
            position++;
            return items;
        }
        while (true) {
            char c = text.charAt(position);
            if (c == '{') {
                items.add(list());
            } else if (c == '"') {
                items.add(quoted());
            } else {
                int end = position;
                while (text.charAt(end) != ',' && text.charAt(end) != '}') {
                    end++;
                }
                String item = text.substring(position, end);
                items.add(item.equalsIgnoreCase("NULL") ? null : item);
                position = end;
            }
            char next = text.charAt(position++);
            if (next == '}') {
                return items;
            }
            if (next != ',') {
                throw new IllegalArgumentException("Unexpected '" + next + "' at " + (position - 1) + " in " + text);
            }
        }
    }

    private String quoted() {
        expect('"');
        StringBuilder item = new StringBuilder();
        while (true) {
            char c = text.charAt(position++);
            if (c == '"') {
                return item.toString();
            }
            item.append(c == '\\' ? text.charAt(position++) : c);
        }
    }

    private void expect(char c) {
        if (text.charAt(position) != c) {
            throw new IllegalArgumentException("Expected '" + c + "' at " + position + " in " + text);
        }
        position++;
    }
}
