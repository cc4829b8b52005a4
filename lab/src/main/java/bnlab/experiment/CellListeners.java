package bnlab.experiment;

import bnlab.data.DataLoader;
import bnlab.nn.Module;
import bnlab.tensor.Tensor;
import bnlab.train.ConsoleLog;
import bnlab.train.Probes;
import bnlab.train.TrainListener;
import bnlab.train.TrainModeTest;
import java.util.ArrayList;
import java.util.List;

/** The listeners a cell's configuration asks for: console, probes and the built-in hooks. */
final class CellListeners {
  /** Activation probes run about this many training images, in whole training batches. */
  private static final int PROBE_BATCH = 100;

  /** Seed of the fixed order of the train-mode test batches. */
  private static final long TEST_ORDER_SEED = 12345;

  private CellListeners() {}

  /** The console lines of the run, or null when the context is quiet. */
  static ConsoleLog console(RunConfig config, String label, RunContext ctx) {
    if (ctx.console() == RunContext.Console.QUIET) {
      return null;
    }
    boolean prefixed = ctx.console() == RunContext.Console.PREFIXED;
    return new ConsoleLog(
        ctx.out(),
        label,
        config.recording().logEvery(),
        config.recording().asPublished(),
        ctx.progressBar() && System.console() != null,
        prefixed ? "[" + label + "] " : "");
  }

  /** Prints {@code line} unless the context is quiet. */
  static void print(RunContext ctx, String line) {
    if (ctx.console() != RunContext.Console.QUIET) {
      ctx.out().println(line);
    }
  }

  /** Prints {@code line} even when the context is quiet: something the user must know. */
  static void warn(RunContext ctx, String line) {
    ctx.out().println(line);
  }

  /** The hooks the configuration asks for, then the context's. */
  static List<Hook> hooks(RunConfig config, RunContext ctx) {
    List<Hook> all = new ArrayList<>();
    if (config.evaluation().trainModeTest()) {
      all.add(CellListeners::trainModeTest);
    }
    all.addAll(ctx.hooks());
    return all;
  }

  // Test batches of the training batch size, full ones only, in a fixed shuffled order.
  private static List<TrainListener> trainModeTest(Hook.Context c) {
    DataLoader test =
        Datasets.loader(c.data().test(), c.config().batchSize())
            .shuffle(TEST_ORDER_SEED)
            .dropLast(true);
    return List.of(
        new TrainModeTest(
            c.model(), test, acc -> c.measurements().put(RunConfig.TRAIN_MODE_ACCURACY, acc)));
  }

  static Probes probes(RunConfig config, Module model, Datasets.Pair data, CellFiles files) {
    double[] etas =
        config.recording().probeEtas().stream().mapToDouble(Double::doubleValue).toArray();
    return new Probes(
        model,
        config.model(),
        config.seed(),
        config.recording().probeEvery(),
        etas,
        probeInputs(data, config.batchSize()),
        files.activations,
        files.gradients,
        files.landscape);
  }

  // The first training images in data-set order, copied (loader batches are reused): about
  // PROBE_BATCH of them, a whole number of training batches, since the probe forward runs in
  // training mode and a layer may need that (Ghost BN's virtual batches).
  private static Tensor probeInputs(Datasets.Pair data, int b) {
    int count = Math.min(Math.max(b, PROBE_BATCH / b * b), data.train().size());
    DataLoader l = Datasets.loader(data.train(), count).prefetch(0);
    try (DataLoader.Epoch it = l.epoch(0)) {
      return it.next().x().copy();
    }
  }
}
