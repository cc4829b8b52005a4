package bnlab.reference.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * libtorch's side of {@code bnlab bench}: the same models ({@link TorchModels}), the same synthetic
 * CIFAR-10-shaped data (N, 3, 32, 32) with 10 classes, the same loop (forward, cross-entropy,
 * backward, Adam lr 1e-4; eval-mode inference), the same warm-up and timed runs ({@link Runs}) and
 * the same JSON row keys, so {@code bench/compare-libtorch.sh} can put both in one table.
 *
 * <p>Run with {@code reference/bench.sh} (which builds the module and sets the ISA environment
 * variables before libtorch loads).
 */
@Command(
    name = "reference/bench.sh",
    mixinStandardHelpOptions = true,
    description =
        "Training and inference images/s of bnlab's models on libtorch (DJL's PyTorch engine),"
            + " measured as `bnlab bench` measures them.")
public final class TorchBench implements Callable<Integer> {
  private static final int DATA_BATCHES = 4;

  @Option(
      names = "--models",
      split = ",",
      defaultValue = "net,net-bn",
      description = "Models: net, net-bn, vgg, vgg-bn, resnet20 (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @Option(
      names = "--batch-sizes",
      split = ",",
      defaultValue = "10,32,128",
      description = "Training batch sizes (default: ${DEFAULT-VALUE}).")
  List<Integer> trainBatches;

  @Option(
      names = "--infer-batches",
      split = ",",
      defaultValue = "256,1000",
      description = "Inference batch sizes (default: ${DEFAULT-VALUE}).")
  List<Integer> inferBatches;

  @Option(names = "--warmup", defaultValue = "3", description = "Warm-up runs (default: 3).")
  int warmup;

  @Option(names = "--runs", defaultValue = "7", description = "Timed runs (default: 7).")
  int runs;

  @Option(
      names = "--run-seconds",
      defaultValue = "0.5",
      description = "Target length of a run; sets the steps per run (default: 0.5).")
  double runSeconds;

  @Option(
      names = "--steps",
      defaultValue = "0",
      description = "Steps per run instead of --run-seconds (default: 0 = calibrate).")
  int steps;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "libtorch intra-op threads (at::set_num_threads; default: 2).")
  int threads;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default: 1).")
  long seed;

  @Option(names = "--quick", description = "1 warm-up and 5 runs of 0.2 s (loaded machine).")
  boolean quick;

  @Option(names = "--json", description = "Print JSON instead of the table.")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Parses the arguments, measures, prints; exit code 2 for bad arguments. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new TorchBench()).execute(args));
  }

  @Override
  public Integer call() {
    Runs r = checkedRuns();
    Engine engine = Engine.getEngine("PyTorch");
    JniUtils.setNumInteropThreads(1);
    JniUtils.setNumThreads(threads);
    try (NDManager base = NDManager.newBaseManager(Device.cpu(), engine.getEngineName())) {
      Overhead overhead = Overhead.measure(base);
      List<TorchResult.Row> rows = new ArrayList<>();
      for (String m : models) {
        for (int b : trainBatches) {
          rows.add(run(base, m, "train", b, r));
        }
      }
      for (String m : models) {
        for (int b : inferBatches) {
          rows.add(run(base, m, "infer", b, r));
        }
      }
      TorchResult result = TorchResult.of(engine, JniUtils.getNumThreads(), overhead, rows);
      System.out.print(json ? result.json() + "\n" : result.table());
    }
    return 0;
  }

  /** The runs to make, after checking every option (before libtorch loads). */
  private Runs checkedRuns() {
    String invalid = TorchModels.invalid(models, trainBatches, inferBatches, threads);
    if (invalid != null) {
      throw usage(invalid);
    }
    try {
      return quick ? new Runs(1, 5, 0.2, steps) : new Runs(warmup, runs, runSeconds, steps);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), "libtorch bench: " + message);
  }

  private TorchResult.Row run(NDManager base, String name, String mode, int batch, Runs r) {
    try (Step s = Step.of(base, name, mode, batch, seed)) {
      Runs.Result res = r.measure(s.step(), batch);
      return new TorchResult.Row(
          name,
          mode,
          batch,
          res.median(),
          res.min(),
          res.max(),
          res.steps(),
          res.warmups(),
          res.jitShare(),
          // the calling thread does all the work only with one intra-op thread
          threads == 1 ? Runs.median(res.imagesPerCpuSecond()) : Double.NaN,
          s.trainer().callsPerStep(mode.equals("train")));
    }
  }

  /**
   * One step of a model on libtorch, as this benchmark times it: a training step (forward,
   * cross-entropy, backward, Adam lr 1e-4) or an eval-mode forward, over {@value #DATA_BATCHES}
   * synthetic batches in turn; closing it frees the model's and the data's native memory.
   */
  record Step(NDManager manager, TorchTrainer trainer, Runnable step) implements AutoCloseable {
    static Step of(NDManager base, String name, String mode, int batch, long seed) {
      NDManager m = base.newSubManager();
      Params p = new Params(m, Params.seeded(seed));
      TorchModule model = TorchModels.build(name, p);
      TorchTrainer trainer =
          new TorchTrainer(model, m, new ArrayList<>(p.parameters().values()), 1e-4f);
      PtNDArray[] x = new PtNDArray[DATA_BATCHES];
      PtNDArray[] y = new PtNDArray[DATA_BATCHES];
      SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
      for (int d = 0; d < DATA_BATCHES; d++) {
        float[] images = new float[batch * 3 * 32 * 32];
        for (int i = 0; i < images.length; i++) {
          images[i] = (float) (2 * rng.nextDouble() - 1);
        }
        long[] labels = new long[batch];
        for (int i = 0; i < batch; i++) {
          labels[i] = rng.nextInt(10);
        }
        x[d] = (PtNDArray) m.create(images, new Shape(batch, 3, 32, 32));
        y[d] = (PtNDArray) m.create(labels, new Shape(batch, 1));
      }
      boolean train = mode.equals("train");
      int[] i = {0};
      Runnable step =
          () -> {
            int d = i[0]++ % DATA_BATCHES;
            float v = train ? trainer.trainStep(x[d], y[d]) : trainer.inferStep(x[d]);
            if (!Float.isFinite(v)) {
              throw new IllegalStateException(
                  "libtorch bench: non-finite " + (train ? "loss " : "output ") + v);
            }
          };
      return new Step(m, trainer, step);
    }

    @Override
    public void close() {
      manager.close();
    }
  }
}
