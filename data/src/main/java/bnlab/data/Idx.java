package bnlab.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The IDX format of MNIST and Fashion-MNIST (LeCun et al.), plain or gzip-compressed ({@code .gz}):
 * a big-endian magic number {@code 0x0000TTDD} (type TT = 0x08 for unsigned bytes, DD dimensions),
 * DD big-endian int32 sizes, then the data row-major. Images are {@code idx3} (N, H, W), labels
 * {@code idx1} (N). Wrong magic numbers, dimensions, truncated or over-long files fail with the
 * file name and byte offset. The sizes in the header are checked against the file's length (or,
 * compressed, against the bytes that arrive) before memory is allocated for them.
 */
public final class Idx {
  private Idx() {}

  /** The decoded payload of an IDX file of unsigned bytes. */
  record Array(int[] dims, byte[] data) {}

  /**
   * Reads an image file and a label file into an {@link ImageSet} of (1, H, W) grey images.
   *
   * @param classes class names; every label must be below {@code classes.size()}
   */
  public static ImageSet read(Path images, Path labels, List<String> classes) {
    Array img = readArray(images, 3);
    Array lab = readArray(labels, 1);
    int n = img.dims()[0];
    if (lab.dims()[0] != n) {
      throw new DataException(
          labels, "holds " + lab.dims()[0] + " labels but " + images + " holds " + n + " images");
    }
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = lab.data()[i] & 0xFF;
      if (y[i] >= classes.size()) {
        throw new DataException(
            labels,
            "label "
                + y[i]
                + " of record "
                + i
                + " (byte offset "
                + (8 + i)
                + ") is outside [0, "
                + classes.size()
                + ")");
      }
    }
    return new ImageSet(img.data(), y, 1, img.dims()[1], img.dims()[2], classes);
  }

  /** Reads an unsigned-byte IDX file that must have {@code rank} dimensions. */
  static Array readArray(Path file, int rank) {
    try (InputStream in = open(file)) {
      byte[] head = BoundedReads.readExactly(in, 4, file, 0);
      int magic = be(head, 0);
      if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xFF) != 0x08 || (magic & 0xFF) != rank) {
        throw new DataException(
            file,
            String.format(
                "wrong IDX magic number 0x%08X at byte offset 0, expected 0x%08X"
                    + " (unsigned bytes, %d dimension%s)",
                magic, 0x800 | rank, rank, rank == 1 ? "" : "s"));
      }
      byte[] dimBytes = BoundedReads.readExactly(in, 4 * rank, file, 4);
      int[] dims = new int[rank];
      for (int d = 0; d < rank; d++) {
        dims[d] = be(dimBytes, 4 * d);
        if (dims[d] <= 0) {
          throw new DataException(
              file, "dimension " + d + " is " + dims[d] + " (byte offset " + (4 + 4 * d) + ")");
        }
      }
      long start = 4 + 4L * rank;
      int total = claimedBytes(file, dims, start);
      byte[] data = BoundedReads.readExactly(in, total, file, start);
      if (in.read() >= 0) {
        throw new DataException(
            file,
            "has bytes after the end of its data at byte offset "
                + (start + total)
                + " (dimensions "
                + Arrays.toString(dims)
                + " do not match the file)");
      }
      return new Array(dims, data);
    } catch (NoSuchFileException e) {
      throw new DataException(file, "no such file", e);
    } catch (IOException e) {
      throw new DataException(file, "cannot read: " + e, e);
    }
  }

  /**
   * The payload size the dimensions claim, refused when it cannot be an array or, for a plain file,
   * when the file is not exactly that long: both before anything is allocated for it.
   */
  private static int claimedBytes(Path file, int[] dims, long start) throws IOException {
    long total = 1;
    for (int d : dims) {
      if (total > BoundedReads.MAX_ARRAY / d) {
        throw new DataException(
            file,
            "dimensions "
                + Arrays.toString(dims)
                + " claim more than "
                + BoundedReads.MAX_ARRAY
                + " bytes, more than one array holds (damaged header?)");
      }
      total *= d;
    }
    if (!isGzip(file)) {
      long size = Files.size(file);
      if (start + total > size) {
        throw BoundedReads.truncated(file, total, start, size);
      }
    }
    return (int) total;
  }

  private static boolean isGzip(Path file) {
    return file.getFileName().toString().endsWith(".gz");
  }

  private static InputStream open(Path file) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    if (isGzip(file)) {
      return new GZIPInputStream(in, 1 << 16);
    }
    return in;
  }

  private static int be(byte[] b, int i) {
    return ((b[i] & 0xFF) << 24)
        | ((b[i + 1] & 0xFF) << 16)
        | ((b[i + 2] & 0xFF) << 8)
        | (b[i + 3] & 0xFF);
  }
}
