package bnlab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
  @TempDir Path tmp;

  // Class folders deliberately created out of order; image i goes to class CLASS_OF[i].
  private static final String[] FOLDERS = {"zebra", "ant", "moth"};
  private static final int W = 6;
  private static final int H = 5;

  /** Writes root/<split>/<class>/<nn>.png for 3 images per class; returns the root. */
  private Path pngFolder() throws IOException {
    for (Split s : Split.values()) {
      for (int k = 0; k < FOLDERS.length; k++) {
        Path dir =
            Files.createDirectories(tmp.resolve("root").resolve(s.folder()).resolve(FOLDERS[k]));
        for (int j = 2; j >= 0; j--) { // written in reverse to check the sort
          int id = imageId(FOLDERS[k], j);
          Files.write(
              dir.resolve("im" + j + ".png"),
              TestFiles.encode(TestFiles.rgbImage(id, W, H), "png"));
        }
      }
    }
    return tmp.resolve("root");
  }

  private static int imageId(String folder, int j) {
    return folder.length() * 10 + folder.charAt(0) + j;
  }

  /** Image r of the sorted layout must equal the pattern of its id, exactly (PNG is lossless). */
  private static void assertSorted(ImageSet set, List<String> classOrder) {
    assertEquals(classOrder, set.classes());
    assertEquals(classOrder.size() * 3, set.size());
    byte[] img = new byte[set.imageBytes()];
    for (int r = 0; r < set.size(); r++) {
      int k = r / 3;
      int j = r % 3;
      assertEquals(k, set.label(r), "label of image " + r);
      int id = imageId(classOrder.get(k), j);
      set.get(r, img, 0);
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < H; y++) {
          for (int x = 0; x < W; x++) {
            int got = img[(c * H + y) * W + x] & 0xFF;
            assertEquals(
                TestFiles.pixel(id, c, y, x), got, "image " + r + " c" + c + " y" + y + " x" + x);
          }
        }
      }
    }
  }

  @Test
  void classesSortedLikeTorchvision() throws IOException {
    ImageSet s = ImageFolder.read(pngFolder(), Split.TRAIN);
    assertSorted(s, List.of("ant", "moth", "zebra"));
    assertEquals(3, s.channels());
    assertEquals(H, s.height());
    assertEquals(W, s.width());
  }

  @Test
  void explicitClassOrder() throws IOException {
    Path root = pngFolder();
    List<String> order = List.of("zebra", "ant", "moth");
    assertSorted(ImageFolder.readFlat(root.resolve("test"), order), order);
    DataException e =
        assertThrows(
            DataException.class,
            () -> ImageFolder.readFlat(root.resolve("test"), List.of("ant", "moth")));
    assertTrue(e.getMessage().contains("zebra"), e.getMessage());
  }

  @Test
  void tarGzOfFolder() throws IOException {
    Path root = pngFolder();
    Map<String, byte[]> entries = new LinkedHashMap<>();
    for (Split s : Split.values()) {
      for (String f : FOLDERS) {
        for (int j = 0; j < 3; j++) {
          String name = s.folder() + "/" + f + "/im" + j + ".png";
          entries.put(name, Files.readAllBytes(root.resolve(name)));
        }
      }
    }
    Path tgz = TestFiles.tarGz(tmp.resolve("set.tar.gz"), entries);
    assertSorted(ImageFolder.readTarGz(tgz, Split.TRAIN, null), List.of("ant", "moth", "zebra"));
    assertSorted(
        ImageFolder.readTarGz(tgz, Split.TEST, List.of("moth", "zebra", "ant")),
        List.of("moth", "zebra", "ant"));
  }

  @Test
  void jpegAndGreyAreConvertedToRgb() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("j/a"));
    BufferedImage flat = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        flat.setRGB(x, y, (200 << 16) | (100 << 8) | 50);
      }
    }
    Files.write(dir.resolve("a.jpg"), TestFiles.encode(flat, "jpg"));
    BufferedImage grey = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(3, 2, 0, 77);
    Files.write(
        Files.createDirectories(tmp.resolve("j/b")).resolve("b.png"),
        TestFiles.encode(grey, "png"));
    ImageSet s = ImageFolder.readFlat(tmp.resolve("j"), null);
    byte[] img = new byte[s.imageBytes()];
    s.get(0, img, 0);
    int[] expect = {200, 100, 50};
    for (int c = 0; c < 3; c++) {
      for (int p = 0; p < 64; p++) {
        int got = img[c * 64 + p] & 0xFF;
        assertTrue(
            Math.abs(got - expect[c]) <= 3, "jpeg channel " + c + " pixel " + p + ": " + got);
      }
    }
    s.get(1, img, 0);
    for (int c = 0; c < 3; c++) {
      assertEquals(77, img[c * 64 + 2 * 8 + 3] & 0xFF, "grey replicated into channel " + c);
      assertEquals(0, img[c * 64] & 0xFF);
    }
  }

  @Test
  void emptyClassFolderIsNamed() throws IOException {
    Path root = pngFolder();
    Path empty = Files.createDirectories(root.resolve("train/bee"));
    Files.writeString(empty.resolve("notes.txt"), "not an image");
    DataException e = assertThrows(DataException.class, () -> ImageFolder.read(root, Split.TRAIN));
    assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("holds no"), e.getMessage());
  }

  @Test
  void unreadableImageIsNamed() throws IOException {
    Path root = pngFolder();
    Path bad = root.resolve("train/moth/im1.png");
    Files.writeString(bad, "this is not a PNG");
    DataException e = assertThrows(DataException.class, () -> ImageFolder.read(root, Split.TRAIN));
    assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    // Truncated PNG: a valid header with the rest cut off.
    byte[] good = TestFiles.encode(TestFiles.rgbImage(1, W, H), "png");
    Files.write(bad, java.util.Arrays.copyOf(good, 40));
    e = assertThrows(DataException.class, () -> ImageFolder.read(root, Split.TRAIN));
    assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
  }

  @Test
  void wronglySizedImageIsNamed() throws IOException {
    Path root = pngFolder();
    Path bad = root.resolve("train/zebra/im2.png");
    Files.write(bad, TestFiles.encode(TestFiles.rgbImage(1, W + 1, H), "png"));
    DataException e = assertThrows(DataException.class, () -> ImageFolder.read(root, Split.TRAIN));
    assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("is 7x5, expected 6x5"), e.getMessage());
  }

  @Test
  void badEntryInArchiveIsNamed() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("data/train/a/0.png", TestFiles.encode(TestFiles.rgbImage(1, W, H), "png"));
    entries.put("data/train/b/0.png", "garbage".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Path tgz = TestFiles.tarGz(tmp.resolve("bad.tar.gz"), entries);
    DataException e =
        assertThrows(DataException.class, () -> ImageFolder.readTarGz(tgz, Split.TRAIN, null));
    assertTrue(e.getMessage().contains("bad.tar.gz!/data/train/b/0.png"), e.getMessage());
    e = assertThrows(DataException.class, () -> ImageFolder.readTarGz(tgz, Split.TEST, null));
    assertTrue(e.getMessage().contains("no test/<class>/"), e.getMessage());
    entries.put("data/train/b/0.png", TestFiles.encode(TestFiles.rgbImage(2, W, H), "png"));
    entries.put("data/train/c/", new byte[0]);
    Path withEmpty = TestFiles.tarGz(tmp.resolve("empty-class.tar.gz"), entries);
    e =
        assertThrows(
            DataException.class, () -> ImageFolder.readTarGz(withEmpty, Split.TRAIN, null));
    assertTrue(e.getMessage().contains("train/c holds no images"), e.getMessage());
    assertThrows(
        DataException.class,
        () -> ImageFolder.readTarGz(withEmpty, Split.TRAIN, List.of("a", "b", "c")));
    assertEquals(2, ImageFolder.readTarGz(tgzWithout(entries), Split.TRAIN, null).size());
  }

  private Path tgzWithout(Map<String, byte[]> entries) throws IOException {
    Map<String, byte[]> copy = new LinkedHashMap<>(entries);
    copy.remove("data/train/c/");
    return TestFiles.tarGz(tmp.resolve("fixed.tar.gz"), copy);
  }

  @Test
  void nonexistentPathIsNamed() {
    Path none = tmp.resolve("missing");
    DataException e = assertThrows(DataException.class, () -> ImageFolder.read(none, Split.TRAIN));
    assertTrue(e.getMessage().contains(none.resolve("train").toString()), e.getMessage());
    e = assertThrows(DataException.class, () -> ImageFolder.readTarGz(none, Split.TRAIN, null));
    assertTrue(e.getMessage().contains(none.toString()), e.getMessage());
  }

  private static final long MIB = 1 << 20;

  @Test
  void pngHeaderClaiming20000x20000IsRefusedBeforeDecoding() throws IOException {
    Path root = pngFolder();
    Path huge = root.resolve("train/moth/im1.png");
    Files.write(huge, TestFiles.pngClaiming(20_000, 20_000));
    DataException e =
        Allocation.assertRefusedWithin(
            16 * MIB, DataException.class, () -> ImageFolder.read(root, Split.TRAIN));
    assertTrue(e.getMessage().contains(huge.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("is 20000x20000, expected 6x5"), e.getMessage());
    // As the first image, nothing says what size to expect: the absolute cap refuses it.
    Path first = root.resolve("train/ant/im0.png");
    Files.write(first, TestFiles.pngClaiming(20_000, 20_000));
    e =
        Allocation.assertRefusedWithin(
            16 * MIB, DataException.class, () -> ImageFolder.read(root, Split.TRAIN));
    assertTrue(e.getMessage().contains(first.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("20000x20000"), e.getMessage());
  }

  @Test
  void imageHeaderClaimingMorePixelsThanItsBytesCanHoldIsRefused() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("flat/a"));
    Files.createDirectories(tmp.resolve("flat/b"));
    Files.write(dir.resolve("0.png"), TestFiles.pngClaiming(2000, 2000)); // 4 Mpx in 70 bytes
    Files.write(
        tmp.resolve("flat/b/0.png"), TestFiles.encode(TestFiles.rgbImage(0, 2000, 2000), "png"));
    DataException e =
        Allocation.assertRefusedWithin(
            4 * MIB, DataException.class, () -> ImageFolder.readFlat(tmp.resolve("flat"), null));
    assertTrue(e.getMessage().contains("0.png"), e.getMessage());
    assertTrue(e.getMessage().contains("more pixels than its"), e.getMessage());
  }

  @Test
  void truncatedJpegIsRefusedRatherThanFilledIn() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("j/a"));
    Files.createDirectories(tmp.resolve("j/b"));
    byte[] jpg = TestFiles.encode(TestFiles.rgbImage(3, 64, 64), "jpg");
    Files.write(dir.resolve("0.jpg"), jpg);
    Path cut = tmp.resolve("j/b/0.jpg");
    Files.write(cut, java.util.Arrays.copyOf(jpg, jpg.length * 2 / 3));
    DataException e =
        assertThrows(DataException.class, () -> ImageFolder.readFlat(tmp.resolve("j"), null));
    assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
  }

  @Test
  void onlyJpegAndPngContentIsDecoded() throws IOException {
    Path root = pngFolder();
    Path bmp = root.resolve("train/moth/im1.png");
    Files.write(bmp, TestFiles.encode(TestFiles.rgbImage(1, W, H), "bmp"));
    DataException e = assertThrows(DataException.class, () -> ImageFolder.read(root, Split.TRAIN));
    assertTrue(e.getMessage().contains(bmp.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("neither a JPEG nor a PNG"), e.getMessage());
  }

  @Test
  void imageFolderWithOneClassIsRefused() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("one/train/cat"));
    Files.write(dir.resolve("0.png"), TestFiles.encode(TestFiles.rgbImage(0, W, H), "png"));
    DataException e =
        assertThrows(DataException.class, () -> ImageFolder.read(tmp.resolve("one"), Split.TRAIN));
    assertTrue(e.getMessage().contains(tmp.resolve("one/train").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("1 class folder (cat)"), e.getMessage());
    Path tgz =
        TestFiles.tarGz(
            tmp.resolve("one.tar.gz"),
            Map.of("train/cat/0.png", Files.readAllBytes(dir.resolve("0.png"))));
    e = assertThrows(DataException.class, () -> ImageFolder.readTarGz(tgz, Split.TRAIN, null));
    assertTrue(e.getMessage().contains("1 class folder (cat)"), e.getMessage());
  }

  /** Every entry of the folder at {@code root} under its relative name, sorted. */
  private static Map<String, byte[]> entriesOf(Path root) throws IOException {
    Map<String, byte[]> entries = new java.util.TreeMap<>();
    try (java.util.stream.Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        entries.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    return entries;
  }

  @Test
  void testSplitLackingATrainingClassKeepsTheTrainingNumbering() throws IOException {
    Path root = pngFolder();
    java.nio.file.Path ant = root.resolve("test/ant");
    try (java.util.stream.Stream<Path> s = Files.list(ant)) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(ant);
    Path tgz = TestFiles.tarGz(tmp.resolve("set.tar.gz"), entriesOf(root));
    for (ImageSet test :
        List.of(ImageFolder.read(root, Split.TEST), ImageFolder.readTarGz(tgz, Split.TEST, null))) {
      assertEquals(List.of("ant", "moth", "zebra"), test.classes());
      assertEquals(6, test.size());
      for (int i = 0; i < 6; i++) {
        assertEquals(
            1 + i / 3, test.label(i), "image " + i + ": moth is 1 and zebra 2, as in train");
      }
    }
  }

  @Test
  void testClassUnknownToTrainingIsRefusedNamingIt() throws IOException {
    Path root = pngFolder();
    Path bee = Files.createDirectories(root.resolve("test/bee"));
    Files.write(bee.resolve("0.png"), TestFiles.encode(TestFiles.rgbImage(0, W, H), "png"));
    DataException e = assertThrows(DataException.class, () -> ImageFolder.read(root, Split.TEST));
    assertTrue(e.getMessage().contains(bee.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("training split"), e.getMessage());
    Path tgz = TestFiles.tarGz(tmp.resolve("set.tar.gz"), entriesOf(root));
    e = assertThrows(DataException.class, () -> ImageFolder.readTarGz(tgz, Split.TEST, null));
    assertTrue(e.getMessage().contains("class folder bee"), e.getMessage());
    assertTrue(e.getMessage().contains("training split"), e.getMessage());
  }
}
