package bnlab.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bnlab study small-batch}: test accuracy against the training batch size for BN and the
 * alternatives (Wu &amp; He 2018, Fig. 1). Every model at every batch size sees the same number of
 * training samples ({@link Budget.Samples}), with SGD with momentum and the learning rate scaled
 * linearly with the batch size ({@code lrAtBatch32 · B / 32}), in i.i.d. batches and, if {@code
 * classesPerBatch} &gt; 0, in class-clustered batches of that many classes; last partial batches
 * are dropped. Each run ends with the test in eval mode (running statistics) and in training mode
 * (test batches of the training batch size normalized with their own statistics); the epochs before
 * are not tested, as they never were in this study. Grid order: seeds, batching (i.i.d. first),
 * batch sizes, models; each run has its folder {@code runs/<model>-bs<b>-<iid|kclass>-seed<s>} with
 * metrics and checkpoints, and smallbatch.csv holds one row per run.
 *
 * @param models zoo names
 * @param batchSizes training batch sizes, at least 2 (BN needs two samples) and at most the subset
 * @param samples training samples per run, at least the largest batch size
 * @param seeds at least one
 * @param lrAtBatch32 SGD's learning rate at batch size 32
 * @param momentum SGD's momentum in [0, 1)
 * @param classesPerBatch classes per batch of the non-i.i.d. variant, 0 = no such variant
 * @param recalibrateBatches precise BN at the end of each run of a model with BatchNorm: running
 *     statistics recomputed over this many training batches with the final weights, then the
 *     eval-mode test accuracy ({@code test_accuracy_recalibrated}; the checkpoint keeps the
 *     training's statistics); 0 = off
 * @param recalibrateBatchSize images per recalibration batch, 0 = the run's training batch size
 * @param data the data set and subsets
 * @param parallel runs at the same time (does not change results)
 */
@JsonPropertyOrder({
  "command",
  "models",
  "batch_sizes",
  "samples",
  "seeds",
  "optimizer",
  "lr_at_batch_32",
  "lr_rule",
  "momentum",
  "classes_per_batch",
  "recalibrate_batches",
  "recalibrate_batch_size",
  "data",
  "train_mode_test_batches",
  "transform",
  "parallel",
  "zoo"
})
public record SmallBatchConfig(
    List<String> models,
    List<Integer> batchSizes,
    long samples,
    List<Long> seeds,
    @JsonProperty("lr_at_batch_32") double lrAtBatch32,
    double momentum,
    int classesPerBatch,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) int recalibrateBatches,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) int recalibrateBatchSize,
    @JsonUnwrapped DataConfig data,
    @SessionOnly int parallel)
    implements ExperimentConfig {
  /** The header of smallbatch.csv. */
  public static final String HEADER =
      "model,norm,batch_size,seed,iid,test_accuracy_eval,test_accuracy_train_mode,"
          + "test_accuracy_recalibrated";

  /** Eval-mode test batches (the result does not depend on it). */
  static final int TEST_BATCH = 100;

  /** Checks the values in the order the command line always has. */
  public SmallBatchConfig {
    models = List.copyOf(models);
    batchSizes = List.copyOf(batchSizes);
    seeds = List.copyOf(seeds);
    RunConfig.positive("--parallel", parallel);
    if (!(lrAtBatch32 > 0) || Double.isInfinite(lrAtBatch32)) {
      throw new UserError("--lr must be a positive number, got " + lrAtBatch32);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new UserError("--momentum must be in [0, 1), got " + momentum);
    }
    if (classesPerBatch < 0) {
      throw new UserError(
          "--classes-per-batch must be 0 (off) or positive, got " + classesPerBatch);
    }
    if (recalibrateBatches < 0 || recalibrateBatchSize < 0) {
      throw new UserError(
          "--recalibrate-batches and --recalibrate-batch-size must be 0 (off, the training batch"
              + " size) or positive");
    }
    if (recalibrateBatchSize == 1) {
      throw new UserError("--recalibrate-batch-size must be at least 2 (BatchNorm needs two)");
    }
    if (seeds.isEmpty() || batchSizes.isEmpty() || models.isEmpty()) {
      throw new UserError("--seeds, --batch-sizes and --models need at least one value each");
    }
    for (int b : batchSizes) {
      if (b < 2) {
        throw new UserError("--batch-sizes must be at least 2 (BatchNorm needs two samples)");
      }
      if (data.subset() != null && b > data.subset()) {
        throw new UserError("--batch-sizes: " + b + " is larger than --subset " + data.subset());
      }
      if (samples < b) {
        throw new UserError("--samples " + samples + " is smaller than batch size " + b);
      }
    }
    models.forEach(ModelZoo::get);
    Distinct.check("--seeds", seeds);
    Distinct.check("--models", models);
    Distinct.check("--batch-sizes", batchSizes);
  }

  /** Without recalibration, as before it existed. */
  public SmallBatchConfig(
      List<String> models,
      List<Integer> batchSizes,
      long samples,
      List<Long> seeds,
      double lrAtBatch32,
      double momentum,
      int classesPerBatch,
      DataConfig data,
      int parallel) {
    this(
        models,
        batchSizes,
        samples,
        seeds,
        lrAtBatch32,
        momentum,
        classesPerBatch,
        0,
        0,
        data,
        parallel);
  }

  @Override
  public List<Hook> hooks() {
    return recalibrateBatches > 0
        ? List.of(RecalibratedTest.hook(recalibrateBatches, recalibrateBatchSize))
        : List.of();
  }

  @Override
  @JsonProperty("command")
  public String command() {
    return "study small-batch";
  }

  /** Always SGD, config.json's {@code optimizer}. */
  @JsonProperty("optimizer")
  public String optimizer() {
    return "sgd";
  }

  /** How the learning rate follows the batch size, config.json's {@code lr_rule}. */
  @JsonProperty("lr_rule")
  public String lrRule() {
    return "lr * batch_size / 32";
  }

  /** What the train-mode test batches are, config.json's {@code train_mode_test_batches}. */
  @JsonProperty("train_mode_test_batches")
  public String trainModeTestBatches() {
    return "the training batch size, full batches only";
  }

  /** The images' only transform, config.json's {@code transform}. */
  @JsonProperty("transform")
  public String transform() {
    return "ToTensor";
  }

  /** The zoo's norm and baseline of each model. */
  @JsonProperty("zoo")
  @SessionOnly
  public Map<String, ModelZoo.Info> zoo() {
    return ModelZoo.info(models);
  }

  @Override
  public Grid grid() {
    List<GridCell> cells = new ArrayList<>();
    for (long seed : seeds) {
      for (int cpb : classesPerBatch > 0 ? List.of(0, classesPerBatch) : List.of(0)) {
        for (int bs : batchSizes) {
          for (String m : models) {
            RunConfig c = run(m, bs, cpb, seed);
            String batching = cpb == 0 ? "iid" : cpb + "-class";
            cells.add(
                new GridCell(
                    cells.size(),
                    c,
                    String.format(Locale.ROOT, "%s bs %d %s seed %d", m, bs, batching, seed),
                    String.format(
                        Locale.ROOT, "%s-bs%d-%s-seed%d", m, bs, batching.replace("-", ""), seed)));
          }
        }
      }
    }
    return new Grid(cells, new ResultTable("smallbatch.csv", HEADER, SmallBatchConfig::row), false);
  }

  /**
   * One configuration. Its loader epochs start at 0 ({@link
   * RunConfig.Batching#firstLoaderEpoch()}): the orders this study's runs have had since before
   * they ran through the trainer, so that its results stay bit-identical to the published ones.
   */
  RunConfig run(String model, int batchSize, int cpb, long seed) {
    return RunConfig.of(model, seed, data)
        .withSamples(samples)
        .withBatchSize(batchSize)
        .withOptimizer(new OptimizerConfig("sgd", lrAtBatch32 * batchSize / 32.0, momentum))
        .withBatching(new RunConfig.Batching(cpb, true, 0))
        .withEvaluation(new RunConfig.Evaluation(TEST_BATCH, false, true))
        .withRecording(new RunConfig.Recording(500, 0, RunConfig.PROBE_ETAS, false))
        .validate();
  }

  // A run stopped by Ctrl-C has no row until a resume finishes it; a diverged one has NaN.
  private static List<Object> row(RunConfig c, RunResult r) {
    if (r.status().equals("interrupted")) {
      return null;
    }
    boolean ok = r.ok();
    return List.of(
        c.model(),
        r.norm(),
        c.batchSize(),
        c.seed(),
        c.batching().classesPerBatch() == 0,
        ok ? r.testAccuracy() : Double.NaN,
        ok ? r.measurement(RunConfig.TRAIN_MODE_ACCURACY) : Double.NaN,
        ok ? r.measurement(RecalibratedTest.ACCURACY) : Double.NaN);
  }
}
