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

/**
 * A run-folder CSV file (header line, comma separated, no quoting, '.' decimal point), read into
 * memory. The files are appended row by row while training runs, so a last line without its newline
 * is an interrupted write and is skipped; any other malformed line is an error naming the file and
 * line.
 */
final class Csv {
  private final Path file;
  private final Map<String, Integer> columns = new HashMap<>();
  private final List<Row> rows = new ArrayList<>();

  private Csv(Path file) {
    this.file = file;
  }

  /** Reads {@code file}, which must have at least the {@code required} columns. */
  static Csv read(Path file, List<String> required) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
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
      if (cells.length != header.length) {
        boolean interruptedWrite = n == lines.length - 1 && !endsWithNewline;
        if (interruptedWrite) {
          continue;
        }
        throw new IllegalArgumentException(
            file
                + " line "
                + (n + 1)
                + " has "
                + cells.length
                + " fields, header has "
                + header.length
                + ": '"
                + line
                + "'");
      }
      csv.rows.add(csv.new Row(cells, n + 1));
    }
    return csv;
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
      switch (v.toLowerCase(Locale.ROOT)) {
        case "", "nan", "null" -> {
          return Double.NaN;
        }
        case "inf", "+inf", "infinity", "+infinity" -> {
          return Double.POSITIVE_INFINITY;
        }
        case "-inf", "-infinity" -> {
          return Double.NEGATIVE_INFINITY;
        }
        default -> {
          try {
            return Double.parseDouble(v);
          } catch (NumberFormatException e) {
            throw bad(column, v, "a number");
          }
        }
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
      String v = s(column).toLowerCase(Locale.ROOT);
      return switch (v) {
        case "true", "1", "yes" -> true;
        case "false", "0", "no" -> false;
        default -> throw bad(column, v, "true or false");
      };
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
