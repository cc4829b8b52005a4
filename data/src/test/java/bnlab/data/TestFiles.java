package bnlab.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Writes small data files in every supported format for the tests. */
final class TestFiles {
  private TestFiles() {}

  /** Pixel value of image {@code i}, channel c, row y, column x: a pattern easy to recompute. */
  static int pixel(int i, int c, int y, int x) {
    return (i * 31 + c * 80 + y * 7 + x * 3) & 0xFF;
  }

  /** CIFAR records for images first..first+n-1 with labels i % 10. */
  static byte[] cifarRecords(int first, int n) {
    byte[] b = new byte[n * Cifar10.RECORD];
    for (int r = 0; r < n; r++) {
      int i = first + r;
      int off = r * Cifar10.RECORD;
      b[off] = (byte) (i % 10);
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            b[off + 1 + (c * 32 + y) * 32 + x] = (byte) pixel(i, c, y, x);
          }
        }
      }
    }
    return b;
  }

  /** A cifar-10-batches-bin folder with {@code perBatch} records per file (6 files). */
  static Path cifarFolder(Path dir, int perBatch) throws IOException {
    Path f = Files.createDirectories(dir.resolve(Cifar10.FOLDER));
    for (int k = 1; k <= 5; k++) {
      Files.write(
          f.resolve("data_batch_" + k + ".bin"), cifarRecords((k - 1) * perBatch, perBatch));
    }
    Files.write(f.resolve("test_batch.bin"), cifarRecords(1000, perBatch));
    Files.writeString(f.resolve("batches.meta.txt"), String.join("\n", Cifar10.CLASSES) + "\n\n");
    return f;
  }

  /** A .tar.gz holding {@code files} (entry name to bytes), in the map's order. */
  static Path tarGz(Path file, Map<String, byte[]> files) throws IOException {
    try (OutputStream raw = Files.newOutputStream(file);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(raw))) {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
        entry.setSize(e.getValue().length);
        tar.putArchiveEntry(entry);
        tar.write(e.getValue());
        tar.closeArchiveEntry();
      }
    }
    return file;
  }

  /**
   * A .tar.gz of one entry whose header claims {@code claimed} bytes while only {@code present}
   * follow: what a damaged or hostile archive looks like to a reader.
   */
  static Path tarGzClaiming(Path file, String name, long claimed, byte[] present)
      throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(claimed);
    byte[] header = new byte[512];
    entry.writeEntryHeader(header);
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    tar.writeBytes(header);
    tar.writeBytes(present);
    return Files.write(file, gzip(tar.toByteArray()));
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    }
    return out.toByteArray();
  }

  /** An IDX file of unsigned bytes with the given magic, dimensions and payload. */
  static byte[] idx(int magic, int[] dims, byte[] data) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    return b.put(data).array();
  }

  /** An RGB image of size w x h whose pixels follow {@link #pixel}. */
  static BufferedImage rgbImage(int i, int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (pixel(i, 0, y, x) << 16) | (pixel(i, 1, y, x) << 8) | pixel(i, 2, y, x));
      }
    }
    return img;
  }

  /**
   * A small valid PNG whose IHDR is rewritten (with a correct CRC) to claim {@code w} x {@code h}
   * pixels: the header of a huge image followed by the data of a tiny one.
   */
  static byte[] pngClaiming(int w, int h) throws IOException {
    byte[] png = encode(rgbImage(0, 2, 2), "png");
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(png); // signature 8, length 4, "IHDR" 4
    b.putInt(16, w).putInt(20, h);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(png, 12, 17); // chunk type and 13 data bytes
    b.putInt(29, (int) crc.getValue());
    return png;
  }

  static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, format, out)) {
      throw new IOException("no writer for " + format);
    }
    return out.toByteArray();
  }
}
