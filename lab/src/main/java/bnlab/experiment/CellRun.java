package bnlab.experiment;

import bnlab.data.DataLoader;
import bnlab.nn.Module;
import bnlab.nn.NonFiniteException;
import bnlab.optim.Optimizer;
import bnlab.tensor.Tensor;
import bnlab.train.ConsoleLog;
import bnlab.train.DivergenceGuard;
import bnlab.train.EpochResult;
import bnlab.train.EpochsCsv;
import bnlab.train.LossWindow;
import bnlab.train.MetricsCsv;
import bnlab.train.Probes;
import bnlab.train.RunStopped;
import bnlab.train.Step;
import bnlab.train.TrainListener;
import bnlab.train.TrainModeTest;
import bnlab.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One cell trained into a run folder through the {@link Trainer}: builds model, optimizer and
 * loaders from the configuration, resumes from the cell's checkpoint when there is one, wires the
 * listeners (stop request, divergence, metrics, console, probes, totals, hooks, checkpoints) and
 * returns the run's result. It writes rows into the folder's CSV files and the cell's checkpoint,
 * never summary.json (the folder may be shared by the cells of a grid).
 */
final class CellRun {
  /** Activation probes run about this many training images, in whole training batches. */
  private static final int PROBE_BATCH = 100;

  /** summary.json's final_train_loss is the mean of this many last mini-batch losses. */
  private static final int FINAL_WINDOW = 500;

  /** Seed of the fixed order of the train-mode test batches. */
  static final long TEST_ORDER_SEED = 12345;

  private final RunConfig config;
  private final String label;
  private final Datasets.Pair data;
  private final RunFolder folder;
  private final RunContext ctx;
  private final Map<String, Double> measurements = new LinkedHashMap<>();

  private CellRun(
      RunConfig config, String label, Datasets.Pair data, RunFolder folder, RunContext ctx) {
    this.config = config.validate();
    this.label = label;
    this.data = data;
    this.folder = folder;
    this.ctx = ctx;
  }

  /** Trains {@code config} into {@code folder}; see the class comment. */
  static RunResult run(
      RunConfig config, String label, Datasets.Pair data, RunFolder folder, RunContext ctx) {
    return new CellRun(config, label, data, folder, ctx).run();
  }

  private RunResult run() {
    ModelZoo.Entry entry = ModelZoo.get(config.model());
    bnlab.data.Dataset trainSet = data.train();
    Module model =
        entry
            .factory()
            .build(Datasets.itemShape(trainSet), trainSet.classes().size(), config.seed());
    Optimizer optim = Optimizers.create(model, config.optimizer());
    DataLoader train = trainLoader();
    Trainer trainer =
        new Trainer(
                model,
                optim,
                train,
                Datasets.loader(data.test(), config.evaluation().testBatchSize()))
            .firstLoaderEpoch(config.batching().firstLoaderEpoch())
            .testEveryEpoch(config.evaluation().everyEpoch());
    long maxSteps = config.budget().maxSteps(config.batchSize());
    if (maxSteps != Long.MAX_VALUE) {
      trainer.stopAfter(maxSteps);
    }
    Path ckpt = folder.checkpoint(config.model(), config.seed());
    TrainerState saved = Files.exists(ckpt) ? checkSameRun(ckpt, TrainerState.read(ckpt)) : null;
    try (CellFiles files = CellFiles.open(folder, config, saved)) {
      return train(entry, model, optim, train, trainer, ckpt, saved, files);
    }
  }

  private RunResult train(
      ModelZoo.Entry entry,
      Module model,
      Optimizer optim,
      DataLoader train,
      Trainer trainer,
      Path ckpt,
      TrainerState saved,
      CellFiles files) {
    LossWindow last = new LossWindow(FINAL_WINDOW);
    MetricsCsv metricRows =
        new MetricsCsv(
            files.metrics,
            config.model(),
            config.seed(),
            config.recording().logEvery(),
            config.optimizer().lr());
    DivergenceGuard guard =
        new DivergenceGuard(config.model(), config.seed(), config.divergeFactor());
    Totals totals = new Totals(guard);
    int firstEpoch = 1;
    if (saved != null) {
      TrainerState st = TrainerState.load(ckpt, model, optim);
      totals.restore(st, trainer, metricRows, last);
      measurements.putAll(st.measurements());
      firstEpoch = st.epoch() + 1;
      print("[" + label + "] resumed after epoch " + st.epoch());
    }
    ConsoleLog console = console();
    trainer.listen(ctx.stop()).listen(guard).listen(last).listen(metricRows);
    if (console != null) {
      trainer.listen(console);
    }
    trainer.listen(new EpochsCsv(files.epochs, config.model(), config.seed()));
    if (config.recording().probeEvery() > 0) {
      trainer.listen(probes(model, files));
    }
    trainer.listen(totals);
    Where where = new Where();
    trainer.listen(where);
    Hook.Context hookContext = new Hook.Context(config, model, data, measurements);
    for (Hook h : hooks()) {
      h.listeners(hookContext).forEach(trainer::listen);
    }
    trainer.listen(
        new TrainListener() {
          @Override
          public void onEpoch(EpochResult r) {
            totals
                .state(r, trainer, metricRows, last, measurements, config)
                .save(ckpt, model, optim);
          }
        });
    String status = "ok";
    String message = null;
    try {
      trainer.fit(firstEpoch, config.budget().lastEpoch(train.numBatches(), config.batchSize()));
    } catch (RunStopped stop) {
      status = stop.status();
      message = stop.getMessage();
    } catch (NonFiniteException e) {
      // The loss or a BN layer refused non-finite values: the run diverged.
      status = "diverged";
      message =
          where.describe(config)
              + ": the model's values are no longer finite ("
              + e.getMessage()
              + "); try a smaller --lr";
    }
    if (message != null) {
      if (console != null) {
        console.close();
      }
      print("bnlab: run stopped: " + message);
    }
    return new RunResult(
        config.model(),
        entry.norm().id(),
        entry.baseline(),
        config.seed(),
        totals.epochsDone,
        trainer.step(),
        status.equals("diverged") ? Double.NaN : last.mean(),
        totals.testAccuracy,
        status.equals("ok") ? totals.wallAtLastEpoch() : totals.wall(),
        totals.images / totals.trainSeconds,
        status,
        message,
        measurements);
  }

  private DataLoader trainLoader() {
    DataLoader train;
    try {
      train =
          Datasets.loader(data.train(), config.batchSize())
              .shuffle(config.seed())
              .classClustered(config.batching().classesPerBatch())
              .dropLast(config.batching().dropLast());
    } catch (IllegalArgumentException e) {
      throw new UserError("--classes-per-batch: " + e.getMessage());
    }
    if (train.numBatches() == 0) {
      throw new UserError(
          "the training set's "
              + data.train().size()
              + " images hold no full batch of "
              + config.batchSize()
              + "; choose a smaller batch size");
    }
    return train;
  }

  /** Refuses a checkpoint that another configuration wrote (older checkpoints do not say). */
  private TrainerState checkSameRun(Path ckpt, TrainerState state) {
    if (state.config() != null) {
      List<String> diff = ConfigDiff.between(Json.tree(state.config()), config);
      if (!diff.isEmpty()) {
        throw new UserError(
            "--resume: "
                + ckpt
                + " was written by a different run ("
                + String.join("; ", diff)
                + "); use the original options or another --out");
      }
    }
    return state;
  }

  private List<Hook> hooks() {
    List<Hook> all = new ArrayList<>();
    if (config.evaluation().trainModeTest()) {
      all.add(CellRun::trainModeTest);
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

  /** The console lines of the run, or null when the context is quiet. */
  private ConsoleLog console() {
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

  private void print(String line) {
    if (ctx.console() != RunContext.Console.QUIET) {
      ctx.out().println(line);
    }
  }

  private Probes probes(Module model, CellFiles files) {
    double[] etas =
        config.recording().probeEtas().stream().mapToDouble(Double::doubleValue).toArray();
    return new Probes(
        model,
        config.model(),
        config.seed(),
        config.recording().probeEvery(),
        etas,
        probeInputs(config.batchSize()),
        files.activations,
        files.gradients,
        files.landscape);
  }

  // The first training images in data-set order, copied (loader batches are reused): about
  // PROBE_BATCH of them, a whole number of training batches, since the probe forward runs in
  // training mode and a layer may need that (Ghost BN's virtual batches).
  private Tensor probeInputs(int b) {
    int count = Math.min(Math.max(b, PROBE_BATCH / b * b), data.train().size());
    DataLoader l = Datasets.loader(data.train(), count).prefetch(0);
    try (DataLoader.Epoch it = l.epoch(0)) {
      return it.next().x().copy();
    }
  }

  /** The epoch and step being trained, for messages about a failed step. */
  private static final class Where implements TrainListener {
    int epoch;
    long step;

    @Override
    public void beforeBatch(Step s) {
      epoch = s.epoch();
      step = s.step();
    }

    String describe(RunConfig c) {
      return "model " + c.model() + ", seed " + c.seed() + ", epoch " + epoch + ", step " + step;
    }
  }
}
