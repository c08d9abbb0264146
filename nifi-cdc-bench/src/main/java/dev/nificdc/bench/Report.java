package dev.nificdc.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Collects the figures of one benchmark run. Each figure is printed as it is measured, as a machine-readable line
 * ({@code BENCH section=... name=... value=... unit=...}) and appended to the results file; {@link #printTable()}
 * prints them all as one table at the end.
 */
final class Report {
    record Figure(String section, String name, double value, String unit, String note) {
        String line() {
            return String.format(Locale.ROOT, "BENCH section=%s name=%s value=%s unit=%s%s", section, name, format(value), unit,
                    note.isEmpty() ? "" : " note=\"" + note.replace('"', '\'') + "\"");
        }
    }

    private final List<Figure> figures = new ArrayList<>();
    private final Path resultsFile;

    Report(Path resultsFile) {
        this.resultsFile = resultsFile;
    }

    synchronized void add(String section, String name, double value, String unit) {
        add(section, name, value, unit, "");
    }

    synchronized void add(String section, String name, double value, String unit, String note) {
        Figure figure = new Figure(section, name, value, unit, note);
        figures.add(figure);
        System.out.println(figure.line());
        if (resultsFile != null) {
            try {
                Files.writeString(resultsFile, figure.line() + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    synchronized List<Figure> figures() {
        return List.copyOf(figures);
    }

    synchronized void printTable() {
        int nameWidth = figures.stream().mapToInt(f -> f.section().length() + f.name().length() + 3).max().orElse(10);
        System.out.println();
        System.out.println("=".repeat(nameWidth + 40));
        for (Figure f : figures) {
            System.out.printf(Locale.ROOT, "%-" + nameWidth + "s %14s %-10s %s%n", f.section() + " / " + f.name(), format(f.value()), f.unit(), f.note());
        }
        System.out.println("=".repeat(nameWidth + 40));
    }

    static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.format(Locale.ROOT, "%d", (long) value);
        }
        return String.format(Locale.ROOT, Math.abs(value) < 10 ? "%.3f" : "%.1f", value);
    }
}
