package bnlab.lab.bench;

import bnlab.experiment.ModelZoo;
import bnlab.experiment.UserError;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Module;
import bnlab.nn.Sequential;
import bnlab.optim.Adam;
import bnlab.runtime.Compute;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * End-to-end throughput of zoo models: training images/s (forward, cross-entropy, backward, Adam
 * with lr 1e-4) at each batch size, and eval-mode inference images/s, on synthetic CIFAR-10-shaped
 * data (3×32×32, 10 classes) so no disk is involved.
 *
 * <p>Each configuration runs untimed warm-up runs, then timed runs of a fixed number of steps
 * ({@link Runs}); the median of the timed runs is reported with the slowest and fastest. For
 * training of a Sequential model with BatchNorm the share of the step spent in BatchNorm layers is
 * the median of as many separate runs with a layer timer ({@link BnShare}).
 */
public final class TrainBenchmark {
  private static final int CLASSES = 10;
  private static final int[] ITEM = {3, 32, 32};
  private static final int DATA_BATCHES = 4;

  private TrainBenchmark() {}

  /** Runs every configuration of {@code o}; prints nothing. Unknown models are a user error. */
  public static BenchResult run(BenchOptions o) {
    List<ModelZoo.Entry> entries = o.models().stream().map(ModelZoo::get).toList();
    if (o.threads() > 0) {
      Compute.setThreads(o.threads());
    }
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    List<BenchResult.Row> rows = new ArrayList<>();
    for (ModelZoo.Entry e : entries) {
      for (int batch : o.trainBatches()) {
        rows.add(train(o, e, batch));
      }
    }
    for (ModelZoo.Entry e : entries) {
      for (int batch : o.inferBatches()) {
        rows.add(infer(o, e, batch));
      }
    }
    return new BenchResult(
        System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
        Compute.kernels(),
        Compute.vectorBits(),
        Compute.threads(),
        Compute.availableProcessors(),
        load,
        cpuModel(),
        jvmFlags(),
        rows);
  }

  private static Module model(ModelZoo.Entry e, long seed) {
    return e.factory().build(ITEM, CLASSES, seed);
  }

  /**
   * One training step of zoo model {@code name} at {@code batch} on synthetic data (forward,
   * cross-entropy, backward, Adam with lr 1e-4), as this benchmark times it; the model is built and
   * one step run before it is returned. A model that cannot train at this batch size is a user
   * error naming the fix.
   */
  public static Runnable trainStep(String name, int batch, long seed) {
    return trainStep(ModelZoo.get(name), batch, seed).step();
  }

  private record TrainStep(Module model, Runnable step) {}

  private static TrainStep trainStep(ModelZoo.Entry e, int batch, long seed) {
    Module model = model(e, seed);
    model.train();
    // As the Trainer does: nobody reads the gradient of the images.
    model.requiresInputGrad(false);
    Adam adam = new Adam(model.parameters(), 1e-4);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    Data data = new Data(batch, seed);
    int[] step = {0};
    Runnable oneStep =
        () -> {
          int d = step[0]++ % DATA_BATCHES;
          adam.zeroGrad();
          Tensor y = model.forward(data.x[d]);
          float l = loss.forward(y, data.y[d]);
          if (!Float.isFinite(l)) {
            throw new IllegalStateException("bench: " + e.name() + ": non-finite loss " + l);
          }
          model.backward(loss.backward());
          adam.step();
        };
    try {
      oneStep.run();
    } catch (IllegalArgumentException ex) {
      // The data are synthetic and shaped for the model, so what the model refuses is this batch
      // size (BatchNorm1d in training needs 2 images or more).
      throw new UserError(
          "bench: "
              + e.name()
              + " cannot train at batch "
              + batch
              + ": "
              + ex.getMessage()
              + "; choose other --batch-sizes");
    }
    return new TrainStep(model, oneStep);
  }

  private static BenchResult.Row train(BenchOptions o, ModelZoo.Entry e, int batch) {
    TrainStep t = trainStep(e, batch, o.seed());
    int fixed = o.trainImagesPerRun() > 0 ? Math.max(1, o.trainImagesPerRun() / batch) : 0;
    Runs.Measured m = Runs.measure(o, batch, fixed, t.step());
    double share =
        o.bnShare() && BnShare.applies(t.model())
            ? BnShare.measure((Sequential) t.model(), o.runs(), m.steps(), t.step())
            : Double.NaN;
    return row(e.name(), "train", batch, m, share);
  }

  /**
   * One eval-mode inference step of zoo model {@code name} at {@code batch} on synthetic data, as
   * this benchmark times it (normalizing models first get running statistics from 3 training-mode
   * forwards). The step checks that the output stays finite.
   */
  public static Runnable inferStep(String name, int batch, long seed) {
    return inferStep(ModelZoo.get(name), batch, seed);
  }

  private static Runnable inferStep(ModelZoo.Entry e, int batch, long seed) {
    Module model = model(e, seed);
    if (!e.norm().equals("none")) {
      // Non-trivial running statistics, as after training.
      model.train();
      // At least 2 images: BatchNorm1d cannot take training statistics of one.
      Data warm = new Data(Math.max(2, Math.min(batch, 128)), seed + 1);
      for (int i = 0; i < 3; i++) {
        model.forward(warm.x[i % DATA_BATCHES]);
      }
    }
    model.eval();
    Data data = new Data(batch, seed);
    int[] step = {0};
    return () -> {
      float v = model.forward(data.x[step[0]++ % DATA_BATCHES]).data()[0];
      if (!Float.isFinite(v)) {
        throw new IllegalStateException("bench: " + e.name() + ": non-finite inference output");
      }
    };
  }

  private static BenchResult.Row infer(BenchOptions o, ModelZoo.Entry e, int batch) {
    Runnable step = inferStep(e, batch, o.seed());
    int fixed = o.inferImagesPerRun() > 0 ? Math.max(1, o.inferImagesPerRun() / batch) : 0;
    Runs.Measured m = Runs.measure(o, batch, fixed, step);
    return row(e.name(), "infer", batch, m, Double.NaN);
  }

  private static BenchResult.Row row(
      String model, String mode, int batch, Runs.Measured m, double share) {
    double[] ips = m.imagesPerSecond();
    return new BenchResult.Row(
        model,
        mode,
        batch,
        Runs.median(ips),
        Arrays.stream(ips).min().orElseThrow(),
        Arrays.stream(ips).max().orElseThrow(),
        share,
        Runs.median(m.bytesPerStep()),
        m.steps(),
        m.warmups(),
        m.jitShare(),
        Runs.median(m.imagesPerCpuSecond()));
  }

  /** A few synthetic batches, generated once and cycled. */
  private static final class Data {
    final Tensor[] x = new Tensor[DATA_BATCHES];
    final int[][] y = new int[DATA_BATCHES][];

    Data(int batch, long seed) {
      Rng rng = new Rng(seed ^ 0x5DEECE66DL);
      for (int d = 0; d < DATA_BATCHES; d++) {
        x[d] = Tensor.zeros(batch, ITEM[0], ITEM[1], ITEM[2]);
        rng.fillUniform(x[d], -1f, 1f);
        y[d] = new int[batch];
        for (int i = 0; i < batch; i++) {
          y[d][i] = rng.nextInt(CLASSES);
        }
      }
    }
  }

  /** The "model name" line of /proc/cpuinfo, or the OS architecture elsewhere. */
  public static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    return System.getProperty("os.arch");
  }

  /** The JVM options that change which code the kernels run (vector ISA, bnlab switches). */
  static List<String> jvmFlags() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(
            a ->
                a.startsWith("-XX:UseAVX")
                    || a.startsWith("-XX:MaxVectorSize")
                    || a.startsWith("-XX:UseSSE")
                    || a.startsWith("-Dbnlab."))
        .toList();
  }

  /** A plain-text table with the environment in its header. */
  public static String table(BenchResult r) {
    return BenchFormat.table(r);
  }

  /**
   * The same as JSON (one object; numbers in images per second; a share or byte count that was not
   * measured is null).
   */
  public static String json(BenchResult r) {
    return BenchFormat.json(r);
  }

  /**
   * Runs with the defaults and prints the table: {@code java ... bnlab.lab.bench.TrainBenchmark}
   * ({@code --quick}: 1 warm-up and 5 shorter runs; {@code --json}).
   */
  public static void main(String[] args) {
    BenchOptions d = BenchOptions.defaults();
    BenchResult r = run(Arrays.asList(args).contains("--quick") ? d.quick() : d);
    System.out.print(Arrays.asList(args).contains("--json") ? json(r) + "\n" : table(r));
  }
}
