package bnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCacheTest {
  @TempDir Path tmp;

  private static ImageSet small(int seed) {
    byte[] px = new byte[4 * 2 * 3 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * 7 + seed);
    }
    return new ImageSet(px, new int[] {0, 1, 1, 0}, 2, 3, 3, List.of("a", "b"));
  }

  private static void assertSameContent(ImageSet a, ImageSet b) {
    assertArrayEquals(a.pixels(), b.pixels());
    assertArrayEquals(a.labels(), b.labels());
    assertEquals(a.classes(), b.classes());
    assertEquals(a.channels(), b.channels());
    assertEquals(a.height(), b.height());
    assertEquals(a.width(), b.width());
  }

  private List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void decodesOnceThenReadsCacheAndRebuildsWhenSourceChanges() throws IOException {
    Path src = Files.writeString(tmp.resolve("source.bin"), "v1");
    DataCache cache = new DataCache(tmp.resolve("cache"));
    AtomicInteger decodes = new AtomicInteger();
    ImageSet first =
        cache.load(
            src,
            "train",
            () -> {
              decodes.incrementAndGet();
              return small(1);
            });
    assertEquals(1, decodes.get());
    ImageSet again =
        cache.load(
            src,
            "train",
            () -> {
              decodes.incrementAndGet();
              return small(1);
            });
    assertEquals(1, decodes.get(), "second load must come from the cache");
    assertNotSame(first, again);
    assertSameContent(small(1), again);
    // Another variant is a separate entry.
    cache.load(
        src,
        "test",
        () -> {
          decodes.incrementAndGet();
          return small(3);
        });
    assertEquals(2, decodes.get());
    // Same size, new modification time: rebuilt.
    Files.setLastModifiedTime(
        src, FileTime.fromMillis(Files.getLastModifiedTime(src).toMillis() + 5000));
    ImageSet rebuilt =
        cache.load(
            src,
            "train",
            () -> {
              decodes.incrementAndGet();
              return small(2);
            });
    assertEquals(3, decodes.get());
    assertSameContent(small(2), rebuilt);
    // New size: rebuilt.
    Files.writeString(src, "version 2");
    cache.load(
        src,
        "train",
        () -> {
          decodes.incrementAndGet();
          return small(2);
        });
    assertEquals(4, decodes.get());
    for (Path p : files(tmp.resolve("cache"))) {
      assertTrue(p.toString().endsWith(".bnlds"), "no temporary files left: " + p);
    }
  }

  @Test
  void folderSourceKeyFollowsItsFiles() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("imgs/train/a"));
    Files.writeString(dir.resolve("1.png"), "x");
    String k1 = DataCache.sourceKey(tmp.resolve("imgs"));
    Files.writeString(dir.resolve("2.png"), "y");
    assertFalse(
        k1.equals(DataCache.sourceKey(tmp.resolve("imgs"))), "adding a file changes the key");
  }

  @Test
  void damagedCacheIsRebuilt() throws IOException {
    Path src = Files.writeString(tmp.resolve("s"), "v1");
    DataCache cache = new DataCache(tmp.resolve("cache"));
    cache.load(src, "train", () -> small(1));
    Path file = cache.fileFor(src, "train");
    byte[] b = Files.readAllBytes(file);
    b[b.length - 20] ^= 0x55; // a pixel byte: checksum mismatch
    Files.write(file, b);
    AtomicInteger decodes = new AtomicInteger();
    assertSameContent(
        small(1),
        cache.load(
            src,
            "train",
            () -> {
              decodes.incrementAndGet();
              return small(1);
            }));
    assertEquals(1, decodes.get());
    Files.write(file, java.util.Arrays.copyOf(b, b.length / 2)); // truncated
    assertSameContent(
        small(1),
        cache.load(
            src,
            "train",
            () -> {
              decodes.incrementAndGet();
              return small(1);
            }));
    assertEquals(2, decodes.get());
  }

  @Test
  void failedDecodeLeavesNoCacheFile() throws IOException {
    Path src = Files.writeString(tmp.resolve("s"), "v1");
    DataCache cache = new DataCache(tmp.resolve("cache"));
    assertThrows(
        DataException.class,
        () ->
            cache.load(
                src,
                "train",
                () -> {
                  throw new DataException(src, "broken");
                }));
    assertFalse(Files.exists(cache.fileFor(src, "train")));
  }

  @Test
  void missingSourceIsNamed() {
    Path none = tmp.resolve("none.tar.gz");
    DataException e =
        assertThrows(
            DataException.class, () -> new DataCache(tmp).load(none, "train", () -> small(0)));
    assertTrue(e.getMessage().contains(none.toString()), e.getMessage());
  }

  @Test
  void unwritableCacheStillReturnsData() throws IOException {
    Path src = Files.writeString(tmp.resolve("s"), "v1");
    Path blocker = Files.writeString(tmp.resolve("file-not-folder"), "x");
    ImageSet s = new DataCache(blocker.resolve("sub")).load(src, "train", () -> small(4));
    assertSameContent(small(4), s);
  }

  @Test
  void cifarTarGzThroughCacheMatchesDirectRead() throws IOException {
    Path f = TestFiles.cifarFolder(tmp, 5);
    java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
    for (String n : Cifar10.batchFiles(Split.TRAIN)) {
      entries.put(Cifar10.FOLDER + "/" + n, Files.readAllBytes(f.resolve(n)));
    }
    Path tgz = TestFiles.tarGz(tmp.resolve("cifar-10-binary.tar.gz"), entries);
    DataFinder.Found found = new DataFinder(tgz, List.of()).find("cifar10");
    assertEquals(DataFinder.Format.CIFAR_BINARY_TAR_GZ, found.format());
    DataCache cache = new DataCache(tmp.resolve("c"));
    ImageSet viaCache = DataSets.load(found, Split.TRAIN, cache);
    ImageSet fromCache = DataSets.load(found, Split.TRAIN, cache);
    assertSame(fromCache.getClass(), viaCache.getClass());
    assertSameContent(Cifar10.readFolder(f, Split.TRAIN), fromCache);
  }

  /**
   * A cache entry for {@code src} whose header claims 1 image of (2^30, 2^30, 16): 2^64 pixel
   * bytes, which wrap to 0 in 64-bit arithmetic, so the file's length looks right.
   */
  private static byte[] entryWithOverflowingShape(Path src) {
    byte[] key = DataCache.key(src, "train").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(8 + 4 + key.length + 20 + 2 * 5 + 4 + 8)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("BNLDATA1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    b.putInt(key.length).put(key);
    b.putInt(1).putInt(1 << 30).putInt(1 << 30).putInt(16).putInt(2);
    b.putInt(1).put((byte) 'a').putInt(1).put((byte) 'b');
    b.putInt(0); // the label of the one image; no pixel bytes
    b.putLong(new java.util.zip.CRC32C().getValue()); // checksum of no bytes
    return b.array();
  }

  @Test
  void cacheEntryWhoseShapeOverflowsIsRebuilt() throws IOException {
    Path src = Files.writeString(tmp.resolve("s"), "v1");
    DataCache cache = new DataCache(tmp.resolve("cache"));
    Path file = cache.fileFor(src, "train");
    Files.createDirectories(file.getParent());
    Files.write(file, entryWithOverflowingShape(src));
    AtomicInteger decodes = new AtomicInteger();
    ImageSet s =
        cache.load(
            src,
            "train",
            () -> {
              decodes.incrementAndGet();
              return small(2);
            });
    assertEquals(1, decodes.get(), "a damaged entry must be decoded again");
    assertSameContent(small(2), s);
  }

  @Test
  void imageSetWhoseShapeOverflowsIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ImageSet(new byte[0], new int[] {0}, 1 << 30, 1 << 30, 16, List.of("a", "b")));
    assertTrue(e.getMessage().contains("(1073741824, 1073741824, 16)"), e.getMessage());
  }

  @Test
  void entriesWrittenByOlderReadersAreRebuilt() throws IOException {
    Path src = Files.writeString(tmp.resolve("s"), "v1");
    DataCache cache = new DataCache(tmp.resolve("cache"));
    Path file = cache.fileFor(src, "test");
    DataCache.write(file, DataCache.sourceKey(src) + "|test", small(1)); // the old key
    AtomicInteger decodes = new AtomicInteger();
    ImageSet s =
        cache.load(
            src,
            "test",
            () -> {
              decodes.incrementAndGet();
              return small(2);
            });
    assertEquals(1, decodes.get());
    assertSameContent(small(2), s);
  }
}
