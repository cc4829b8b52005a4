package bnlab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {
  @TempDir Path tmp;

  /** Checks every pixel and label of {@code set} against the generator, for images first.. */
  static void assertImages(ImageSet set, int first) {
    byte[] img = new byte[set.imageBytes()];
    for (int r = 0; r < set.size(); r++) {
      int i = first + r;
      assertEquals(i % 10, set.label(r), "label of image " + r);
      set.get(r, img, 0);
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            int got = img[(c * 32 + y) * 32 + x] & 0xFF;
            if (got != TestFiles.pixel(i, c, y, x)) {
              throw new AssertionError(
                  "image "
                      + r
                      + " (c,y,x)=("
                      + c
                      + ","
                      + y
                      + ","
                      + x
                      + "): expected "
                      + TestFiles.pixel(i, c, y, x)
                      + ", got "
                      + got);
            }
          }
        }
      }
    }
  }

  @Test
  void readsOfficialFolder() throws IOException {
    Path f = TestFiles.cifarFolder(tmp, 7);
    ImageSet train = Cifar10.readFolder(f, Split.TRAIN);
    assertEquals(35, train.size());
    assertEquals(Cifar10.CLASSES, train.classes());
    assertImages(train, 0);
    ImageSet test = Cifar10.readFolder(f, Split.TEST);
    assertEquals(7, test.size());
    assertImages(test, 1000);
  }

  @Test
  void readsTarGzDirectly() throws IOException {
    Path f = TestFiles.cifarFolder(tmp, 4);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    for (String name :
        new String[] {
          "batches.meta.txt", "test_batch.bin", "data_batch_3.bin", "data_batch_1.bin",
          "data_batch_2.bin", "data_batch_4.bin", "data_batch_5.bin", "readme.html"
        }) {
      Path src = f.resolve(name);
      entries.put(
          Cifar10.FOLDER + "/" + name, Files.exists(src) ? Files.readAllBytes(src) : new byte[3]);
    }
    Path tgz = TestFiles.tarGz(tmp.resolve("cifar-10-binary.tar.gz"), entries);
    ImageSet train = Cifar10.readTarGz(tgz, Split.TRAIN);
    assertEquals(20, train.size());
    assertImages(train, 0); // batches in 1..5 order even though the archive lists them otherwise
    assertImages(Cifar10.readTarGz(tgz, Split.TEST), 1000);
  }

  @Test
  void truncatedBatchNamesFileRecordAndOffset() throws IOException {
    Path f = TestFiles.cifarFolder(tmp, 3);
    Path bad = f.resolve("data_batch_2.bin");
    byte[] b = Files.readAllBytes(bad);
    Files.write(bad, java.util.Arrays.copyOf(b, b.length - 100));
    DataException e = assertThrows(DataException.class, () -> Cifar10.readFolder(f, Split.TRAIN));
    assertTrue(e.getMessage().contains("data_batch_2.bin"), e.getMessage());
    assertTrue(e.getMessage().contains("record 2"), e.getMessage());
    assertTrue(e.getMessage().contains("byte offset " + 2 * 3073), e.getMessage());
  }

  @Test
  void labelOutOfRangeNamesRecord() throws IOException {
    Path f = TestFiles.cifarFolder(tmp, 3);
    Path bad = f.resolve("data_batch_4.bin");
    byte[] b = Files.readAllBytes(bad);
    b[3073] = 10;
    Files.write(bad, b);
    DataException e = assertThrows(DataException.class, () -> Cifar10.readFolder(f, Split.TRAIN));
    assertTrue(e.getMessage().contains("data_batch_4.bin"), e.getMessage());
    assertTrue(e.getMessage().contains("record 1 (byte offset 3073) has label 10"), e.getMessage());
  }

  @Test
  void missingBatchAndMissingFolderAreNamed() throws IOException {
    Path f = TestFiles.cifarFolder(tmp, 2);
    Files.delete(f.resolve("data_batch_5.bin"));
    DataException e = assertThrows(DataException.class, () -> Cifar10.readFolder(f, Split.TRAIN));
    assertTrue(e.getMessage().contains("data_batch_5.bin"), e.getMessage());
    Path none = tmp.resolve("nope");
    e = assertThrows(DataException.class, () -> Cifar10.readFolder(none, Split.TEST));
    assertTrue(e.getMessage().contains(none.toString()), e.getMessage());
  }

  @Test
  void truncatedArchiveIsAnError() throws IOException {
    Path f = TestFiles.cifarFolder(tmp, 50);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put(
        Cifar10.FOLDER + "/test_batch.bin", Files.readAllBytes(f.resolve("test_batch.bin")));
    Path tgz = TestFiles.tarGz(tmp.resolve("c.tar.gz"), entries);
    byte[] all = Files.readAllBytes(tgz);
    Files.write(tgz, java.util.Arrays.copyOf(all, all.length / 2));
    DataException e = assertThrows(DataException.class, () -> Cifar10.readTarGz(tgz, Split.TEST));
    assertTrue(e.getMessage().contains("c.tar.gz"), e.getMessage());
    Files.write(tgz, all);
    e = assertThrows(DataException.class, () -> Cifar10.readTarGz(tgz, Split.TRAIN));
    assertTrue(e.getMessage().contains("data_batch_1.bin"), e.getMessage());
  }

  private static final long MIB = 1 << 20;

  /**
   * A file of {@code size} bytes that takes no disk space (a hole), as a stand-in for a huge one.
   */
  private static void sparse(Path file, long size) throws IOException {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
    }
  }

  @Test
  void cifarBatchFileLargerThanOneArrayIsRefusedBeforeReading() throws IOException {
    Path f = TestFiles.cifarFolder(tmp, 2);
    Path huge = f.resolve("data_batch_3.bin");
    sparse(huge, 3073L * 1_000_000); // 3 GB
    DataException e =
        Allocation.assertRefusedWithin(
            MIB, DataException.class, () -> Cifar10.readFolder(f, Split.TRAIN));
    assertTrue(e.getMessage().contains("data_batch_3.bin"), e.getMessage());
    assertTrue(e.getMessage().contains("3073000000 bytes"), e.getMessage());
  }

  @Test
  void cifarSplitLargerThanOneArrayIsRefusedBeforeReading() throws IOException {
    Path f = TestFiles.cifarFolder(tmp, 2);
    sparse(f.resolve("data_batch_1.bin"), 3073L * 358_000); // 1.1 GB each, 2.2 GB together
    sparse(f.resolve("data_batch_2.bin"), 3073L * 358_000);
    DataException e =
        Allocation.assertRefusedWithin(
            MIB, DataException.class, () -> Cifar10.readFolder(f, Split.TRAIN));
    assertTrue(e.getMessage().contains("at least 716000 images"), e.getMessage());
  }

  @Test
  void cifarArchiveEntryClaimingMoreThanASplitHoldsIsRefusedFromItsHeader() throws IOException {
    Path tgz =
        TestFiles.tarGzClaiming(
            tmp.resolve("claims.tar.gz"),
            Cifar10.FOLDER + "/test_batch.bin",
            3073L * 1_000_000,
            TestFiles.cifarRecords(0, 3));
    DataException e =
        Allocation.assertRefusedWithin(
            8 * MIB, DataException.class, () -> Cifar10.readTarGz(tgz, Split.TEST));
    assertTrue(e.getMessage().contains("test_batch.bin claims 3073000000 bytes"), e.getMessage());
  }
}
