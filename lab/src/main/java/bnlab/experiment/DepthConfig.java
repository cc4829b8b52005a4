package bnlab.experiment;

import bnlab.train.CsvFile;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bnlab study depth}: what BN does for depth. CIFAR-10 ResNets of each depth (He et al.
 * 2016, §4.2) train in four variants on the same data, seeds and number of samples:
 *
 * <ul>
 *   <li>{@code bn}: with BN ({@code resnet20}, {@code resnet56});
 *   <li>{@code nobn}: without BN ({@code resnet20-nobn}), at the same learning rate;
 *   <li>{@code nobn-small-lr}: without BN at the smaller rate {@code smallLr}, the usual fix;
 *   <li>{@code zero-gamma}: with BN and each residual block's last γ initialised to 0 ({@code
 *       resnet20-zero-gamma}, Goyal et al. 2017), so that every block starts as the identity.
 * </ul>
 *
 * Each run uses SGD with momentum and weight decay, optionally a step schedule and crop+flip
 * augmentation, and records gradient norms per layer at step 1 (the initialization) and every
 * {@code probeEvery} steps (probes/gradients.csv); a run whose loss is NaN/∞ or exceeds {@code
 * divergeFactor} times its first loss stops and is marked diverged. Cells have folders of their own
 * ({@code runs/<model>-lr<lr>-seed<s>}) and may run in parallel; depth.csv has one row per run.
 * Grid order: seeds, depths, variants. {@link #fullSchedule} is the paper's training.
 *
 * @param depths ResNet depths, 20 or 56
 * @param variants see above
 * @param seeds at least one
 * @param samples training samples per run (the same for every run)
 * @param batchSize mini-batch size
 * @param lr SGD's learning rate (the paper's 0.1)
 * @param smallLr the {@code nobn-small-lr} variant's rate
 * @param momentum SGD's momentum (0.9)
 * @param weightDecay SGD's weight decay (1e-4)
 * @param lrSchedule the rate's steps, or null for a constant rate
 * @param augmentation random crops and flips, or null for none
 * @param probeEvery gradient norms every this many steps (and at step 1), 0 = off
 * @param logEvery a metrics.csv row every this many steps
 * @param divergeFactor see {@link RunConfig#divergeFactor()}
 * @param data the data set and subsets
 * @param parallel runs at the same time (does not change results)
 */
@JsonPropertyOrder({
  "command",
  "depths",
  "variants",
  "seeds",
  "samples",
  "steps",
  "batch_size",
  "optimizer",
  "lr",
  "small_lr",
  "momentum",
  "weight_decay",
  "lr_schedule",
  "augmentation",
  "probe_every",
  "log_every",
  "diverge_factor",
  "data",
  "transform",
  "parallel",
  "zoo"
})
public record DepthConfig(
    List<Integer> depths,
    List<String> variants,
    List<Long> seeds,
    long samples,
    int batchSize,
    double lr,
    double smallLr,
    double momentum,
    double weightDecay,
    @JsonInclude(JsonInclude.Include.ALWAYS) LrSchedule lrSchedule,
    @JsonInclude(JsonInclude.Include.ALWAYS) Augmentation augmentation,
    int probeEvery,
    int logEvery,
    double divergeFactor,
    @JsonUnwrapped DataConfig data,
    @SessionOnly int parallel)
    implements ExperimentConfig {
  /** The variants, in the order the report shows them. */
  public static final List<String> VARIANTS = List.of("bn", "nobn", "nobn-small-lr", "zero-gamma");

  /** The header of depth.csv. */
  public static final String HEADER =
      "depth,variant,model,norm,lr,seed,steps,final_train_loss,test_accuracy,status,folder";

  /** He et al. 2016, §4.2: 64k iterations of 128 images (about 164 epochs of 50k images). */
  public static final long PAPER_STEPS = 64_000;

  /** He et al.'s mini-batch size. */
  public static final int PAPER_BATCH = 128;

  /** Checks the values in the order the command line has them. */
  public DepthConfig {
    depths = List.copyOf(depths);
    variants = List.copyOf(variants);
    seeds = List.copyOf(seeds);
    if (depths.isEmpty() || variants.isEmpty() || seeds.isEmpty()) {
      throw new UserError("--depths, --variants and --seeds need at least one value each");
    }
    for (int d : depths) {
      if (d != 20 && d != 56) {
        throw new UserError("--depths takes 20 and 56 (the zoo's ResNets), got " + d);
      }
    }
    for (String v : variants) {
      if (!VARIANTS.contains(v)) {
        throw new UserError(
            "unknown variant '" + v + "'; known variants: " + String.join(", ", VARIANTS));
      }
    }
    RunConfig.positive("--batch-size", batchSize);
    RunConfig.positive("--log-every", logEvery);
    RunConfig.positive("--parallel", parallel);
    if (samples < batchSize) {
      throw new UserError("--samples " + samples + " is smaller than batch size " + batchSize);
    }
    if (probeEvery < 0) {
      throw new UserError("--probe-every must be 0 (off) or positive, got " + probeEvery);
    }
    new OptimizerConfig("sgd", lr, momentum, weightDecay);
    new OptimizerConfig("sgd", smallLr, momentum, weightDecay);
  }

  /**
   * He et al.'s schedule for {@code depths} with BN: the whole training set, batch 128, 64k steps,
   * SGD lr 0.1 (÷10 at 32k and 48k steps), momentum 0.9, weight decay 1e-4, crop+flip; eval on the
   * whole test set. Their 8.75 % (ResNet-20) and 6.97 % (ResNet-56) test error come from it (they
   * held out 5k of the 50k training images for validation; this trains on all 50k).
   */
  public static DepthConfig fullSchedule(
      List<Integer> depths, List<String> variants, List<Long> seeds, DataConfig data, int par) {
    return new DepthConfig(
        depths,
        variants,
        seeds,
        PAPER_STEPS * PAPER_BATCH,
        PAPER_BATCH,
        0.1,
        0.01,
        0.9,
        1e-4,
        new LrSchedule(List.of(32_000L, 48_000L), 0.1),
        Augmentation.CROP_FLIP,
        500,
        100,
        0,
        data,
        par);
  }

  @Override
  @JsonProperty("command")
  public String command() {
    return "study depth";
  }

  /** Steps per run, config.json's {@code steps}. */
  @JsonProperty("steps")
  public long steps() {
    return samples / batchSize;
  }

  /** Always SGD, config.json's {@code optimizer}. */
  @JsonProperty("optimizer")
  public String optimizer() {
    return "sgd";
  }

  /** The images' transforms after augmentation, config.json's {@code transform}. */
  @JsonProperty("transform")
  public String transform() {
    return "ToTensor";
  }

  /** The zoo's norm and baseline of each model. */
  @JsonProperty("zoo")
  @SessionOnly
  public Map<String, ModelZoo.Info> zoo() {
    List<String> models = new ArrayList<>();
    for (int d : depths) {
      for (String v : variants) {
        String m = model(d, v);
        if (!models.contains(m)) {
          models.add(m);
        }
      }
    }
    return ModelZoo.info(models);
  }

  /** The zoo model of {@code variant} at {@code depth}. */
  public static String model(int depth, String variant) {
    return switch (variant) {
      case "bn" -> "resnet" + depth;
      case "nobn", "nobn-small-lr" -> "resnet" + depth + "-nobn";
      case "zero-gamma" -> "resnet" + depth + "-zero-gamma";
      default -> throw new UserError("unknown variant '" + variant + "'");
    };
  }

  /** The learning rate of {@code variant}. */
  public double lr(String variant) {
    return variant.equals("nobn-small-lr") ? smallLr : lr;
  }

  @Override
  public Grid grid() {
    List<GridCell> cells = new ArrayList<>();
    for (long seed : seeds) {
      for (int d : depths) {
        for (String v : variants) {
          RunConfig c = run(d, v, seed);
          String label = c.label() + " lr " + CsvFile.format(c.optimizer().lr());
          cells.add(new GridCell(cells.size(), c, label, cellId(c)));
        }
      }
    }
    return new Grid(cells, new ResultTable("depth.csv", HEADER, this::row), false);
  }

  /** The run of {@code variant} at {@code depth} with {@code seed}. */
  RunConfig run(int depth, String variant, long seed) {
    return RunConfig.of(model(depth, variant), seed, data)
        .withSamples(samples)
        .withBatchSize(batchSize)
        .withOptimizer(new OptimizerConfig("sgd", lr(variant), momentum, weightDecay))
        .withLrSchedule(lrSchedule)
        .withAugmentation(augmentation)
        .withEvaluation(new RunConfig.Evaluation(250, true, false))
        .withRecording(new RunConfig.Recording(logEvery, probeEvery, List.of(), false))
        .withDivergeFactor(divergeFactor)
        .validate();
  }

  private List<Object> row(RunConfig c, RunResult r) {
    if (r.status().equals("interrupted")) {
      return null;
    }
    String m = c.model();
    return List.of(
        m.startsWith("resnet56") ? 56 : 20,
        variant(c),
        m,
        r.norm(),
        c.optimizer().lr(),
        c.seed(),
        r.steps(),
        r.finalTrainLoss(),
        r.testAccuracy(),
        r.status(),
        "runs/" + cellId(c));
  }

  /** The variant a run of this study's grid belongs to. */
  private String variant(RunConfig c) {
    String m = c.model();
    if (m.endsWith("-zero-gamma")) {
      return "zero-gamma";
    }
    if (m.endsWith("-nobn")) {
      return c.optimizer().lr() == lr && variants.contains("nobn") ? "nobn" : "nobn-small-lr";
    }
    return "bn";
  }

  private static String cellId(RunConfig c) {
    return String.format(
        Locale.ROOT, "%s-lr%s-seed%d", c.model(), CsvFile.format(c.optimizer().lr()), c.seed());
  }
}
