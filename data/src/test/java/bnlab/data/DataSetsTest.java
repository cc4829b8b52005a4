package bnlab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSetsTest {
  @TempDir Path tmp;

  @Test
  void trainingSplitWithImagesOfOneClassIsRefused() throws IOException {
    Path f = TestFiles.cifarFolder(tmp, 3);
    for (String name : Cifar10.batchFiles(Split.TRAIN)) {
      byte[] b = Files.readAllBytes(f.resolve(name));
      for (int off = 0; off < b.length; off += Cifar10.RECORD) {
        b[off] = 6; // every image a frog
      }
      Files.write(f.resolve(name), b);
    }
    DataFinder.Found found = new DataFinder(f, List.of()).find("cifar10");
    DataCache cache = new DataCache(tmp.resolve("cache"));
    DataException e =
        assertThrows(DataException.class, () -> DataSets.load(found, Split.TRAIN, cache));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("1 class (frog: 15 images)"), e.getMessage());
    // The test split may hold any classes of the list: it is only scored.
    assertEquals(3, DataSets.load(found, Split.TEST, cache).size());
  }

  @Test
  void cachedTestSplitOfAnImageFolderIsNumberedByTheTrainingClasses() throws IOException {
    for (String dir : List.of("train/ant", "train/bee", "test/bee")) {
      Path d = Files.createDirectories(tmp.resolve("set").resolve(dir));
      Files.write(d.resolve("0.png"), TestFiles.encode(TestFiles.rgbImage(1, 4, 4), "png"));
    }
    DataFinder.Found found = new DataFinder(tmp.resolve("set"), List.of()).find("folder");
    DataCache cache = new DataCache(tmp.resolve("cache"));
    for (int pass = 0; pass < 2; pass++) { // decoded, then from the cache
      ImageSet test = DataSets.load(found, Split.TEST, cache);
      assertEquals(List.of("ant", "bee"), test.classes());
      assertEquals(1, test.label(0), "bee is label 1 in training, pass " + pass);
    }
  }
}
