package bnlab.experiment;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The text of a run folder's CSV file with only the rows a filter keeps and no malformed row: the
 * pure part of {@link RunFolder#keepRows}, also what the resume fuzz target calls.
 */
final class CsvRows {
  /** Longest part of a malformed row quoted in a notice. */
  private static final int QUOTED = 40;

  private CsvRows() {}

  /**
   * {@code text}, the contents of {@code file}, keeping the header {@code header}, the well-formed
   * rows {@code keep} accepts and dropping every other row (malformed ones with a line to {@code
   * notices}); the result ends with a newline unless it is empty.
   *
   * @throws UserError if the file's first line is neither {@code header} nor (with nothing after
   *     it) a part of it
   */
  static String keep(
      Path file, String text, String header, RunFolder.RowFilter keep, Consumer<String> notices) {
    if (text.isEmpty()) {
      return text;
    }
    String[] lines = text.split("\n", -1);
    // split leaves "" after the final newline; a file without one ends with an unfinished line
    int n = text.endsWith("\n") ? lines.length - 1 : lines.length;
    if (!lines[0].equals(header)) {
      if (n == 1 && header.startsWith(lines[0])) {
        notices.accept(file + ": its header was cut short (a crash or a full disk); rewritten");
        return "";
      }
      throw new UserError(
          file
              + " has the columns '"
              + clip(lines[0])
              + "', expected '"
              + header
              + "': it was written by another version or edited; use another --out");
    }
    int columns = header.split(",", -1).length;
    StringBuilder out = new StringBuilder(text.length()).append(header).append('\n');
    for (int i = 1; i < n; i++) {
      String problem = check(lines[i], columns, keep, out);
      if (problem != null) {
        notices.accept(
            file
                + " line "
                + (i + 1)
                + " is malformed ('"
                + clip(lines[i])
                + "': "
                + problem
                + "), dropped: a row cut short by a crash or a full disk, or an edit");
      }
    }
    return out.toString();
  }

  /** Appends the line to {@code out} if kept; returns what is wrong with it, or null. */
  private static String check(
      String line, int columns, RunFolder.RowFilter keep, StringBuilder out) {
    String[] fields = line.split(",", -1);
    if (fields.length != columns) {
      return fields.length + " fields, the header has " + columns;
    }
    try {
      if (keep.keep(fields)) {
        out.append(line).append('\n');
      }
      return null;
    } catch (NumberFormatException e) {
      return "a number is not a number";
    }
  }

  /** {@code s} shortened and with control characters shown as '?', fit for one console line. */
  private static String clip(String s) {
    String t = s.length() <= QUOTED ? s : s.substring(0, QUOTED - 3) + "...";
    return t.replaceAll("\\p{Cntrl}", "?");
  }
}
