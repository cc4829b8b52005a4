package bnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The real data sets, when present: CIFAR-10 from {@code ../shared/datasets/} (decoded once into
 * {@code target/bnlab-test-cache}, later runs read the cache) and Fashion-MNIST from Debian's
 * package. Skipped, with the reason, when the data is absent.
 */
class RealDataTest {
  private static final Path CACHE = Path.of("target", "bnlab-test-cache");

  private static Optional<DataFinder.Found> findCifar() {
    Path wd = Path.of("").toAbsolutePath();
    List<Path> places = new ArrayList<>();
    places.add(wd.resolve("../shared/datasets").normalize());
    DataFinder.projectRoot(wd)
        .ifPresent(r -> places.add(r.resolve("../shared/datasets").normalize()));
    try {
      return Optional.of(new DataFinder(null, places).find("cifar10"));
    } catch (DataException e) {
      return Optional.empty();
    }
  }

  @Test
  void cifar10CountsAndChannelMeans() {
    Optional<DataFinder.Found> found = findCifar();
    assumeTrue(found.isPresent(), "CIFAR-10 not found in ../shared/datasets: test skipped");
    DataCache cache = new DataCache(CACHE);
    ImageSet train = DataSets.load(found.get(), Split.TRAIN, cache);
    ImageSet test = DataSets.load(found.get(), Split.TEST, cache);
    assertEquals(50_000, train.size());
    assertEquals(10_000, test.size());
    assertEquals(Cifar10.CLASSES, train.classes());
    int[] five = new int[10];
    java.util.Arrays.fill(five, 5000);
    assertArrayEquals(five, train.classCounts());
    int[] one = new int[10];
    java.util.Arrays.fill(one, 1000);
    assertArrayEquals(one, test.classCounts());
    assertEquals(3, train.channels());
    assertEquals(32, train.height());
    assertEquals(32, train.width());

    double[] sum = new double[3];
    double[] sq = new double[3];
    byte[] px = train.pixels();
    for (int i = 0; i < train.size(); i++) {
      for (int c = 0; c < 3; c++) {
        for (int p = 0, o = i * 3072 + c * 1024; p < 1024; p++) {
          double v = (px[o + p] & 0xFF) / 255.0;
          sum[c] += v;
          sq[c] += v * v;
        }
      }
    }
    double n = 50_000.0 * 1024;
    double[] mean = {0.4913, 0.4821, 0.4465};
    double[] std = {0.2452, 0.2428, 0.2606};
    for (int c = 0; c < 3; c++) {
      double m = sum[c] / n;
      double s = Math.sqrt(sq[c] / n - m * m);
      assertTrue(
          Math.abs(m - mean[c]) <= 0.002, "channel " + c + " mean " + m + ", README " + mean[c]);
      assertTrue(
          Math.abs(s - std[c]) <= 0.002, "channel " + c + " std " + s + ", README " + std[c]);
    }
    assertTrue(Files.exists(cache.fileFor(found.get().path(), "train")), "cache written");
  }

  @Test
  void fashionMnistWhenInstalled() {
    Path dir = FashionMnist.SYSTEM_FOLDER;
    assumeTrue(
        FashionMnist.isIn(dir),
        "Fashion-MNIST not installed (apt-get install -y dataset-fashion-mnist): test skipped");
    ImageSet train = FashionMnist.read(dir, Split.TRAIN);
    ImageSet test = FashionMnist.read(dir, Split.TEST);
    assertEquals(60_000, train.size());
    assertEquals(10_000, test.size());
    assertEquals(1, train.channels());
    assertEquals(28, train.height());
    assertEquals(28, train.width());
    int[] counts = train.classCounts();
    for (int c = 0; c < 10; c++) {
      assertEquals(6000, counts[c], "training images of class " + c);
    }
    DataFinder.Found f = new DataFinder(null, List.of(dir)).find("fashion-mnist");
    assertEquals(DataFinder.Format.IDX, f.format());
  }
}
