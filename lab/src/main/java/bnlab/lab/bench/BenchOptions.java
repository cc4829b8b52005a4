package bnlab.lab.bench;

import java.util.List;

/**
 * What {@code bnlab bench} measures.
 *
 * @param trainBatches batch sizes for the training measurements (default 10 and 128)
 * @param inferBatch batch size for eval-mode inference (default 1000)
 * @param warmupRuns untimed runs per configuration before the timed ones (JIT warm-up)
 * @param runs timed runs per configuration; the table shows their median (at least 5)
 * @param trainImagesPerRun images trained per timed run
 * @param inferImagesPerRun images inferred per timed run
 * @param threads kernel threads, or 0 to keep the current setting ({@code -Dbnlab.threads})
 * @param seed seed of the weights and of the synthetic data
 */
public record BenchOptions(
    List<Integer> trainBatches,
    int inferBatch,
    int warmupRuns,
    int runs,
    int trainImagesPerRun,
    int inferImagesPerRun,
    int threads,
    long seed) {

  /** The defaults: batches 10 and 128, inference at 1000, 3 warm-up and 7 timed runs. */
  public static BenchOptions defaults() {
    return new BenchOptions(List.of(10, 128), 1000, 3, 7, 6_400, 20_000, 0, 1);
  }

  /** Validates the options; the message names the option and the fix. */
  public BenchOptions {
    trainBatches = List.copyOf(trainBatches);
    for (int b : trainBatches) {
      if (b < 1) {
        throw new IllegalArgumentException("bench: batch sizes must be >= 1, got " + b);
      }
    }
    if (inferBatch < 1 || warmupRuns < 0 || runs < 1 || threads < 0) {
      throw new IllegalArgumentException(
          "bench: need inferBatch >= 1, warmupRuns >= 0, runs >= 1, threads >= 0");
    }
    if (trainImagesPerRun < 1 || inferImagesPerRun < 1) {
      throw new IllegalArgumentException("bench: images per run must be >= 1");
    }
  }
}
