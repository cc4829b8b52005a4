package bnlab.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * An append-only CSV file with a header, each row written to the operating system at once so that
 * an interrupted run keeps everything written so far. Numbers use '.' as decimal point whatever the
 * default locale. Thread-safe: parallel runs may share one file.
 *
 * <p>Crash-safe appends: a row that cannot be written whole (a full disk, a file-size limit) is cut
 * off again before the error is thrown, so the file never keeps half a row when the process
 * survives; and a file whose last line lacks its newline (a process killed in the middle of a
 * write) has that unfinished line cut off when it is opened, so the next row starts on a line of
 * its own. {@link #sync()} forces the rows to the disk (a checkpoint calls it first).
 */
public final class CsvFile implements AutoCloseable {
  private final Path path;
  private final FileChannel out;

  /** Opens {@code path} for appending, writing {@code header} first if the file is new or empty. */
  public CsvFile(Path path, String header) {
    this.path = path;
    try {
      Files.createDirectories(path.toAbsolutePath().getParent());
      out =
          FileChannel.open(
              path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      cutUnfinishedLine();
      if (out.size() == 0) {
        write(header + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /** Appends one row of values joined by commas. */
  public synchronized void row(Object... values) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(format(values[i]));
    }
    try {
      write(sb.append('\n').toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /** Forces the rows written so far to the storage device. */
  public synchronized void sync() {
    try {
      out.force(false);
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

  // All of the line at the end of the file, or none of it.
  private void write(String line) throws IOException {
    long end = out.size();
    ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
    try {
      while (b.hasRemaining()) {
        out.write(b, end + b.position());
      }
    } catch (IOException e) {
      try {
        out.truncate(end);
      } catch (IOException second) {
        e.addSuppressed(second);
      }
      throw e;
    }
  }

  // A last line without its newline is a write that was cut short: it is not a row.
  private void cutUnfinishedLine() throws IOException {
    long size = out.size();
    ByteBuffer block = ByteBuffer.allocate(8192);
    for (long end = size; end > 0; end -= block.capacity()) {
      long start = Math.max(0, end - block.capacity());
      block.clear().limit((int) (end - start));
      while (block.hasRemaining() && out.read(block, start + block.position()) >= 0) {
        // read the whole block
      }
      for (int i = block.position() - 1; i >= 0; i--) {
        if (block.get(i) == '\n') {
          if (start + i + 1 < size) {
            out.truncate(start + i + 1);
          }
          return;
        }
      }
    }
    if (size > 0) {
      out.truncate(0);
    }
  }
}
