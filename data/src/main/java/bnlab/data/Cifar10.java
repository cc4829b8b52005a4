package bnlab.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * CIFAR-10 in its official binary layout (Krizhevsky, 2009): {@code cifar-10-batches-bin/} with
 * {@code data_batch_1..5.bin}, {@code test_batch.bin} and {@code batches.meta.txt}; each record is
 * 1 label byte followed by 3,072 pixel bytes (R plane, G plane, B plane, 32x32 row-major), which is
 * exactly the (C,H,W) byte layout of {@link ImageSet}. Reads the folder or the downloaded {@code
 * cifar-10-binary.tar.gz} directly. File lengths and archive entry sizes are checked before
 * anything is allocated for them: a split whose pixels would not fit in one array (2 GiB) is
 * refused, and a truncated archive fails after reading only what it holds.
 */
public final class Cifar10 {
  /** Official download address of the binary version. */
  public static final String URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";

  /** MD5 of {@code cifar-10-binary.tar.gz} as published on the CIFAR page. */
  public static final String MD5 = "c32a1d4ab5d03f1284b67883e8d87530";

  /** Name of the folder inside the archive. */
  public static final String FOLDER = "cifar-10-batches-bin";

  /** The canonical class names (order of batches.meta.txt). */
  public static final List<String> CLASSES =
      List.of(
          "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

  static final int CHANNELS = 3;
  static final int SIDE = 32;
  static final int IMAGE_BYTES = CHANNELS * SIDE * SIDE;
  static final int RECORD = 1 + IMAGE_BYTES;

  /** The most record bytes whose pixels fit in one array. */
  private static final long MAX_SPLIT_BYTES =
      (long) (BoundedReads.MAX_ARRAY / IMAGE_BYTES) * RECORD;

  /** The official batches.meta.txt is 61 bytes; anything past this is not one. */
  private static final int MAX_META = 1 << 16;

  private Cifar10() {}

  /** The batch files of a split: data_batch_1..5.bin for train, test_batch.bin for test. */
  static List<String> batchFiles(Split split) {
    return split == Split.TRAIN
        ? List.of(
            "data_batch_1.bin",
            "data_batch_2.bin",
            "data_batch_3.bin",
            "data_batch_4.bin",
            "data_batch_5.bin")
        : List.of("test_batch.bin");
  }

  /** Reads a split from a {@code cifar-10-batches-bin} folder. */
  public static ImageSet readFolder(Path folder, Split split) {
    if (!Files.isDirectory(folder)) {
      throw new DataException(folder, "no such CIFAR-10 folder");
    }
    long[] sizes = new long[batchFiles(split).size()];
    long total = 0;
    for (int p = 0; p < sizes.length; p++) {
      Path file = folder.resolve(batchFiles(split).get(p));
      sizes[p] = batchSize(file);
      total = checkTotal(folder, total + sizes[p]);
    }
    List<byte[]> parts = new ArrayList<>();
    for (int p = 0; p < sizes.length; p++) {
      Path file = folder.resolve(batchFiles(split).get(p));
      try (InputStream in = Files.newInputStream(file)) {
        parts.add(BoundedReads.readExactly(in, (int) sizes[p], file, 0));
      } catch (IOException e) {
        throw new DataException(file, "cannot read: " + e.getMessage(), e);
      }
    }
    List<String> classes = readMeta(folder.resolve("batches.meta.txt"));
    return decode(folder, batchFiles(split), parts, classes);
  }

  /** The length of a batch file, refused before reading when no array could hold it. */
  private static long batchSize(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        throw new DataException(
            file, Files.exists(file) ? "not a regular file" : "missing CIFAR-10 batch file");
      }
      long size = Files.size(file);
      if (size > BoundedReads.MAX_ARRAY) {
        throw new DataException(
            file,
            size
                + " bytes is not a CIFAR-10 batch file (those hold 30730000 bytes;"
                + " bnlab reads at most "
                + BoundedReads.MAX_ARRAY
                + ")");
      }
      return size;
    } catch (IOException e) {
      throw new DataException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * {@code bytes} of records so far, refused when their images would not fit in one pixel array.
   */
  private static long checkTotal(Path source, long bytes) {
    long images = bytes / RECORD;
    if (images * IMAGE_BYTES > BoundedReads.MAX_ARRAY) {
      throw new DataException(
          source,
          "the batch files hold at least "
              + images
              + " images, more than one array of pixels holds ("
              + BoundedReads.MAX_ARRAY / IMAGE_BYTES
              + "); CIFAR-10 has 50000 training images");
    }
    return bytes;
  }

  /** Reads a split from {@code cifar-10-binary.tar.gz} without unpacking it to disk. */
  public static ImageSet readTarGz(Path archive, Split split) {
    Map<String, byte[]> found = new LinkedHashMap<>();
    String meta = null;
    try (InputStream raw = Files.newInputStream(archive);
        TarArchiveInputStream tar =
            new TarArchiveInputStream(
                new GZIPInputStream(new BufferedInputStream(raw, 1 << 16), 1 << 16))) {
      TarArchiveEntry e;
      long total = 0;
      while ((e = tar.getNextEntry()) != null) {
        String base = baseName(e.getName());
        if (!e.isFile()) {
          continue;
        }
        if (batchFiles(split).contains(base)) {
          byte[] before = found.remove(base); // a later copy of an entry replaces it
          total -= before == null ? 0 : before.length;
          byte[] b = BoundedReads.readEntry(tar, e, MAX_SPLIT_BYTES - total, archive);
          found.put(base, b);
          total += b.length;
        } else if (base.equals("batches.meta.txt")) {
          byte[] b = BoundedReads.readEntry(tar, e, MAX_META, archive);
          meta = new String(b, StandardCharsets.UTF_8);
        }
      }
    } catch (NoSuchFileException e) {
      throw new DataException(archive, "no such file", e);
    } catch (IOException e) {
      throw new DataException(archive, "cannot read archive (truncated or not a tar.gz?)", e);
    }
    List<byte[]> parts = new ArrayList<>();
    for (String name : batchFiles(split)) {
      byte[] b = found.get(name);
      if (b == null) {
        throw new DataException(archive, "archive holds no " + FOLDER + "/" + name);
      }
      parts.add(b);
    }
    List<String> classes = meta == null ? CLASSES : parseMeta(archive, meta);
    return decode(archive, batchFiles(split), parts, classes);
  }

  private static ImageSet decode(
      Path source, List<String> names, List<byte[]> parts, List<String> classes) {
    long total = 0;
    for (int p = 0; p < parts.size(); p++) {
      byte[] b = parts.get(p);
      Path where = source.resolve(names.get(p));
      if (b.length == 0) {
        throw new DataException(where, "empty CIFAR-10 batch file");
      }
      if (b.length % RECORD != 0) {
        int whole = b.length / RECORD;
        throw new DataException(
            where,
            "truncated: "
                + b.length
                + " bytes is not a whole number of "
                + RECORD
                + "-byte records; record "
                + whole
                + " starting at byte offset "
                + (long) whole * RECORD
                + " is incomplete");
      }
      total += b.length / RECORD;
    }
    int n = (int) total; // at most MAX_ARRAY / IMAGE_BYTES: checked while reading
    byte[] pixels = new byte[n * IMAGE_BYTES];
    int[] labels = new int[n];
    int i = 0;
    for (int p = 0; p < parts.size(); p++) {
      byte[] b = parts.get(p);
      for (int r = 0, off = 0; off < b.length; r++, off += RECORD, i++) {
        int label = b[off] & 0xFF;
        if (label >= classes.size()) {
          throw new DataException(
              source.resolve(names.get(p)),
              "record "
                  + r
                  + " (byte offset "
                  + off
                  + ") has label "
                  + label
                  + ", outside [0, "
                  + classes.size()
                  + ")");
        }
        labels[i] = label;
        System.arraycopy(b, off + 1, pixels, i * IMAGE_BYTES, IMAGE_BYTES);
      }
    }
    return new ImageSet(pixels, labels, CHANNELS, SIDE, SIDE, classes);
  }

  private static List<String> readMeta(Path meta) {
    if (!Files.exists(meta)) {
      return CLASSES;
    }
    try {
      if (Files.size(meta) > MAX_META) {
        throw new DataException(meta, "is " + Files.size(meta) + " bytes, not a list of 10 names");
      }
      return parseMeta(meta, Files.readString(meta, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new DataException(meta, "cannot read: " + e.getMessage(), e);
    }
  }

  private static List<String> parseMeta(Path where, String text) {
    List<String> names = new ArrayList<>();
    for (String line : text.split("\\R")) {
      if (!line.isBlank()) {
        names.add(line.strip());
      }
    }
    if (names.size() != CLASSES.size()) {
      throw new DataException(
          where, "batches.meta.txt lists " + names.size() + " classes, CIFAR-10 has 10");
    }
    return names;
  }

  /** Writes {@code set} (32x32 RGB, at most 256 classes) as one official-layout batch file. */
  static byte[] encode(ImageSet set) {
    if (set.channels() != CHANNELS || set.height() != SIDE || set.width() != SIDE) {
      throw new IllegalArgumentException("not a 3x32x32 data set: " + set);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(set.size() * RECORD);
    byte[] img = new byte[IMAGE_BYTES];
    for (int i = 0; i < set.size(); i++) {
      out.write(set.label(i));
      set.get(i, img, 0);
      out.writeBytes(img);
    }
    return out.toByteArray();
  }

  static String baseName(String entry) {
    int slash = entry.lastIndexOf('/');
    return slash < 0 ? entry : entry.substring(slash + 1);
  }
}
