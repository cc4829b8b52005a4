package bnlab.experiment;

import bnlab.train.CsvFile;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bnlab sweep}: learning rates × models × batch sizes × seeds (grid order: models, batch
 * sizes, learning rates, seeds), each run in its own folder {@code
 * runs/<model>-lr<lr>-bs<b>-seed<s>} so that several can train at once, with sweep.csv and
 * summary.json over all runs. A run whose loss is NaN/∞ or exceeds {@code divergeFactor} times its
 * first loss is stopped and marked diverged.
 *
 * @param models zoo names
 * @param seeds at least one
 * @param options the shared options ({@code lr} and {@code batch_size} are recorded but the lists
 *     below are swept)
 * @param lrs learning rates, positive
 * @param batchSizes batch sizes, positive
 * @param parallel runs at the same time (does not change results)
 * @param divergeFactor see {@link RunConfig#divergeFactor()}
 */
@JsonPropertyOrder({
  "command",
  "models",
  "seeds",
  "options",
  "lrs",
  "batch_sizes",
  "parallel",
  "diverge_factor",
  "zoo"
})
public record SweepConfig(
    List<String> models,
    List<Long> seeds,
    @JsonUnwrapped TrainingOptions options,
    List<Double> lrs,
    List<Integer> batchSizes,
    @SessionOnly int parallel,
    double divergeFactor)
    implements ExperimentConfig {
  /** The header of sweep.csv. */
  public static final String HEADER =
      "model,norm,lr,batch_size,seed,epochs,final_train_loss,test_accuracy,diverged";

  /** Checks the values in the order the command line always has. */
  public SweepConfig {
    RunConfig.positive("--parallel", parallel);
    models = List.copyOf(models);
    seeds = List.copyOf(seeds);
    lrs = List.copyOf(lrs);
    batchSizes = List.copyOf(batchSizes);
    if (seeds.isEmpty()) {
      throw new UserError("--seeds needs at least one seed");
    }
    if (options.asPublished()) {
      throw new UserError("--as-published is compare's; a sweep does not take it");
    }
    for (double lr : lrs) {
      if (!(lr > 0)) {
        throw new UserError("--lrs must be positive numbers, got " + lr);
      }
    }
    for (int b : batchSizes) {
      RunConfig.positive("--batch-sizes", b);
    }
    if (models.isEmpty() || lrs.isEmpty() || batchSizes.isEmpty()) {
      throw new UserError("--models, --lrs and --batch-sizes need at least one value each");
    }
    Distinct.check("--seeds", seeds);
    Distinct.check("--models", models);
    Distinct.check("--lrs", lrs);
    Distinct.check("--batch-sizes", batchSizes);
  }

  @Override
  @JsonProperty("command")
  public String command() {
    return "sweep";
  }

  @Override
  public DataConfig data() {
    return options.data();
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
    for (String m : models) {
      for (int b : batchSizes) {
        for (double lr : lrs) {
          for (long seed : seeds) {
            RunConfig c =
                options
                    .run(m, seed, options.epochs(), lr, b)
                    .withDivergeFactor(divergeFactor)
                    .validate();
            String lrText = CsvFile.format(lr);
            String id = String.format(Locale.ROOT, "%s-lr%s-bs%d-seed%d", m, lrText, b, seed);
            cells.add(new GridCell(cells.size(), c, c.label() + " lr " + lrText + " bs " + b, id));
          }
        }
      }
    }
    return new Grid(cells, new ResultTable("sweep.csv", HEADER, SweepConfig::row), true);
  }

  private static List<Object> row(RunConfig c, RunResult r) {
    return List.of(
        c.model(),
        r.norm(),
        c.optimizer().lr(),
        c.batchSize(),
        c.seed(),
        r.epochs(),
        r.finalTrainLoss(),
        r.testAccuracy(),
        r.status().equals("diverged"));
  }
}
