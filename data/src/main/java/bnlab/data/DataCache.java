package bnlab.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A folder of decoded data sets, so that slow sources (60,000 JPEGs, a 170 MB tar.gz) are decoded
 * once. Each entry is keyed by the source's absolute path, size and modification time (for a
 * folder: the count, total size and newest modification time of every file in it) and by the
 * readers' version, and rebuilt when either changes. Entries are written to a temporary file,
 * flushed to disk and renamed into place, so a crash or a concurrent reader never sees a partial
 * cache; a damaged entry (bad checksum, wrong length, sizes that overflow) is rebuilt; its header
 * is checked against the file's length before anything is allocated for it.
 *
 * <p>File layout (little-endian): magic {@code BNLDATA1}, source key, N, C, H, W, class names, N
 * int32 labels, N*C*H*W pixel bytes, CRC32C of the pixels.
 */
public final class DataCache {
  private static final System.Logger LOG = System.getLogger("bnlab.data");
  private static final byte[] MAGIC = "BNLDATA1".getBytes(StandardCharsets.US_ASCII);

  private final Path folder;

  /** A cache in {@code folder} (created when first written). */
  public DataCache(Path folder) {
    this.folder = folder.toAbsolutePath().normalize();
  }

  /** The per-user cache: {@code $XDG_CACHE_HOME/bnlab}, else {@code ~/.cache/bnlab}. */
  public static DataCache userDefault() {
    return new DataCache(userFolder());
  }

  /** {@code $XDG_CACHE_HOME/bnlab} when that variable is set and absolute, else ~/.cache/bnlab. */
  public static Path userFolder() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "bnlab");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "bnlab");
  }

  /** The cache folder. */
  public Path folder() {
    return folder;
  }

  /**
   * The cached data set for {@code source} and {@code variant} (e.g. "train"), decoding it with
   * {@code decode} and storing the result when the cache is missing, stale or damaged. If the cache
   * cannot be written the decoded set is returned and a warning logged.
   */
  public ImageSet load(Path source, String variant, Supplier<ImageSet> decode) {
    String key = key(source, variant);
    Path file = fileFor(source, variant);
    if (Files.isRegularFile(file)) {
      try {
        ImageSet cached = read(file, key);
        if (cached != null) {
          return cached;
        }
        LOG.log(
            System.Logger.Level.INFO,
            "bnlab: source or readers changed, rebuilding cache {0}",
            file);
      } catch (IOException | RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "bnlab: damaged cache {0} ({1}), rebuilding", file, e);
      }
    }
    ImageSet set = decode.get();
    try {
      write(file, key, set);
    } catch (IOException e) {
      LOG.log(
          System.Logger.Level.WARNING, "bnlab: cannot write cache {0}: {1}; continuing", file, e);
    }
    return set;
  }

  /**
   * The readers' version in every key: entries decoded by older readers are rebuilt (before version
   * 2, an image folder's test split was numbered by its own class folders).
   */
  private static final String READERS = "readers-2";

  /** The key stored in (and required of) the entry for {@code source} and {@code variant}. */
  static String key(Path source, String variant) {
    return sourceKey(source) + "|" + variant + "|" + READERS;
  }

  /** The cache file used for {@code source} and {@code variant}. */
  public Path fileFor(Path source, String variant) {
    Path abs = source.toAbsolutePath().normalize();
    String base = abs.getFileName() == null ? "root" : abs.getFileName().toString();
    String safe = (base + "-" + variant).replaceAll("[^A-Za-z0-9._-]", "_");
    return folder.resolve(String.format("%s-%08x.bnlds", safe, abs.toString().hashCode()));
  }

  /** Path, size and modification time of a file, or of every file under a folder. */
  static String sourceKey(Path source) {
    Path abs = source.toAbsolutePath().normalize();
    try {
      BasicFileAttributes a = Files.readAttributes(abs, BasicFileAttributes.class);
      if (!a.isDirectory()) {
        return abs + "|" + a.size() + "|" + a.lastModifiedTime().toMillis();
      }
      long[] acc = new long[3];
      try (Stream<Path> s = Files.walk(abs)) {
        s.forEach(p -> accumulate(p, acc));
      }
      return abs + "|dir|" + acc[0] + "|" + acc[1] + "|" + acc[2];
    } catch (NoSuchFileException e) {
      throw new DataException(source, "no such file or folder", e);
    } catch (IOException e) {
      throw new DataException(source, "cannot read attributes: " + e, e);
    }
  }

  private static void accumulate(Path p, long[] acc) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      acc[0]++;
      acc[1] += a.isDirectory() ? 0 : a.size();
      acc[2] = Math.max(acc[2], a.lastModifiedTime().toMillis());
    } catch (IOException e) {
      throw new DataException(p, "cannot read attributes: " + e, e);
    }
  }

  /** Writes {@code set} atomically: temp file in the same folder, fsync, rename. */
  static void write(Path file, String key, ImageSet set) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        writeFully(ch, header(key, set));
        writeFully(ch, labelBytes(set));
        writeFully(ch, ByteBuffer.wrap(set.pixels()));
        CRC32C crc = new CRC32C();
        crc.update(set.pixels());
        writeFully(
            ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, crc.getValue()));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Reads a cache file; null if it was built from a different source key. */
  static ImageSet read(Path file, String key) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer head = readFully(ch, MAGIC.length + 4);
      byte[] magic = new byte[MAGIC.length];
      head.get(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new IOException("not a bnlab cache file (bad magic)");
      }
      String storedKey = readString(ch, head.getInt());
      if (!storedKey.equals(key)) {
        return null;
      }
      ByteBuffer dims = readFully(ch, 20);
      int n = dims.getInt();
      int c = dims.getInt();
      int h = dims.getInt();
      int w = dims.getInt();
      int k = dims.getInt();
      if (k < 0 || k > ch.size()) {
        throw new IOException("corrupt class count " + k);
      }
      List<String> classes = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        classes.add(readString(ch, readFully(ch, 4).getInt()));
      }
      int pixelBytes = pixelBytes(n, c, h, w);
      long expected = ch.position() + 4L * n + pixelBytes + 8;
      if (ch.size() != expected) {
        throw new IOException("length " + ch.size() + ", expected " + expected);
      }
      int[] labels = new int[n];
      readFully(ch, 4 * n).asIntBuffer().get(labels);
      byte[] pixels = new byte[pixelBytes];
      ByteBuffer pb = ByteBuffer.wrap(pixels);
      while (pb.hasRemaining()) {
        if (ch.read(pb) < 0) {
          throw new IOException("truncated");
        }
      }
      CRC32C crc = new CRC32C();
      crc.update(pixels);
      if (readFully(ch, 8).getLong() != crc.getValue()) {
        throw new IOException("checksum mismatch");
      }
      return new ImageSet(pixels, labels, c, h, w, classes);
    }
  }

  /**
   * The pixel bytes of n images of (c, h, w), checked before anything is allocated: the header is
   * data from disk, and products of its numbers can wrap around to a plausible length.
   */
  private static int pixelBytes(int n, int c, int h, int w) throws IOException {
    if (n < 0 || c <= 0 || h <= 0 || w <= 0 || n > Integer.MAX_VALUE / 4) {
      throw new IOException(
          "corrupt header: " + n + " images of (" + c + ", " + h + ", " + w + ")");
    }
    // Every factor is below 2^31, so a product of two checked ones cannot wrap around a long.
    long plane = (long) c * h;
    long image = plane > Integer.MAX_VALUE ? Long.MAX_VALUE : plane * w;
    if (image > Integer.MAX_VALUE || image * n > Integer.MAX_VALUE) {
      throw new IOException(
          "corrupt header: " + n + " images of (" + c + ", " + h + ", " + w + ") overflow");
    }
    return (int) (image * n);
  }

  private static ByteBuffer header(String key, ImageSet set) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    List<byte[]> names =
        set.classes().stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    int len = MAGIC.length + 4 + k.length + 20;
    for (byte[] b : names) {
      len += 4 + b.length;
    }
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(k.length).put(k);
    b.putInt(set.size()).putInt(set.channels()).putInt(set.height()).putInt(set.width());
    b.putInt(names.size());
    for (byte[] name : names) {
      b.putInt(name.length).put(name);
    }
    return b.flip();
  }

  private static ByteBuffer labelBytes(ImageSet set) {
    ByteBuffer b = ByteBuffer.allocate(4 * set.size()).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(set.labels());
    return b;
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static ByteBuffer readFully(FileChannel ch, int n) throws IOException {
    if (n < 0 || n > ch.size() - ch.position()) {
      throw new IOException("corrupt length " + n);
    }
    ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new IOException("truncated");
      }
    }
    return b.flip();
  }

  private static String readString(FileChannel ch, int n) throws IOException {
    ByteBuffer b = readFully(ch, n);
    return StandardCharsets.UTF_8.decode(b).toString();
  }
}
