package bnlab.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bnlab study ioffe-fig1}: Ioffe &amp; Szegedy 2015, §4.1 and Figure 1. An MLP with 3 hidden
 * layers of 100 sigmoid units ({@code mlp-sigmoid}) and the same with BN before each sigmoid
 * ({@code mlp-bn-sigmoid}) train with mini-batches of 60 and SGD for the same number of steps, the
 * same seeds and data order; every {@code evalEvery} steps the test accuracy (Figure 1a) and the
 * 15th, 50th and 85th percentiles of the input to each sigmoid of the last hidden layer (Figure 1b,
 * c) are recorded ({@link SigmoidInputProbe}). The paper trains 50,000 steps on MNIST; the lab's
 * default data set is Fashion-MNIST (MNIST's IDX files work through {@code --data}). Runs share the
 * folder, as in {@code compare}; grid order: seeds, then models.
 *
 * @param models zoo names whose last hidden layer is a sigmoid in a Sequential
 * @param seeds at least one
 * @param steps training steps (mini-batches) per run; the paper's is {@link #PAPER_STEPS}
 * @param batchSize the paper's 60
 * @param lr SGD's learning rate (the paper gives none)
 * @param momentum SGD's momentum (0: plain SGD)
 * @param evalEvery measure every this many steps (and at step 0 and the last step)
 * @param probeImages the percentiles are taken over the first this many test images
 * @param unit the unit of the last hidden layer the report plots (all are recorded)
 * @param data the data set and subsets
 */
@JsonPropertyOrder({
  "command",
  "models",
  "seeds",
  "steps",
  "paper_steps",
  "batch_size",
  "optimizer",
  "lr",
  "momentum",
  "eval_every",
  "probe_images",
  "unit",
  "data",
  "transform",
  "zoo"
})
public record IoffeFig1Config(
    List<String> models,
    List<Long> seeds,
    long steps,
    int batchSize,
    double lr,
    double momentum,
    int evalEvery,
    int probeImages,
    @SessionOnly int unit,
    @JsonUnwrapped DataConfig data)
    implements ExperimentConfig {
  /** The paper's length of training. */
  public static final long PAPER_STEPS = 50_000;

  /** The paper's mini-batch size. */
  public static final int PAPER_BATCH = 60;

  /** Checks the values in the order the command line has them. */
  public IoffeFig1Config {
    models = List.copyOf(models);
    seeds = List.copyOf(seeds);
    if (models.isEmpty() || seeds.isEmpty()) {
      throw new UserError("--models and --seeds need at least one value each");
    }
    models.forEach(ModelZoo::get);
    RunConfig.positive("--steps", steps);
    RunConfig.positive("--batch-size", batchSize);
    RunConfig.positive("--eval-every", evalEvery);
    RunConfig.positive("--probe-images", probeImages);
    if (unit < 0) {
      throw new UserError("--unit must be at least 0, got " + unit);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new UserError("--momentum must be in [0, 1), got " + momentum);
    }
  }

  @Override
  @JsonProperty("command")
  public String command() {
    return "study ioffe-fig1";
  }

  /** The paper's number of steps, config.json's {@code paper_steps}, for the report. */
  @JsonProperty("paper_steps")
  public long paperSteps() {
    return PAPER_STEPS;
  }

  /** Always SGD, config.json's {@code optimizer}. */
  @JsonProperty("optimizer")
  public String optimizer() {
    return "sgd";
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
  public List<Hook> hooks() {
    return List.of(SigmoidInputProbe.hook(evalEvery, probeImages));
  }

  @Override
  public Grid grid() {
    List<GridCell> cells = new ArrayList<>();
    for (long seed : seeds) {
      for (String m : models) {
        RunConfig c = run(m, seed);
        cells.add(new GridCell(cells.size(), c, c.label(), ""));
      }
    }
    return new Grid(cells, null, true);
  }

  /**
   * One run: {@code steps} mini-batches of {@code batchSize}, SGD, the last epoch's test only (the
   * probe tests every {@code evalEvery} steps), a metrics row every {@code evalEvery} steps, the
   * generic probes off.
   */
  RunConfig run(String model, long seed) {
    return RunConfig.of(model, seed, data)
        .withSamples(steps * batchSize)
        .withBatchSize(batchSize)
        .withOptimizer(new OptimizerConfig("sgd", lr, momentum))
        .withEvaluation(new RunConfig.Evaluation(1000, false, false))
        .withRecording(new RunConfig.Recording(evalEvery, 0, RunConfig.PROBE_ETAS, false))
        .validate();
  }
}
