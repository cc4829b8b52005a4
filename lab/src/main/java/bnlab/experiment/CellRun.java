package bnlab.experiment;

import bnlab.data.DataLoader;
import bnlab.nn.Module;
import bnlab.nn.NonFiniteException;
import bnlab.optim.Optimizer;
import bnlab.train.ConsoleLog;
import bnlab.train.DivergenceGuard;
import bnlab.train.EpochResult;
import bnlab.train.EpochsCsv;
import bnlab.train.LossWindow;
import bnlab.train.MetricsCsv;
import bnlab.train.ModelInfo;
import bnlab.train.RunStopped;
import bnlab.train.Step;
import bnlab.train.TrainListener;
import bnlab.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One cell trained into a run folder through the {@link Trainer}: builds model, optimizer and
 * loaders from the configuration, resumes from the cell's checkpoint when there is one, adds the
 * listeners (stop request, divergence, loss window, metrics, console, epochs, probes, totals,
 * hooks, checkpoints, in that order) and returns the run's result. It writes rows into the folder's
 * CSV files and the cell's checkpoint, never summary.json (the folder may be shared by the cells of
 * a grid).
 */
final class CellRun {
  /** summary.json's final_train_loss is the mean of this many last mini-batch losses. */
  private static final int FINAL_WINDOW = 500;

  private final RunConfig config;
  private final String label;
  private final Datasets.Pair data;
  private final RunFolder folder;
  private final RunContext ctx;
  private final ModelZoo.Entry entry;
  private final Module model;
  private final Optimizer optim;
  private final DataLoader train;
  private final Trainer trainer;
  private final Path ckpt;
  private final LossWindow last = new LossWindow(FINAL_WINDOW);
  private final DivergenceGuard guard;
  private final Totals totals;
  private final Where where = new Where();
  private final Map<String, Double> measurements = new LinkedHashMap<>();

  private CellRun(
      RunConfig config, String label, Datasets.Pair data, RunFolder folder, RunContext ctx) {
    this.config = config.validate();
    this.label = label;
    this.data = data;
    this.folder = folder;
    this.ctx = ctx;
    entry = ModelZoo.get(config.model());
    Module built =
        entry
            .factory()
            .build(Datasets.itemShape(data.train()), data.train().classes().size(), config.seed());
    model = ctx.replicas() == null ? built : ctx.replicas().prepare(built);
    optim = Optimizers.create(model, config.optimizer());
    train = trainLoader();
    trainer =
        new Trainer(
                model,
                optim,
                train,
                Datasets.loader(data.test(), config.evaluation().testBatchSize()))
            .firstLoaderEpoch(config.batching().firstLoaderEpoch())
            .testEveryEpoch(config.evaluation().everyEpoch());
    if (ctx.replicas() != null) {
      trainer.afterBackward(loss -> ctx.replicas().synchronize(model, loss));
    }
    long maxSteps = config.budget().maxSteps(config.batchSize());
    if (maxSteps != Long.MAX_VALUE) {
      trainer.stopAfter(maxSteps);
    }
    ckpt = folder.checkpoint(config.model(), config.seed());
    guard = new DivergenceGuard(config.model(), config.seed(), config.divergeFactor());
    totals = new Totals(guard);
  }

  /** Trains {@code config} into {@code folder}; see the class comment. */
  static RunResult run(
      RunConfig config, String label, Datasets.Pair data, RunFolder folder, RunContext ctx) {
    return new CellRun(config, label, data, folder, ctx).run();
  }

  /**
   * Refuses, before anything trains, a cell whose checkpoint in {@code folder} cannot be resumed:
   * another run's, damaged, or not fitting the model (it is loaded into a model of its own).
   *
   * @throws UserError naming the checkpoint, the problem and the fix
   */
  static void checkResumable(
      RunConfig config, String label, Datasets.Pair data, RunFolder folder, RunContext ctx) {
    CellRun c = new CellRun(config, label, data, folder, ctx);
    if (c.saved() != null) {
      TrainerState.load(c.ckpt, c.model, c.optim);
    }
  }

  /** The state of the cell's checkpoint, checked against this run; null without a checkpoint. */
  private TrainerState saved() {
    return Files.exists(ckpt)
        ? checkFits(checkSameRun(TrainerState.read(ckpt, config.model())))
        : null;
  }

  private RunResult run() {
    TrainerState saved = saved();
    if (train.numBatches() * config.batchSize() < data.train().size()
        && !config.batching().dropLast()) {
      CellListeners.print(ctx, "[" + label + "] note: " + BatchOfOne.note(config, data.train()));
    }
    try (CellFiles files =
        CellFiles.open(folder, config, saved, m -> CellListeners.warn(ctx, "bnlab: " + m))) {
      MetricsCsv metrics =
          new MetricsCsv(
              files.metrics,
              config.model(),
              config.seed(),
              config.recording().logEvery(),
              optim::lr);
      int firstEpoch = saved == null ? 1 : resume(metrics);
      ConsoleLog console = CellListeners.console(config, label, ctx);
      listen(files, metrics, console);
      return fit(firstEpoch, console);
    }
  }

  /** Continues from the checkpoint: weights, optimizer, windows, totals; the next epoch. */
  private int resume(MetricsCsv metrics) {
    TrainerState st = TrainerState.load(ckpt, model, optim);
    totals.restore(st, trainer, metrics, last);
    measurements.putAll(st.measurements());
    CellListeners.print(ctx, "[" + label + "] resumed after epoch " + st.epoch());
    return st.epoch() + 1;
  }

  private void listen(CellFiles files, MetricsCsv metrics, ConsoleLog console) {
    if (config.lrSchedule() != null) {
      trainer.listen(new ScheduledLr(optim, config.optimizer().lr(), config.lrSchedule()));
    }
    trainer.listen(ctx.stop()).listen(guard).listen(last).listen(metrics);
    if (console != null) {
      trainer.listen(console);
    }
    trainer.listen(new EpochsCsv(files.epochs, config.model(), config.seed()));
    if (config.recording().probeEvery() > 0) {
      trainer.listen(CellListeners.probes(config, model, data, files));
    }
    trainer.listen(totals).listen(where);
    Hook.Context hookContext = new Hook.Context(config, model, data, folder, measurements);
    for (Hook h : CellListeners.hooks(config, ctx)) {
      h.listeners(hookContext).forEach(trainer::listen);
    }
    // Model name, input shape and class names go into every checkpoint (eval, export, predict).
    ModelInfo info =
        new ModelInfo(config.model(), Datasets.itemShape(data.train()), data.train().classes());
    trainer.listen(
        new TrainListener() {
          @Override
          public void onEpoch(EpochResult r) {
            // The rows this checkpoint counts reach the disk before it does (a power cut cannot
            // leave a checkpoint whose rows are lost); rows after it are dropped on resume.
            files.sync();
            totals
                .state(r, trainer, metrics, last, measurements, config)
                .save(ckpt, model, optim, info);
          }
        });
  }

  private RunResult fit(int firstEpoch, ConsoleLog console) {
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
      CellListeners.print(ctx, "bnlab: run stopped: " + message);
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
    DataLoader loader;
    try {
      loader = Datasets.loader(data.train(), config.batchSize());
      if (config.augmentation() != null) {
        loader.transforms(config.augmentation().transforms(data.train().height()));
      }
      loader =
          loader
              .shuffle(config.seed())
              .classClustered(config.batching().classesPerBatch())
              .dropLast(BatchOfOne.dropLast(config, data.train()));
      if (ctx.replicas() != null) {
        loader.shard(ctx.replicas().rank(), ctx.replicas().size());
      }

    } catch (IllegalArgumentException e) {
      throw new UserError("--classes-per-batch: " + e.getMessage());
    }
    if (loader.numBatches() == 0) {
      throw new UserError(
          "the training set's "
              + data.train().size()
              + " images hold no full batch of "
              + config.batchSize()
              + "; choose a smaller batch size");
    }
    return loader;
  }

  /** Refuses a checkpoint that another configuration wrote (older checkpoints do not say). */
  private TrainerState checkSameRun(TrainerState state) {
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

  /**
   * Refuses a trainer state that cannot be where this run stands after its epoch: its step must lie
   * in that epoch, and its windows must hold what that step implies (metrics.csv's open window the
   * steps since the last row, the loss window the last steps). A damaged or edited file would
   * otherwise resume into wrong rows and figures.
   */
  private TrainerState checkFits(TrainerState s) {
    long perEpoch = train.numBatches();
    int logEvery = config.recording().logEvery();
    String problem = null;
    if (s.step() <= (s.epoch() - 1) * perEpoch || s.step() > s.epoch() * perEpoch) {
      problem = "step " + s.step() + " is not in epoch " + s.epoch() + " of " + perEpoch + " steps";
    } else if (s.metricsWindow()[1] != s.step() % logEvery) {
      problem =
          "metrics_window counts "
              + (long) s.metricsWindow()[1]
              + " steps since the last metrics row, step "
              + s.step()
              + " implies "
              + s.step() % logEvery;
    } else if (s.lossWindow().length != Math.min(s.step(), FINAL_WINDOW)) {
      problem =
          "loss_window holds "
              + s.lossWindow().length
              + " losses, step "
              + s.step()
              + " implies "
              + Math.min(s.step(), FINAL_WINDOW);
    }
    if (problem != null) {
      throw new UserError(
          ckpt
              + " does not fit this run ("
              + problem
              + "; a damaged or edited file, or other data); it cannot be resumed: delete it to"
              + " train this run again from the start, or use another --out");
    }
    return s;
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
