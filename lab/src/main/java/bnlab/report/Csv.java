package bnlab.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A run-folder CSV file (header line, comma separated, no quoting, '.' decimal point), read into
 * memory. The files are appended row by row while training runs, so a malformed last line without
 * its newline is a write in progress (or interrupted) and is left out silently. Any other malformed
 * row — another number of fields than the header, or a required column whose value is not of its
 * kind (model, norm, layer, and the studies' variant, status and folder are text; iid and diverged
 * booleans; seed, epoch, epochs, step, batch_size, steps, depth and unit whole numbers; any other
 * required column a number) — is left out and named in {@link #skipped()}, so that one torn or
 * edited row costs that row, not the report.
 */
final class Csv {
  private final Path file;
  private static final Set<String> TEXT =
      Set.of("model", "norm", "layer", "variant", "status", "folder");
  private static final Set<String> BOOLEAN = Set.of("iid", "diverged");
  private static final Set<String> WHOLE =
      Set.of("seed", "epoch", "epochs", "step", "batch_size", "steps", "depth", "unit");
  private static final int QUOTED = 40;

  private final Map<String, Integer> columns = new HashMap<>();
  private final List<Row> rows = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();

  private Csv(Path file) {
    this.file = file;
  }

  /** Reads {@code file}, which must have at least the {@code required} columns. */
  static Csv read(Path file, List<String> required) {
    String text;
    try {
      text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    Csv csv = new Csv(file);
    String[] lines = text.split("\r?\n", -1);
    if (lines.length == 0 || lines[0].isBlank()) {
      throw new IllegalArgumentException(
          file + " has no header line; expected columns " + required);
    }
    String[] header = lines[0].trim().split(",", -1);
    for (int i = 0; i < header.length; i++) {
      csv.columns.put(header[i].trim(), i);
    }
    for (String name : required) {
      if (!csv.columns.containsKey(name)) {
        throw new IllegalArgumentException(
            file + " lacks column '" + name + "' (header: " + lines[0] + ")");
      }
    }
    boolean endsWithNewline = text.endsWith("\n");
    for (int n = 1; n < lines.length; n++) {
      String line = lines[n];
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      String problem =
          cells.length != header.length
              ? cells.length + " fields, the header has " + header.length
              : csv.malformed(cells, required);
      if (problem == null) {
        csv.rows.add(csv.new Row(cells, n + 1));
      } else if (n < lines.length - 1 || endsWithNewline) {
        csv.skipped.add(
            file.getFileName() + " line " + (n + 1) + " ('" + clip(line) + "': " + problem + ")");
      }
    }
    return csv;
  }

  /** What is wrong with a required value of the row, or null. */
  private String malformed(String[] cells, List<String> required) {
    for (String name : required) {
      String v = cells[columns.get(name)].trim();
      boolean ok =
          TEXT.contains(name)
              || (BOOLEAN.contains(name)
                  ? bool(v) != null
                  : WHOLE.contains(name) ? whole(v) : num(v));
      if (!ok) {
        return name + " is '" + clip(v) + "'";
      }
    }
    return null;
  }

  private static boolean whole(String v) {
    try {
      Long.parseLong(v);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean num(String v) {
    try {
      parse(v);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  // NaN, Infinity, inf and nan (any case) are numbers; empty is NaN.
  private static double parse(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "", "nan", "null" -> Double.NaN;
      case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
      case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(v);
    };
  }

  private static Boolean bool(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> null;
    };
  }

  private static String clip(String s) {
    String t = s.length() <= QUOTED ? s : s.substring(0, QUOTED - 3) + "...";
    return t.replaceAll("\\p{Cntrl}", "?");
  }

  /** The malformed rows left out, e.g. "metrics.csv line 202 ('net-bn,': 2 fields, ...)". */
  List<String> skipped() {
    return skipped;
  }

  List<Row> rows() {
    return rows;
  }

  boolean has(String column) {
    return columns.containsKey(column);
  }

  Path file() {
    return file;
  }

  /** One data line; typed accessors name the file, line and column when a value is malformed. */
  final class Row {
    private final String[] cells;
    private final int line;

    private Row(String[] cells, int line) {
      this.cells = cells;
      this.line = line;
    }

    boolean has(String column) {
      return columns.containsKey(column);
    }

    String s(String column) {
      Integer i = columns.get(column);
      if (i == null) {
        throw new IllegalArgumentException(file + " has no column '" + column + "'");
      }
      return cells[i].trim();
    }

    /** A number; NaN, Infinity, inf and nan (any case) are accepted, empty is NaN. */
    double d(String column) {
      String v = s(column);
      try {
        return parse(v);
      } catch (NumberFormatException e) {
        throw bad(column, v, "a number");
      }
    }

    long l(String column) {
      String v = s(column);
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw bad(column, v, "an integer");
      }
    }

    int i(String column) {
      return Math.toIntExact(l(column));
    }

    boolean b(String column) {
      String v = s(column);
      Boolean b = bool(v);
      if (b == null) {
        throw bad(column, v, "true or false");
      }
      return b;
    }

    private IllegalArgumentException bad(String column, String v, String expected) {
      return new IllegalArgumentException(
          file
              + " line "
              + line
              + ": column '"
              + column
              + "' is '"
              + v
              + "', expected "
              + expected);
    }
  }
}
