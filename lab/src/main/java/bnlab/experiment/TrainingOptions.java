package bnlab.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;

/**
 * The options compare, train and sweep share; in config.json they are top-level keys ({@code
 * epochs} ... {@code threads}). Defaults ({@link #defaults}) reproduce the article's experiment.
 *
 * @param epochs epochs per run; {@code --resume} may raise it to extend the runs
 * @param batchSize mini-batch size
 * @param lr learning rate
 * @param optimizer {@code adam}, {@code sgd} (momentum 0.9) or {@code adamw}
 * @param data the data set and subsets
 * @param asPublished the article as published (compare only)
 * @param logEvery a metrics.csv row every this many mini-batches
 * @param probeEvery probes every this many steps, 0 = off
 * @param probeEtas the loss-landscape probe's step sizes
 * @param threads kernel threads, null = all cores (does not change results)
 * @param dropLast drop the last, smaller mini-batch of every epoch (PyTorch's {@code drop_last});
 *     recorded in config.json only when set. Without it, a model that cannot train on one sample
 *     (BatchNorm) still skips a last batch of one, with a note ({@link RunConfig.Batching})
 */
@JsonPropertyOrder({
  "epochs",
  "batch_size",
  "lr",
  "optimizer",
  "data",
  "as_published",
  "log_every",
  "probe_every",
  "probe_etas",
  "transform",
  "threads",
  "drop_last"
})
public record TrainingOptions(
    @MayGrow int epochs,
    int batchSize,
    double lr,
    String optimizer,
    @JsonUnwrapped DataConfig data,
    boolean asPublished,
    int logEvery,
    int probeEvery,
    List<Double> probeEtas,
    @SessionOnly Integer threads,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean dropLast) {
  /**
   * Checks the values in the order the command line always has; a bad one is a {@link UserError}.
   */
  public TrainingOptions {
    RunConfig.positive("--epochs", epochs);
    RunConfig.positive("--batch-size", batchSize);
    RunConfig.positive("--log-every", logEvery);
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new UserError("--lr must be a positive number, got " + lr);
    }
    if (probeEvery < 0) {
      throw new UserError("--probe-every must be 0 (off) or positive, got " + probeEvery);
    }
    if (threads != null) {
      RunConfig.positive("--threads", threads);
    }
    Optimizers.check(optimizer);
    probeEtas = List.copyOf(probeEtas);
  }

  /** These options keeping every epoch's last, smaller mini-batch (as PyTorch by default). */
  public TrainingOptions(
      int epochs,
      int batchSize,
      double lr,
      String optimizer,
      DataConfig data,
      boolean asPublished,
      int logEvery,
      int probeEvery,
      List<Double> probeEtas,
      Integer threads) {
    this(
        epochs,
        batchSize,
        lr,
        optimizer,
        data,
        asPublished,
        logEvery,
        probeEvery,
        probeEtas,
        threads,
        false);
  }

  /**
   * The article's options on {@code data}: 5 epochs, batch 10, Adam 1e-4, log and probes every 500.
   */
  public static TrainingOptions defaults(DataConfig data) {
    return new TrainingOptions(
        5, 10, 1e-4, "adam", data, false, 500, 500, RunConfig.PROBE_ETAS, null);
  }

  /** The images' only transform, config.json's {@code transform}. */
  @JsonProperty("transform")
  public String transform() {
    return "ToTensor";
  }

  /** These options for {@code epochs} epochs. */
  public TrainingOptions withEpochs(int e) {
    return new TrainingOptions(
        e,
        batchSize,
        lr,
        optimizer,
        data,
        asPublished,
        logEvery,
        probeEvery,
        probeEtas,
        threads,
        dropLast);
  }

  /** These options with mini-batches of {@code b}. */
  public TrainingOptions withBatchSize(int b) {
    return new TrainingOptions(
        epochs,
        b,
        lr,
        optimizer,
        data,
        asPublished,
        logEvery,
        probeEvery,
        probeEtas,
        threads,
        dropLast);
  }

  /** These options with learning rate {@code value}. */
  public TrainingOptions withLr(double value) {
    return new TrainingOptions(
        epochs,
        batchSize,
        value,
        optimizer,
        data,
        asPublished,
        logEvery,
        probeEvery,
        probeEtas,
        threads,
        dropLast);
  }

  /** These options with a metrics row every {@code log} steps and probes every {@code probe}. */
  public TrainingOptions withRecording(int log, int probe) {
    return new TrainingOptions(
        epochs,
        batchSize,
        lr,
        optimizer,
        data,
        asPublished,
        log,
        probe,
        probeEtas,
        threads,
        dropLast);
  }

  /** These options dropping (or keeping) every epoch's last, smaller mini-batch. */
  public TrainingOptions withDropLast(boolean drop) {
    return new TrainingOptions(
        epochs,
        batchSize,
        lr,
        optimizer,
        data,
        asPublished,
        logEvery,
        probeEvery,
        probeEtas,
        threads,
        drop);
  }

  /** A run of {@code model} with {@code seed} under these options. */
  RunConfig run(String model, long seed, int runEpochs, double runLr, int runBatchSize) {
    RunConfig c = RunConfig.of(model, seed, data);
    return c.withBatching(RunConfig.Batching.iid(dropLast || c.batching().dropLast()))
        .withEpochs(runEpochs)
        .withBatchSize(runBatchSize)
        .withOptimizer(OptimizerConfig.of(optimizer, runLr))
        .withRecording(new RunConfig.Recording(logEvery, probeEvery, probeEtas, asPublished));
  }
}
