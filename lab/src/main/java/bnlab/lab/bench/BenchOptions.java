package bnlab.lab.bench;

import java.util.List;

/**
 * What {@code bnlab bench} measures.
 *
 * @param models zoo names ({@code bnlab models}), each built for (3, 32, 32) inputs and 10 classes
 * @param trainBatches batch sizes for the training measurements
 * @param inferBatches batch sizes for eval-mode inference
 * @param warmupRuns untimed runs per configuration before the timed ones (JIT warm-up; at least one
 *     runs when the steps per run are calibrated)
 * @param runs timed runs per configuration; the table shows their median
 * @param runSeconds target length of a run: the warm-up sets the steps per run from it, so a run of
 *     vgg and one of Net take about as long
 * @param trainImagesPerRun images trained per run instead of {@code runSeconds} (0 = by time)
 * @param inferImagesPerRun images inferred per run instead of {@code runSeconds} (0 = by time)
 * @param threads kernel threads, or 0 to keep the current setting ({@code -Dbnlab.threads})
 * @param seed seed of the weights and of the synthetic data
 * @param bnShare whether to time the BatchNorm layers in separate runs (doubles the training runs
 *     of models with BatchNorm)
 */
public record BenchOptions(
    List<String> models,
    List<Integer> trainBatches,
    List<Integer> inferBatches,
    int warmupRuns,
    int runs,
    double runSeconds,
    int trainImagesPerRun,
    int inferImagesPerRun,
    int threads,
    long seed,
    boolean bnShare) {

  /** The default models: the article's Net and Net+BN. */
  public static final List<String> DEFAULT_MODELS = List.of("net", "net-bn");

  /**
   * The defaults: Net and Net+BN, training at batches 10, 32 and 128, inference at 256 and 1000, 3
   * warm-up and 7 timed runs of about 0.5 s each, BN share measured.
   */
  public static BenchOptions defaults() {
    return new BenchOptions(
        DEFAULT_MODELS, List.of(10, 32, 128), List.of(256, 1000), 3, 7, 0.5, 0, 0, 0, 1, true);
  }

  /** As these options with 1 warm-up and 5 timed runs of about 0.2 s (for a loaded machine). */
  public BenchOptions quick() {
    return new BenchOptions(
        models,
        trainBatches,
        inferBatches,
        1,
        5,
        0.2,
        trainImagesPerRun,
        inferImagesPerRun,
        threads,
        seed,
        bnShare);
  }

  /** Validates the options; the message names the option and the fix. */
  public BenchOptions {
    models = List.copyOf(models);
    trainBatches = List.copyOf(trainBatches);
    inferBatches = List.copyOf(inferBatches);
    if (models.isEmpty()) {
      throw new IllegalArgumentException("bench: --models needs at least one model");
    }
    for (int b : trainBatches) {
      positive("batch sizes", b);
    }
    for (int b : inferBatches) {
      positive("inference batch sizes", b);
    }
    if (warmupRuns < 0 || runs < 1 || threads < 0) {
      throw new IllegalArgumentException("bench: need --warmup >= 0, --runs >= 1, --threads >= 0");
    }
    if (!(runSeconds > 0) || trainImagesPerRun < 0 || inferImagesPerRun < 0) {
      throw new IllegalArgumentException(
          "bench: need --run-seconds > 0 and --train-images, --infer-images >= 0 (0 = by time)");
    }
  }

  private static void positive(String what, int b) {
    if (b < 1) {
      throw new IllegalArgumentException("bench: " + what + " must be >= 1, got " + b);
    }
  }
}
