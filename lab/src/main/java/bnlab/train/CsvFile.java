package bnlab.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * An append-only CSV file with a header, flushed after every row so that an interrupted run keeps
 * everything written so far. Numbers use '.' as decimal point whatever the default locale.
 * Thread-safe: parallel runs may share one file.
 */
public final class CsvFile implements AutoCloseable {
  private final Path path;
  private final BufferedWriter out;

  /** Opens {@code path} for appending, writing {@code header} first if the file is new or empty. */
  public CsvFile(Path path, String header) {
    this.path = path;
    try {
      Files.createDirectories(path.toAbsolutePath().getParent());
      boolean fresh = !Files.exists(path) || Files.size(path) == 0;
      out =
          Files.newBufferedWriter(
              path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      if (fresh) {
        out.write(header);
        out.write('\n');
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /** Appends one row of values joined by commas and flushes. */
  public synchronized void row(Object... values) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(format(values[i]));
    }
    try {
      out.write(sb.append('\n').toString());
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /** Formats a value for CSV: doubles with full precision, '.' decimals, NaN as "NaN". */
  public static String format(Object v) {
    if (v instanceof Float f) {
      return Float.isFinite(f) ? String.format(Locale.ROOT, "%s", f) : f.toString();
    }
    if (v instanceof Double d) {
      return Double.isFinite(d) ? String.format(Locale.ROOT, "%s", d) : d.toString();
    }
    return String.valueOf(v);
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
