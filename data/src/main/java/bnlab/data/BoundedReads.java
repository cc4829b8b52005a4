package bnlab.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads that never allocate for bytes the input does not hold. A length read from a header is a
 * claim: before it sizes an array it is checked against the file's length, or, for a stream whose
 * length is unknown until it ends (gzip, tar entries), the buffer grows only as bytes arrive, so a
 * false claim costs at most twice what was really there.
 */
final class BoundedReads {
  /** The largest byte array the JVM allocates reliably (a few bytes under 2^31 - 1). */
  static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

  private static final int FIRST_CHUNK = 1 << 16;

  private BoundedReads() {}

  /**
   * Exactly {@code n} bytes from {@code in}. Memory grows in chunks that double with what has
   * arrived, and one array of {@code n} bytes is made only when all of them are there.
   *
   * @param offset the byte offset of the first byte in the file, for messages
   * @throws DataException naming {@code file} when the stream ends early
   */
  static byte[] readExactly(InputStream in, int n, Path file, long offset) throws IOException {
    List<byte[]> chunks = new ArrayList<>();
    int got = 0;
    while (got < n) {
      byte[] chunk = new byte[Math.min(n - got, Math.max(FIRST_CHUNK, got))];
      int r;
      try {
        r = in.readNBytes(chunk, 0, chunk.length);
      } catch (EOFException e) {
        throw new DataException(file, "truncated gzip stream after byte offset " + offset, e);
      }
      got += r;
      if (r < chunk.length) {
        throw truncated(file, n, offset, offset + got);
      }
      chunks.add(chunk);
    }
    return concat(chunks, n);
  }

  /** The "truncated" error: {@code n} bytes expected from {@code offset}, the file ends at end. */
  static DataException truncated(Path file, long n, long offset, long end) {
    return new DataException(
        file,
        "truncated: expected "
            + n
            + " bytes from byte offset "
            + offset
            + ", the file ends at byte offset "
            + end);
  }

  /**
   * The bytes of the tar entry {@code e}, refused from its header when it claims more than {@code
   * limit} bytes; otherwise read as they arrive (a truncated archive fails before its claim is
   * allocated).
   */
  static byte[] readEntry(TarArchiveInputStream tar, TarArchiveEntry e, long limit, Path archive)
      throws IOException {
    if (e.getSize() < 0 || e.getSize() > limit) {
      throw new DataException(
          archive,
          "entry "
              + e.getName()
              + " claims "
              + e.getSize()
              + " bytes, more than the "
              + limit
              + " bnlab reads for it (damaged archive, or not the expected data)");
    }
    byte[] b = tar.readNBytes((int) e.getSize());
    if (b.length < e.getSize()) {
      throw new DataException(
          archive,
          "entry " + e.getName() + " is truncated: " + b.length + " of " + e.getSize() + " bytes");
    }
    return b;
  }

  private static byte[] concat(List<byte[]> chunks, int n) {
    if (chunks.size() == 1) {
      return chunks.get(0);
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] c : chunks) {
      System.arraycopy(c, 0, out, at, c.length);
      at += c.length;
    }
    return out;
  }
}
