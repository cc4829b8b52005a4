package bnlab.lab;

import bnlab.data.DataLoader;
import bnlab.nn.Module;
import bnlab.nn.NonFiniteException;
import bnlab.optim.Optimizer;
import bnlab.train.ConsoleLog;
import bnlab.train.CsvFile;
import bnlab.train.DivergenceGuard;
import bnlab.train.EpochResult;
import bnlab.train.EpochsCsv;
import bnlab.train.LossWindow;
import bnlab.train.MetricsCsv;
import bnlab.train.ModelInfo;
import bnlab.train.Probes;
import bnlab.train.RunStopped;
import bnlab.train.TrainCheckpoint;
import bnlab.train.TrainListener;
import bnlab.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one {@link RunSpec} into a run folder: builds model, optimizer and loaders, wires the
 * listeners (metrics, console, probes, checkpoints, divergence, Ctrl-C), resumes from the run's
 * checkpoint when asked, and returns its summary entry.
 */
final class Runner implements AutoCloseable {
  private static final int PROBE_BATCH = 100;
  private static final int TEST_BATCH = 250;
  private static final int FINAL_WINDOW = 500;

  private final Settings settings;
  private final Datasets.Pair data;
  private final RunFolder folder;
  private final Interrupts interrupts;
  private final PrintStream out;
  private final CsvFile metrics;
  private final CsvFile epochs;
  private final CsvFile act;
  private final CsvFile grad;
  private final CsvFile land;

  Runner(
      Settings settings,
      Datasets.Pair data,
      RunFolder folder,
      Interrupts interrupts,
      PrintStream out,
      List<RunSpec> specs) {
    this.settings = settings;
    this.data = data;
    this.folder = folder;
    this.interrupts = interrupts;
    this.out = out;
    if (settings.resume()) {
      specs.forEach(this::dropRowsAfterCheckpoint);
    }
    this.metrics = new CsvFile(folder.file("metrics.csv"), MetricsCsv.HEADER);
    this.epochs = new CsvFile(folder.file("epochs.csv"), EpochsCsv.HEADER);
    boolean probes = settings.probeEvery() > 0;
    this.act =
        probes ? new CsvFile(folder.file("probes/activations.csv"), Probes.ACT_HEADER) : null;
    this.grad =
        probes ? new CsvFile(folder.file("probes/gradients.csv"), Probes.GRAD_HEADER) : null;
    this.land =
        probes ? new CsvFile(folder.file("probes/landscape.csv"), Probes.LAND_HEADER) : null;
  }

  private Path checkpoint(RunSpec spec) {
    return folder.file("checkpoints/" + spec.model() + "-seed" + spec.seed() + ".safetensors");
  }

  /**
   * Before resuming, removes rows the run wrote after its last checkpoint (it writes them again).
   */
  private void dropRowsAfterCheckpoint(RunSpec spec) {
    long step = -1;
    int epoch = 0;
    Path ckpt = checkpoint(spec);
    if (Files.exists(ckpt)) {
      Map<String, Object> st = TrainCheckpoint.readTrainerState(ckpt);
      step = ((Number) st.get("step")).longValue();
      epoch = ((Number) st.get("epoch")).intValue();
    }
    String model = spec.model();
    String seed = Long.toString(spec.seed());
    long s = step;
    int e = epoch;
    RunFolder.dropRows(
        folder.file("metrics.csv"),
        r -> r[0].equals(model) && r[1].equals(seed) && Long.parseLong(r[3]) > s);
    RunFolder.dropRows(
        folder.file("epochs.csv"),
        r -> r[0].equals(model) && r[1].equals(seed) && Integer.parseInt(r[2]) > e);
    for (String p : List.of("activations", "gradients", "landscape")) {
      RunFolder.dropRows(
          folder.file("probes/" + p + ".csv"),
          r -> r[0].equals(model) && r[1].equals(seed) && Long.parseLong(r[2]) > s);
    }
  }

  RunResult run(RunSpec spec) {
    ModelZoo.Entry entry = ModelZoo.get(spec.model());
    bnlab.data.Dataset trainSet = data.train();
    Module model =
        entry.factory().build(Datasets.itemShape(trainSet), trainSet.classes().size(), spec.seed());
    Optimizer optim = Optimizers.create(settings.optimizer(), model, spec.lr());
    // Ghost BN cannot split a last partial batch into its virtual batches: drop it.
    DataLoader train =
        Datasets.loader(trainSet, spec.batchSize())
            .shuffle(spec.seed())
            .dropLast(entry.norm().equals("ghost"));
    DataLoader test = Datasets.loader(data.test(), TEST_BATCH);
    Trainer trainer = new Trainer(model, optim, train, test);
    LossWindow last = new LossWindow(FINAL_WINDOW);
    MetricsCsv metricRows =
        new MetricsCsv(metrics, spec.model(), spec.seed(), settings.logEvery(), spec.lr());
    boolean bar = settings.progress() && System.console() != null;
    ConsoleLog console =
        new ConsoleLog(
            out,
            spec.label(),
            settings.logEvery(),
            settings.asPublished(),
            bar,
            spec.tag().isEmpty() ? "" : "[" + spec.label() + "] ");
    DivergenceGuard guard =
        new DivergenceGuard(spec.model(), spec.seed(), settings.divergeFactor());
    Progress progress = new Progress(guard);
    Path ckpt = checkpoint(spec);
    // Model name, input shape and class names go into every checkpoint's metadata (eval/predict).
    ModelInfo info = new ModelInfo(spec.model(), Datasets.itemShape(trainSet), trainSet.classes());
    int firstEpoch = 1;
    if (settings.resume() && Files.exists(ckpt)) {
      Map<String, Object> st = TrainCheckpoint.load(ckpt, model, optim);
      firstEpoch = progress.restore(st, trainer, metricRows, last) + 1;
      out.println("[" + spec.label() + "] resumed after epoch " + (firstEpoch - 1));
    }
    trainer
        .listen(interrupts)
        .listen(guard)
        .listen(last)
        .listen(metricRows)
        .listen(console)
        .listen(new EpochsCsv(epochs, spec.model(), spec.seed()));
    if (settings.probeEvery() > 0) {
      trainer.listen(
          new Probes(
              model,
              spec.model(),
              spec.seed(),
              settings.probeEvery(),
              settings.probeEtas(),
              probeInputs(spec.batchSize()),
              act,
              grad,
              land));
    }
    trainer.listen(progress);
    Where where = new Where();
    trainer.listen(where);
    trainer.listen(
        new TrainListener() {
          @Override
          public void onEpoch(EpochResult r) {
            TrainCheckpoint.save(
                ckpt, model, optim, progress.state(r, trainer, metricRows, last), info);
          }
        });
    String status = "ok";
    String message = null;
    try {
      trainer.fit(firstEpoch, spec.epochs());
    } catch (RunStopped stop) {
      status = stop.status();
      message = stop.getMessage();
    } catch (NonFiniteException e) {
      // The loss or a BN layer refused non-finite values: the run diverged.
      status = "diverged";
      message =
          "model "
              + spec.model()
              + ", seed "
              + spec.seed()
              + ", epoch "
              + where.epoch
              + ", step "
              + where.step
              + ": the model's values are no longer finite ("
              + e.getMessage()
              + "); try a smaller --lr";
    }
    if (message != null) {
      console.close();
      out.println("bnlab: run stopped: " + message);
    }
    return new RunResult(
        spec.model(),
        entry.norm(),
        spec.seed(),
        progress.epochsDone,
        status.equals("diverged") ? Double.NaN : last.mean(),
        progress.testAccuracy,
        progress.wall(),
        progress.images / progress.trainSeconds,
        status,
        message);
  }

  /** The epoch and step being trained, for messages about a failed step. */
  private static final class Where implements TrainListener {
    int epoch;
    long step;

    @Override
    public void beforeBatch(bnlab.train.Step s) {
      epoch = s.epoch();
      step = s.step();
    }
  }

  // The first training images in data-set order, copied (loader batches are reused): about
  // PROBE_BATCH of them, a whole number of training batches, since the probe forward runs in
  // training mode and a layer may need that (Ghost BN's virtual batches).
  private bnlab.tensor.Tensor probeInputs(int b) {
    int count = Math.min(Math.max(b, PROBE_BATCH / b * b), data.train().size());
    DataLoader l = Datasets.loader(data.train(), count).prefetch(0);
    try (DataLoader.Epoch it = l.epoch(0)) {
      return it.next().x().copy();
    }
  }

  @Override
  public void close() {
    metrics.close();
    epochs.close();
    for (CsvFile f : new CsvFile[] {act, grad, land}) {
      if (f != null) {
        f.close();
      }
    }
  }

  /** Totals over the run's epochs, carried across a resume in the checkpoint's trainer state. */
  private static final class Progress implements TrainListener {
    final DivergenceGuard guard;
    int epochsDone;
    double testAccuracy = Double.NaN;
    double wallBefore;

    Progress(DivergenceGuard guard) {
      this.guard = guard;
    }

    final long sessionStart = System.nanoTime();
    double trainSeconds;
    long images;

    @Override
    public void onEpoch(EpochResult r) {
      epochsDone = r.epoch();
      testAccuracy = r.testAccuracy();
      trainSeconds += r.seconds();
      images += r.trainImages();
    }

    Map<String, Object> state(EpochResult r, Trainer trainer, MetricsCsv metrics, LossWindow last) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("epoch", r.epoch());
      m.put("step", trainer.step());
      m.put("metrics_window", metrics.window());
      m.put("loss_window", last.values());
      m.put("test_accuracy", Double.isFinite(testAccuracy) ? testAccuracy : null);
      m.put("wall_seconds", wall());
      m.put("initial_loss", guard.initial());
      m.put("train_seconds", trainSeconds);
      m.put("images", images);
      return m;
    }

    int restore(Map<String, Object> st, Trainer trainer, MetricsCsv metrics, LossWindow last) {
      epochsDone = ((Number) st.get("epoch")).intValue();
      trainer.setStep(((Number) st.get("step")).longValue());
      metrics.restore(doubles(st.get("metrics_window")));
      last.restore(doubles(st.get("loss_window")));
      testAccuracy =
          st.get("test_accuracy") == null
              ? Double.NaN
              : ((Number) st.get("test_accuracy")).doubleValue();
      wallBefore = ((Number) st.get("wall_seconds")).doubleValue();
      guard.restoreInitial(((Number) st.get("initial_loss")).doubleValue());
      trainSeconds = ((Number) st.get("train_seconds")).doubleValue();
      images = ((Number) st.get("images")).longValue();
      return epochsDone;
    }

    double wall() {
      return wallBefore + (System.nanoTime() - sessionStart) / 1e9;
    }

    private static double[] doubles(Object o) {
      List<?> l = (List<?>) o;
      double[] d = new double[l.size()];
      for (int i = 0; i < d.length; i++) {
        d[i] = ((Number) l.get(i)).doubleValue();
      }
      return d;
    }
  }
}
