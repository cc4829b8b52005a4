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
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * CIFAR-10 data path: loading the whole data set (train + test) from bnlab's decoded cache, and one
 * shuffled training epoch in batches of 10 through ToTensor + Normalize. Targets: under 2 s and 1
 * s.
 *
 * <p>Finds CIFAR-10 like the lab does ({@code BNLAB_DATA}, the user cache, {@code
 * ../shared/datasets}) and uses the per-user cache folder; the first setup decodes once.
 *
 * <pre>
 * mvn -B -q -pl bench -am package -DskipTests
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar DataBench
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 7)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g"})
public class DataBench {
  /** CIFAR-10 located as the lab does, with its decoded cache built once. */
  @State(Scope.Benchmark)
  public static class Cifar {
    DataFinder.Found found;
    DataCache cache;
    ImageSet train;

    /** Finds the data and makes sure the cache exists. */
    @Setup
    public void setUp() {
      found = DataFinder.standard(null).find("cifar10");
      cache = DataCache.userDefault();
      train = DataSets.load(found, Split.TRAIN, cache);
      DataSets.load(found, Split.TEST, cache);
    }
  }

  /** A shuffled loader of batches of 10 with ToTensor + Normalize. */
  @State(Scope.Benchmark)
  public static class Loader {
    DataLoader loader;
    int epoch;

    /** Prefetch depth: 0 prepares batches on the calling thread. */
    @Param({"2", "0"})
    public int prefetch;

    /** Builds the loader over the training set. */
    @Setup
    public void setUp(Cifar data) {
      loader =
          new DataLoader(data.train, 10)
              .shuffle(44)
              .prefetch(prefetch)
              .transforms(
                  new ToTensor(),
                  new Normalize(
                      new float[] {0.4914f, 0.4822f, 0.4465f},
                      new float[] {0.2470f, 0.2435f, 0.2616f}));
    }
  }

  /** Whole CIFAR-10 (50,000 + 10,000 images) from the decoded cache. */
  @Benchmark
  public void loadFromCache(Cifar data, Blackhole bh) {
    bh.consume(DataSets.load(data.found, Split.TRAIN, data.cache));
    bh.consume(DataSets.load(data.found, Split.TEST, data.cache));
  }

  /** One shuffled epoch of the training set in batches of 10, ToTensor + Normalize. */
  @Benchmark
  public float epochOfBatches10(Loader l) {
    float acc = 0;
    try (DataLoader.Epoch it = l.loader.epoch(l.epoch++)) {
      while (it.hasNext()) {
        Batch b = it.next();
        acc += b.x().data()[0] + b.labels()[0];
      }
    }
    return acc;
  }
}
