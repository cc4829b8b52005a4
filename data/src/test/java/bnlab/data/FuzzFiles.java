package bnlab.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * What the data fuzz targets share: a scratch folder emptied for every input, a cursor that cuts a
 * fuzz input into the files it describes, and the sizes their allocation budgets are made of.
 */
final class FuzzFiles {
  /** Allocation every input may use whatever its size: buffers, decoder tables, JIT warm-up. */
  static final long BUDGET_BASE = 32L << 20;

  /** Allocation per byte of (uncompressed) input: a reader copies its input a few times. */
  static final long BUDGET_PER_BYTE = 16;

  private static final Path ROOT = createRoot();

  /** When fuzzing, the readers' warnings (one for most inputs) only slow the fuzzer down. */
  private static final java.util.logging.Logger READERS = quietWhenFuzzing();

  private FuzzFiles() {}

  private static java.util.logging.Logger quietWhenFuzzing() {
    java.util.logging.Logger log = java.util.logging.Logger.getLogger("bnlab.data");
    if (System.getenv("JAZZER_FUZZ") != null) {
      log.setLevel(java.util.logging.Level.SEVERE);
    }
    return log;
  }

  private static Path createRoot() {
    try {
      return Files.createTempDirectory("bnlab-fuzz-");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An empty scratch folder called {@code name} (emptied if an earlier input left files). */
  static Path fresh(String name) throws IOException {
    Path dir = ROOT.resolve(name);
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    return Files.createDirectories(dir);
  }

  /**
   * The length of {@code gz} once decompressed (what a reader may legitimately hold in memory),
   * counted up to {@code cap}; a damaged stream counts what came out before the damage.
   */
  static long gunzippedLength(byte[] gz, long cap) {
    long n = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      int r;
      while (n < cap && (r = in.read(buf)) > 0) {
        n += r;
      }
    } catch (IOException damaged) {
      // what came out so far is what a reader could have seen
    }
    return Math.min(n, cap);
  }

  /** Reads a fuzz input front to back; past its end every read gives zeros or nothing. */
  static final class Cursor {
    private final byte[] b;
    private int pos;

    Cursor(byte[] b) {
      this.b = b;
    }

    int u8() {
      return pos < b.length ? b[pos++] & 0xFF : 0;
    }

    int u16() {
      return (u8() << 8) | u8();
    }

    byte[] take(int n) {
      int m = Math.min(n, b.length - pos);
      byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + m);
      pos += m;
      return out;
    }

    byte[] rest() {
      return take(b.length - pos);
    }

    boolean done() {
      return pos >= b.length;
    }
  }
}
