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
    Path dir = Files.createDirectories(tmp.resolve("j/only"));
    BufferedImage flat = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        flat.setRGB(x, y, (200 << 16) | (100 << 8) | 50);
      }
    }
    Files.write(dir.resolve("a.jpg"), TestFiles.encode(flat, "jpg"));
    BufferedImage grey = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(3, 2, 0, 77);
    Files.write(dir.resolve("b.png"), TestFiles.encode(grey, "png"));
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
}
