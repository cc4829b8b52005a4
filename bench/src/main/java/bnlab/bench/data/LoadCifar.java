package bnlab.bench.data;

import bnlab.data.Batch;
import bnlab.data.DataCache;
import bnlab.data.DataFinder;
import bnlab.data.DataLoader;
import bnlab.data.DataSets;
import bnlab.data.ImageSet;
import bnlab.data.Normalize;
import bnlab.data.Split;
import bnlab.data.ToTensor;
import java.nio.file.Path;

/**
 * Cold-start timing of the CIFAR-10 data path, as a user's first command sees it: locate, load
 * train + test from the cache (decoding once if the cache is missing), then one epoch of batches of
 * 10 through ToTensor + Normalize. Arguments: optional data path.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar bnlab.bench.data.LoadCifar
 * </pre>
 */
public final class LoadCifar {
  private LoadCifar() {}

  /** Prints the timings in milliseconds. */
  public static void main(String[] args) {
    Path explicit = args.length > 0 ? Path.of(args[0]) : null;
    long t0 = System.nanoTime();
    DataFinder.Found found = DataFinder.standard(explicit).find("cifar10");
    DataCache cache = DataCache.userDefault();
    ImageSet train = DataSets.load(found, Split.TRAIN, cache);
    ImageSet test = DataSets.load(found, Split.TEST, cache);
    long t1 = System.nanoTime();
    DataLoader loader =
        new DataLoader(train, 10)
            .shuffle(44)
            .transforms(
                new ToTensor(),
                new Normalize(
                    new float[] {0.4914f, 0.4822f, 0.4465f},
                    new float[] {0.2470f, 0.2435f, 0.2616f}));
    double acc = 0;
    try (DataLoader.Epoch it = loader.epoch(0)) {
      while (it.hasNext()) {
        Batch b = it.next();
        acc += b.x().data()[0];
      }
    }
    long t2 = System.nanoTime();
    System.out.printf(
        "found %s (%s); cache %s%nload train %d + test %d images: %.0f ms%n"
            + "one epoch, batches of 10, ToTensor+Normalize: %.0f ms (checksum %.3f)%n",
        found.path(),
        found.format(),
        cache.folder(),
        train.size(),
        test.size(),
        (t1 - t0) / 1e6,
        (t2 - t1) / 1e6,
        acc);
  }
}
