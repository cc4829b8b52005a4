package bnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
  @TempDir Path tmp;

  private static final int N = 6;
  private static final int H = 4;
  private static final int W = 5;

  static byte[] pixels() {
    byte[] p = new byte[N * H * W];
    for (int i = 0; i < p.length; i++) {
      p[i] = (byte) (i * 13 + 1);
    }
    return p;
  }

  static byte[] labels() {
    return new byte[] {9, 0, 3, 3, 7, 1};
  }

  private Path write(String name, byte[] b) throws IOException {
    return Files.write(tmp.resolve(name), name.endsWith(".gz") ? TestFiles.gzip(b) : b);
  }

  private Path images(String name) throws IOException {
    return write(name, TestFiles.idx(0x803, new int[] {N, H, W}, pixels()));
  }

  private Path labelFile(String name) throws IOException {
    return write(name, TestFiles.idx(0x801, new int[] {N}, labels()));
  }

  private void assertContent(ImageSet s) {
    assertEquals(N, s.size());
    assertEquals(1, s.channels());
    assertEquals(H, s.height());
    assertEquals(W, s.width());
    assertArrayEquals(pixels(), s.pixels());
    for (int i = 0; i < N; i++) {
      assertEquals(labels()[i], s.label(i), "label " + i);
    }
  }

  @Test
  void readsPlainAndGzip() throws IOException {
    assertContent(
        Idx.read(images("a-idx3-ubyte"), labelFile("b-idx1-ubyte"), FashionMnist.CLASSES));
    assertContent(
        Idx.read(images("a-idx3-ubyte.gz"), labelFile("b-idx1-ubyte.gz"), FashionMnist.CLASSES));
  }

  @Test
  void readsMnistFolderLayout() throws IOException {
    images("train-images-idx3-ubyte.gz");
    labelFile("train-labels-idx1-ubyte.gz");
    images("t10k-images-idx3-ubyte");
    labelFile("t10k-labels-idx1-ubyte");
    assertContent(FashionMnist.read(tmp, Split.TRAIN));
    assertContent(FashionMnist.read(tmp, Split.TEST));
  }

  @Test
  void wrongMagicIsNamed() throws IOException {
    Path img = write("x-idx3-ubyte", TestFiles.idx(0x801, new int[] {N, H, W}, pixels()));
    Path lab = labelFile("y-idx1-ubyte");
    DataException e =
        assertThrows(DataException.class, () -> Idx.read(img, lab, FashionMnist.CLASSES));
    assertTrue(e.getMessage().contains("x-idx3-ubyte"), e.getMessage());
    assertTrue(e.getMessage().contains("magic number 0x00000801"), e.getMessage());
    // Swapped arguments: a label file where images are expected.
    e = assertThrows(DataException.class, () -> Idx.read(lab, lab, FashionMnist.CLASSES));
    assertTrue(e.getMessage().contains("wrong IDX magic"), e.getMessage());
  }

  @Test
  void wrongDimensionsAreNamed() throws IOException {
    // Header says 7 images but only 6 are stored: truncated.
    Path img = write("t-idx3-ubyte", TestFiles.idx(0x803, new int[] {N + 1, H, W}, pixels()));
    Path lab = labelFile("l-idx1-ubyte");
    DataException e =
        assertThrows(DataException.class, () -> Idx.read(img, lab, FashionMnist.CLASSES));
    assertTrue(e.getMessage().contains("t-idx3-ubyte"), e.getMessage());
    assertTrue(e.getMessage().contains("ends at byte offset " + (16 + N * H * W)), e.getMessage());
    // Header says 5 images but 6 are stored: bytes left over.
    Path img2 = write("u-idx3-ubyte", TestFiles.idx(0x803, new int[] {N - 1, H, W}, pixels()));
    e = assertThrows(DataException.class, () -> Idx.read(img2, lab, FashionMnist.CLASSES));
    assertTrue(e.getMessage().contains("bytes after the end"), e.getMessage());
    // Label count differs from image count.
    Path img3 =
        write(
            "v-idx3-ubyte",
            TestFiles.idx(
                0x803, new int[] {N - 1, H, W}, Arrays.copyOf(pixels(), (N - 1) * H * W)));
    e = assertThrows(DataException.class, () -> Idx.read(img3, lab, FashionMnist.CLASSES));
    assertTrue(e.getMessage().contains("l-idx1-ubyte: holds 6 labels"), e.getMessage());
    // A zero dimension.
    Path img4 = write("w-idx3-ubyte", TestFiles.idx(0x803, new int[] {N, 0, W}, new byte[0]));
    e = assertThrows(DataException.class, () -> Idx.read(img4, lab, FashionMnist.CLASSES));
    assertTrue(e.getMessage().contains("dimension 1 is 0"), e.getMessage());
  }

  @Test
  void truncatedGzipAndHeader() throws IOException {
    byte[] gz = TestFiles.gzip(TestFiles.idx(0x803, new int[] {N, H, W}, pixels()));
    Path img = Files.write(tmp.resolve("g-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length - 12));
    Path lab = labelFile("l-idx1-ubyte");
    DataException e =
        assertThrows(DataException.class, () -> Idx.read(img, lab, FashionMnist.CLASSES));
    assertTrue(e.getMessage().contains("g-idx3-ubyte.gz"), e.getMessage());
    Path tiny = Files.write(tmp.resolve("h-idx3-ubyte"), new byte[] {0, 0, 8});
    e = assertThrows(DataException.class, () -> Idx.read(tiny, lab, FashionMnist.CLASSES));
    assertTrue(e.getMessage().contains("h-idx3-ubyte: truncated"), e.getMessage());
  }

  @Test
  void labelOutOfRangeNamesRecordAndOffset() throws IOException {
    byte[] l = labels();
    l[4] = 10;
    Path lab = write("bad-idx1-ubyte", TestFiles.idx(0x801, new int[] {N}, l));
    Path img = images("i-idx3-ubyte");
    DataException e =
        assertThrows(DataException.class, () -> Idx.read(img, lab, FashionMnist.CLASSES));
    assertTrue(
        e.getMessage().contains("bad-idx1-ubyte: label 10 of record 4 (byte offset 12)"),
        e.getMessage());
  }

  @Test
  void missingFileIsNamed() {
    Path none = tmp.resolve("none-idx3-ubyte");
    DataException e =
        assertThrows(DataException.class, () -> Idx.read(none, none, FashionMnist.CLASSES));
    assertTrue(e.getMessage().contains(none.toString()), e.getMessage());
  }

  private static final long MIB = 1 << 20;

  @Test
  void idxHeaderWhoseDimensionsOverflowIsRefusedInOneLine() throws IOException {
    // The 16 bytes of issue #12: 0x77000054 x 0x25000000 x 0x1ce59bf7 wraps past 2^63.
    byte[] header = {
      0, 0, 8, 3, 0x77, 0, 0, 0x54, 0x25, 0, 0, 0, 0x1c, (byte) 0xe5, (byte) 0x9b, (byte) 0xf7
    };
    Path img = write("overflow-idx3-ubyte", header);
    Path lab = labelFile("l-idx1-ubyte");
    DataException e =
        Allocation.assertRefusedWithin(
            MIB, DataException.class, () -> Idx.read(img, lab, FashionMnist.CLASSES));
    assertTrue(e.getMessage().contains("overflow-idx3-ubyte"), e.getMessage());
    assertTrue(e.getMessage().contains("[1996488788, 620756992, 484809719]"), e.getMessage());
  }

  @Test
  void idxHeaderClaimingMoreThanTheFileHoldsIsRefusedBeforeAllocating() throws IOException {
    // 2,000,000 images of 32x32 = 2,048,000,000 pixels claimed, 78 KB present.
    byte[] present = new byte[78_000];
    byte[] file = TestFiles.idx(0x803, new int[] {2_000_000, 32, 32}, present);
    Path plain = write("claims-idx3-ubyte", file);
    Path lab = labelFile("l-idx1-ubyte");
    DataException e =
        Allocation.assertRefusedWithin(
            8 * MIB, DataException.class, () -> Idx.read(plain, lab, FashionMnist.CLASSES));
    assertTrue(e.getMessage().contains("claims-idx3-ubyte: truncated"), e.getMessage());
    assertTrue(e.getMessage().contains("2048000000 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("ends at byte offset 78016"), e.getMessage());
    // Compressed, the length is unknown until the stream ends: memory follows what arrives.
    Path gz = write("claims-idx3-ubyte.gz", file);
    e =
        Allocation.assertRefusedWithin(
            8 * MIB, DataException.class, () -> Idx.read(gz, lab, FashionMnist.CLASSES));
    assertTrue(e.getMessage().contains("ends at byte offset 78016"), e.getMessage());
  }
}
